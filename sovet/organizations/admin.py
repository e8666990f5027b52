from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from sovet.admin_actions import ActionAdmin, ReadOnlyAdmin
from sovet.organizations import actions
from sovet.organizations.models import (
    STATUTE_PRESETS,
    STATUTE_RULES,
    ApportionmentMethod,
    Criterion,
    ElectionMethod,
    MajorityRule,
    Membership,
    Organization,
    Person,
    Status,
    Statute,
    Unit,
    UnitLevel,
)


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=64, help_text="Short name in addresses and commands.")
    preset = forms.ChoiceField(choices=Criterion.choices, help_text="The statute to start from.")
    levels = forms.CharField(
        initial="Organization, District, Branch",
        help_text="Unit levels from the top down, separated by commas.",
    )


@admin.register(Organization)
class OrganizationAdmin(ActionAdmin):
    add_form = OrganizationForm
    list_display = ["name", "slug", "statute_version", "record_length"]
    search_fields = ["name", "slug"]

    def perform(self, request: HttpRequest, data: dict[str, Any]) -> Organization:
        return actions.create_organization(
            actor=request.user,
            slug=data["slug"],
            name=data["name"],
            preset=data["preset"],
            levels=[level.strip() for level in data["levels"].split(",") if level.strip()],
        )


UNCHANGED_YES_NO = [("", "—"), ("yes", "yes"), ("no", "no")]


def _yes(value: str) -> bool:
    return value == "yes"


class StatuteForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.all())
    preset = forms.ChoiceField(
        choices=[("", "Keep the current rules"), *Criterion.choices],
        required=False,
        help_text="Start from a preset; the fields below override it.",
    )
    criterion = forms.ChoiceField(choices=[("", "—"), *Criterion.choices], required=False)
    delegate_ratio = forms.IntegerField(required=False, **actions.RULE_BOUNDS["delegate_ratio"])
    min_delegates_per_unit = forms.IntegerField(
        required=False, **actions.RULE_BOUNDS["min_delegates_per_unit"]
    )
    apportionment_method = forms.ChoiceField(
        choices=[("", "—"), *ApportionmentMethod.choices], required=False
    )
    recall_share = forms.CharField(required=False, help_text="For example 1/2.")
    quorum_share = forms.CharField(required=False, help_text="For example 1/2.")
    majority_rule = forms.ChoiceField(choices=[("", "—"), *MajorityRule.choices], required=False)
    statute_majority_rule = forms.ChoiceField(
        choices=[("", "—"), *MajorityRule.choices], required=False
    )
    motion_supporters = forms.IntegerField(
        required=False, **actions.RULE_BOUNDS["motion_supporters"]
    )
    polls_without_quorum = forms.TypedChoiceField(
        choices=UNCHANGED_YES_NO, coerce=_yes, empty_value=None, required=False
    )
    split_votes = forms.TypedChoiceField(
        choices=UNCHANGED_YES_NO, coerce=_yes, empty_value=None, required=False
    )
    co_option = forms.TypedChoiceField(
        choices=UNCHANGED_YES_NO, coerce=_yes, empty_value=None, required=False
    )
    election_method = forms.ChoiceField(
        choices=[("", "—"), *ElectionMethod.choices], required=False
    )
    text = forms.CharField(widget=forms.Textarea, required=False)


@admin.register(Statute)
class StatuteAdmin(ActionAdmin):
    add_form = StatuteForm
    list_display = ["organization", "version", "criterion", "delegate_ratio", "adopted_at"]
    list_filter = ["criterion"]
    list_select_related = ["organization"]

    def perform(self, request: HttpRequest, data: dict[str, Any]) -> Statute:
        changes = dict(STATUTE_PRESETS[data["preset"]]) if data["preset"] else {}
        changes |= {name: data[name] for name in STATUTE_RULES if data.get(name) not in (None, "")}
        return actions.amend_statute(
            actor=request.user, organization=data["organization"], changes=changes
        )


class LevelForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.all())
    name = forms.CharField(max_length=64, help_text="Added below the lowest level.")


@admin.register(UnitLevel)
class UnitLevelAdmin(ActionAdmin):
    add_form = LevelForm
    list_display = ["name", "organization", "depth"]
    list_select_related = ["organization"]

    def perform(self, request: HttpRequest, data: dict[str, Any]) -> UnitLevel:
        return actions.add_level(
            actor=request.user, organization=data["organization"], name=data["name"]
        )


class UnitForm(forms.Form):
    parent = forms.ModelChoiceField(
        Unit.objects.all(), widget=forms.TextInput, help_text="Id of the parent unit."
    )
    code = forms.SlugField(max_length=64, help_text="Short name used in member files.")
    name = forms.CharField(max_length=200)


@admin.register(Unit)
class UnitAdmin(ActionAdmin):
    add_form = UnitForm
    list_display = ["name", "code", "organization", "level", "member_count", "assistant_count"]
    list_select_related = ["organization", "level"]
    search_fields = ["=code", "name"]

    def perform(self, request: HttpRequest, data: dict[str, Any]) -> Unit:
        return actions.add_unit(
            actor=request.user, parent=data["parent"], code=data["code"], name=data["name"]
        )


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "email"]
    search_fields = ["=email", "name"]


class MembershipForm(forms.Form):
    unit = forms.ModelChoiceField(
        Unit.objects.all(), widget=forms.TextInput, help_text="Id of the unit."
    )
    number = forms.CharField(max_length=64)
    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in (Status.MEMBER, Status.ASSISTANT, Status.SUPPORTER)]
    )


@admin.register(Membership)
class MembershipAdmin(ActionAdmin):
    add_form = MembershipForm
    list_display = ["number", "person", "unit", "status", "since"]
    list_select_related = ["person", "unit"]
    list_filter = ["status"]
    search_fields = ["=number", "person__name", "=person__email"]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        # A membership number finds its rows through an index; only other terms fall back to
        # scanning a million names.
        term = search_term.strip()
        exact = queryset.filter(number=term)
        if term and exact.exists():
            return exact, False
        return super().get_search_results(request, queryset, search_term)

    def perform(self, request: HttpRequest, data: dict[str, Any]) -> Membership:
        return actions.admit_member(
            actor=request.user,
            unit=data["unit"],
            number=data["number"],
            name=data["name"],
            email=data["email"],
            status=data["status"],
        )
