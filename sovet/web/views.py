"""Pages: thin views that read through selectors and write through actions."""

import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sovet.congress import selectors as congress_selectors
from sovet.congress.models import Motion
from sovet.councils import actions as council_actions
from sovet.councils import composition
from sovet.councils import selectors as council_selectors
from sovet.councils.models import Council, Mandate, Recall
from sovet.errors import ActionError, NotAllowed
from sovet.organizations import selectors
from sovet.organizations.access import can_organize, membership_of, require_record_reader
from sovet.organizations.models import Organization
from sovet.organizations.selectors import current_statute
from sovet.record.models import RecordEntry, TreeHead


def home(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.order_by("name")
    return render(request, "sovet/home.html", {"organizations": organizations})


def organization(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    context = selectors.organization_overview(org)
    context["membership"] = membership_of(request.user, org)
    return render(request, "sovet/organization.html", context)


def _council_page(
    request: HttpRequest, org: Organization, council: Council, *, error: str = "", status: int = 200
) -> HttpResponse:
    statute = current_statute(org)
    membership = membership_of(request.user, org)
    counted = membership is not None and membership.status in statute.counted_statuses
    context = {
        "organization": org,
        "council": council,
        "statute": statute,
        "constituencies": council_selectors.council_composition(council, statute),
        "ended": council_selectors.ended_mandates(council),
        # The units whose delegates this member may recall: their own and those above it.
        "my_units": composition.ancestors(membership.unit_id) if counted else [],
        "error": error,
    }
    return render(request, "sovet/council.html", context, status=status)


def council(request: HttpRequest, slug: str, council_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    return _council_page(request, org, get_object_or_404(Council, pk=council_id, organization=org))


@require_POST
def open_recall(request: HttpRequest, slug: str, mandate_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    mandate = get_object_or_404(Mandate, pk=mandate_id, council__organization=org)
    try:
        council_actions.open_recall(
            actor=request.user, mandate=mandate, reason=request.POST.get("reason", "")
        )
    except ActionError as refusal:
        return _council_page(
            request, org, mandate.council, error=refusal.message, status=refusal.status
        )
    messages.success(request, f"You opened a recall of {mandate.delegate.name}.")
    return redirect("council", slug=slug, council_id=mandate.council_id)


@require_POST
def support_recall(request: HttpRequest, slug: str, recall_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    recall = get_object_or_404(
        Recall.objects.select_related("mandate__council", "mandate__delegate"),
        pk=recall_id,
        mandate__council__organization=org,
    )
    try:
        council_actions.support_recall(actor=request.user, recall=recall)
    except ActionError as refusal:
        return _council_page(
            request, org, recall.mandate.council, error=refusal.message, status=refusal.status
        )
    messages.success(request, f"You support the recall of {recall.mandate.delegate.name}.")
    return redirect("council", slug=slug, council_id=recall.mandate.council_id)


def record(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    if refusal := _record_reader_or_refusal(request, org):
        return refusal
    entries = RecordEntry.objects.filter(organization=org).order_by("-seq")
    if action := request.GET.get("action", "").strip()[:64]:
        entries = entries.filter(action__startswith=action)
    if text := request.GET.get("q", "").strip()[:200]:
        entries = entries.filter(
            Q(action__icontains=text) | Q(actor__icontains=text) | Q(payload__icontains=text)
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    head = TreeHead.objects.filter(organization=org).order_by("tree_size", "timestamp").last()
    head_time = (
        datetime.datetime.fromtimestamp(head.timestamp / 1000, datetime.UTC) if head else None
    )
    context = {
        "organization": org,
        "page": page,
        "action": action,
        "text": text,
        "head": head,
        "head_time": head_time,
    }
    return render(request, "sovet/record.html", context)


def _record_reader_or_refusal(request: HttpRequest, org: Organization) -> HttpResponse | None:
    """Return the page refusing the actor, or None if they may read the organization's record."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        require_record_reader(request.user, org)
    except NotAllowed as refusal:
        return render(
            request,
            "sovet/refused.html",
            {"organization": org, "reason": refusal.message},
            status=refusal.status,
        )
    return None


def congress(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    if refusal := _record_reader_or_refusal(request, org):
        return refusal
    context = {
        "organization": org,
        "sessions": congress_selectors.sessions_of(org),
        "motions": congress_selectors.motions_of(org),
        "can_chair": can_organize(request.user, org),
    }
    return render(request, "sovet/congress.html", context)


def motion(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    if refusal := _record_reader_or_refusal(request, org):
        return refusal
    found = get_object_or_404(
        Motion.objects.select_related("session"), organization=org, number=number
    )
    context = {"organization": org, **congress_selectors.motion_page(found)}
    return render(request, "sovet/motion.html", context)
