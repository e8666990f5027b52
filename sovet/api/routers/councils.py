"""Councils and their composition; mandates, resignations and recalls."""

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from ninja import Router, Status

from sovet.api.lookups import actor, named, one, organization, person
from sovet.api.schemas import (
    CouncilDetail,
    CouncilOut,
    Id,
    MandateIn,
    MandateOut,
    ReasonIn,
    RecallOut,
    ResignationOut,
    Slug,
    answers,
)
from sovet.councils import actions
from sovet.councils.actions import recall_progress
from sovet.councils.models import Council, Mandate, Recall, Seats
from sovet.councils.selectors import council_composition
from sovet.organizations.models import Organization, Unit
from sovet.organizations.selectors import current_statute

router = Router(tags=["councils"])


def _people(people: Any) -> list[dict[str, Any]]:
    return [{"id": person.pk, "name": person.name} for person in people]


def mandate_out(mandate: Mandate) -> dict[str, Any]:
    return {
        "id": mandate.pk,
        "council": mandate.council_id,
        "unit": mandate.unit,
        "delegate": mandate.delegate,
        "votes": mandate.votes,
        "term_start": mandate.term_start,
        "term_end": mandate.term_end,
        "state": mandate.state,
        "substitutes": _people(s.person for s in mandate.substitutes.all()),
    }


def _recall(recall: Recall, supports: int, needed: int) -> dict[str, Any]:
    return {
        "id": recall.pk,
        "mandate": recall.mandate_id,
        "state": recall.state,
        "opened_at": recall.opened_at,
        "reason": recall.reason,
        "supports": supports,
        "needed": needed,
    }


def _council(council: Council, seats: int) -> dict[str, Any]:
    return {
        "id": council.pk,
        "name": council.name,
        "unit": council.unit,
        "constituency_level": council.constituency_level.name,
        "fixed_seats": council.fixed_seats,
        "seats": seats,
    }


def _council_at(org: Organization, council_id: int) -> Council:
    return one(
        Council.objects.filter(organization=org).select_related(
            "organization", "unit", "constituency_level"
        ),
        "council",
        council_id,
        pk=council_id,
    )


def _mandate_at(org: Organization, mandate_id: int) -> Mandate:
    return one(
        Mandate.objects.filter(council__organization=org).select_related(
            "council__organization", "unit", "delegate"
        ),
        "mandate",
        mandate_id,
        pk=mandate_id,
    )


def _recall_out(recall: Recall) -> dict[str, Any]:
    mandate = recall.mandate
    statute = current_statute(mandate.council.organization)
    supports, _, needed = recall_progress(recall, mandate.unit, statute)
    return _recall(recall, supports, needed)


@router.get("/o/{slug}/councils", auth=None, response=answers(list[CouncilOut], public=True))
def list_councils(request: HttpRequest, slug: Slug) -> Any:
    """The councils with the seats they have."""
    org = organization(slug)
    councils = Council.objects.filter(organization=org).select_related("unit", "constituency_level")
    seats = dict(
        Seats.objects.filter(council__organization=org)
        .values_list("council_id")
        .annotate(total=Sum("count"))
    )
    return [_council(council, seats.get(council.pk, 0)) for council in councils]


@router.get(
    "/o/{slug}/councils/{council_id}", auth=None, response=answers(CouncilDetail, public=True)
)
def get_council(request: HttpRequest, slug: Slug, council_id: Id) -> Any:
    """A council's composition: per constituency its seats, delegates and open recalls."""
    org = organization(slug)
    council = _council_at(org, council_id)
    constituencies = council_composition(council, current_statute(org))
    return {
        **_council(council, sum(c.seats for c in constituencies)),
        "constituencies": [
            {
                "unit": constituency.unit,
                "seats": constituency.seats,
                "members": constituency.members,
                "vacant": constituency.vacant,
                "mandates": [mandate_out(mandate) for mandate in constituency.mandates],
                "recalls": [
                    _recall(pending.recall, pending.supports, pending.needed)
                    for pending in constituency.recalls.values()
                ],
            }
            for constituency in constituencies
        ],
    }


@router.post("/o/{slug}/councils/{council_id}/mandates", response=answers(MandateOut, 201))
def issue_mandate(request: HttpRequest, slug: Slug, council_id: Id, payload: MandateIn) -> Any:
    """Record a delegate's mandate from a unit, with substitutes in order (organizers)."""
    org = organization(slug)
    mandate = actions.issue_mandate(
        actor=actor(request),
        council=_council_at(org, council_id),
        unit=named(Unit.objects.filter(organization=org), "unit", payload.unit, pk=payload.unit),
        delegate=person(org, payload.delegate),
        votes=payload.votes,
        term_start=payload.term_start,
        term_end=payload.term_end,
        substitutes=[person(org, substitute) for substitute in payload.substitutes],
    )
    return Status(201, mandate_out(mandate))


@router.post(
    "/o/{slug}/mandates/{mandate_id}/resignation",
    response=answers(ResignationOut),
)
def resign_mandate(request: HttpRequest, slug: Slug, mandate_id: Id, payload: ReasonIn) -> Any:
    """End a mandate at the delegate's wish; the first substitute takes the seat."""
    successor = actions.resign_mandate(
        actor=actor(request),
        mandate=_mandate_at(organization(slug), mandate_id),
        reason=payload.reason,
    )
    return {"successor": mandate_out(successor) if successor else None}


@router.post("/o/{slug}/mandates/{mandate_id}/recalls", response=answers(RecallOut, 201))
def open_recall(request: HttpRequest, slug: Slug, mandate_id: Id, payload: ReasonIn) -> Any:
    """Open a recall of a delegate (members of the unit that gave the mandate)."""
    recall = actions.open_recall(
        actor=actor(request),
        mandate=_mandate_at(organization(slug), mandate_id),
        reason=payload.reason,
    )
    return Status(201, _recall_out(recall))


@router.post("/o/{slug}/recalls/{recall_id}/supports", response=answers(RecallOut))
def support_recall(request: HttpRequest, slug: Slug, recall_id: Id) -> Any:
    """Support an open recall; at the statute's share the mandate ends."""
    recall = one(
        Recall.objects.filter(mandate__council__organization=organization(slug)),
        "recall",
        recall_id,
        pk=recall_id,
    )
    return _recall_out(actions.support_recall(actor=actor(request), recall=recall))
