from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from sovet.admin_actions import ActionAdmin
from sovet.councils import actions
from sovet.councils.models import Council, Mandate
from sovet.organizations.models import Person, Unit, UnitLevel


class CouncilForm(forms.Form):
    unit = forms.ModelChoiceField(
        Unit.objects.all(), widget=forms.TextInput, help_text="Id of the unit the council is of."
    )
    name = forms.CharField(max_length=200)
    constituency_level = forms.ModelChoiceField(
        UnitLevel.objects.select_related("organization"),
        help_text="The level whose units elect the delegates.",
    )
    fixed_seats = forms.IntegerField(
        min_value=1,
        max_value=actions.MAX_SEATS,
        required=False,
        help_text="Empty: one per the statute's delegate ratio.",
    )


@admin.register(Council)
class CouncilAdmin(ActionAdmin):
    add_form = CouncilForm
    list_display = ["name", "organization", "unit", "constituency_level", "fixed_seats"]
    list_select_related = ["organization", "unit", "constituency_level"]

    def perform(self, request: HttpRequest, data: dict[str, Any]) -> Council:
        return actions.create_council(
            actor=request.user,
            unit=data["unit"],
            name=data["name"],
            constituency_level=data["constituency_level"],
            fixed_seats=data["fixed_seats"],
        )


class MandateForm(forms.Form):
    council = forms.ModelChoiceField(Council.objects.all())
    unit = forms.ModelChoiceField(
        Unit.objects.all(), widget=forms.TextInput, help_text="Id of the unit giving the mandate."
    )
    delegate = forms.ModelChoiceField(
        Person.objects.all(), widget=forms.TextInput, help_text="Id of the delegate (a person)."
    )
    votes = forms.IntegerField(min_value=1, max_value=actions.MAX_VOTES, initial=1)
    term_start = forms.DateField(required=False, help_text="YYYY-MM-DD; empty: today.")
    term_end = forms.DateField(required=False, help_text="YYYY-MM-DD; empty: open-ended.")


@admin.register(Mandate)
class MandateAdmin(ActionAdmin):
    add_form = MandateForm
    list_display = ["delegate", "unit", "council", "votes", "state", "term_start", "term_end"]
    list_select_related = ["delegate", "unit", "council"]
    list_filter = ["state"]
    search_fields = ["delegate__name"]

    def perform(self, request: HttpRequest, data: dict[str, Any]) -> Mandate:
        return actions.issue_mandate(actor=request.user, **data)
