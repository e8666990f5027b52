"""Pages of a member and of an organization's statute, the receipt check, and password reset."""

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import (
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
    redirect_to_login,
)
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sovet import texts
from sovet.errors import ActionError
from sovet.organizations import selectors
from sovet.organizations.access import membership_of
from sovet.organizations.models import STATUTE_RULES, Organization, Status, Statute
from sovet.organizations.selectors import current_statute
from sovet.organizations.statute_diff import TEXT, StatuteDiff
from sovet.web import member_selectors

NOT_A_MEMBER = "only members of {organization} have a member page here"
NO_LONGER_COUNTED = "your membership of {organization} is {status}: the member page is for members"


def _refused(request: HttpRequest, organization: Organization, reason: str) -> HttpResponse:
    context = {"organization": organization, "reason": reason}
    return render(request, "sovet/refused.html", context, status=403)


@require_GET
def member(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = membership_of(request.user, organization)
    if membership is None:
        return _refused(request, organization, NOT_A_MEMBER.format(organization=organization))
    if membership.status in (Status.LAPSED, Status.EXPELLED):
        reason = NO_LONGER_COUNTED.format(organization=organization, status=membership.status)
        return _refused(request, organization, reason)
    statute = current_statute(organization)
    context = {
        "organization": organization,
        "membership": membership,
        "statute": statute,
        **member_selectors.member_page(membership, statute),
    }
    return render(request, "sovet/member/member.html", context)


@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest, slug: str) -> HttpResponse:
    """Check a receipt code, posted so that it stays out of addresses and server logs."""
    organization = get_object_or_404(Organization, slug=slug)
    context: dict[str, Any] = {"organization": organization, "code": "", "check": None}
    status = 200
    if request.method == "POST":
        context["code"] = code = request.POST.get("code", "").strip()[:200]
        try:
            context["check"] = member_selectors.check_receipt(organization, code)
        except ActionError as refusal:
            context["error"], status = refusal.message, refusal.status
    return render(request, "sovet/member/receipt.html", context, status=status)


RULE_NAMES = {
    "criterion": "Membership criterion",
    "delegate_ratio": "Members per delegate",
    "min_delegates_per_unit": "Fewest delegates per unit",
    "apportionment_method": "Apportionment",
    "recall_share": "Share of a unit's members that ends a mandate by recall",
    "quorum_share": "Quorum: share of the votes entitled present",
    "majority_rule": "Majority",
    "statute_majority_rule": "Majority for a statute amendment",
    "motion_supporters": "Supporters a motion needs",
    "polls_without_quorum": "Polls may open without quorum",
    "split_votes": "Delegates may split their votes",
    "election_method": "Election of bodies",
    "co_option": "Elected bodies may co-opt",
}


def _rule_name(name: str) -> str:
    return RULE_NAMES.get(name, name.replace("_", " ").capitalize())


def _rule_value(name: str, value: Any) -> str:
    """Return a rule's value as the statute page words it."""
    if value is None:
        return "(not in this version)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        choices = dict(Statute._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:  # a rule that only another version of the statute names
        choices = {}
    return str(choices.get(value, value))


def _version(statute: Statute, changes: StatuteDiff | None) -> dict[str, Any]:
    rules = statute.rules()
    return {
        "statute": statute,
        "rules": [
            (_rule_name(name), _rule_value(name, rules[name]))
            for name in STATUTE_RULES
            if name != TEXT
        ],
        "first": changes is None,
        "changes": [
            (_rule_name(c.name), _rule_value(c.name, c.before), _rule_value(c.name, c.after))
            for c in (changes.rules if changes else ())
        ],
        "text_changed": changes is not None and changes.text_changed,
        "text_changes_html": texts.to_html(changes.text) if changes else "",
    }


@require_GET
def statute(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    versions = [_version(*pair) for pair in selectors.statute_history(organization)]
    return render(
        request, "sovet/member/statute.html", {"organization": organization, "versions": versions}
    )


class ResetForm(PasswordResetForm):
    """Django's reset form, which also reaches logins given without a password.

    Organizers may grant a login without a password (organizations.actions.grant_login); its
    owner sets the first one through this form, at the address the organization holds.
    """

    def get_users(self, email: str) -> Any:
        model = get_user_model()
        field = model.get_email_field_name()
        users = model._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
        # As Django does: the database's case-insensitive match may be looser than Unicode's.
        wanted = _folded(email)
        return (user for user in users if _folded(getattr(user, field)) == wanted)


def _folded(email: str) -> str:
    return unicodedata.normalize("NFKC", email).casefold()


password_reset = PasswordResetView.as_view(
    form_class=ResetForm,
    template_name="registration/reset_password_form.html",
    email_template_name="registration/reset_password_email.txt",
    subject_template_name="registration/reset_password_subject.txt",
    success_url=reverse_lazy("password-reset-sent"),
)
password_reset_sent = PasswordResetDoneView.as_view(
    template_name="registration/reset_password_sent.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view(
    template_name="registration/reset_password_confirm.html",
    success_url=reverse_lazy("password-reset-done"),
)
password_reset_done = PasswordResetCompleteView.as_view(
    template_name="registration/reset_password_done.html"
)
