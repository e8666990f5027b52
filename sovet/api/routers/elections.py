"""Factions, elected bodies and their elections."""

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Router, Status

from sovet.api.lookups import actor, one, organization, person, readable_organization
from sovet.api.routers.congress import session_at
from sovet.api.routers.polls import poll_out
from sovet.api.schemas import (
    AnswerIn,
    BallotPaperIn,
    BodyOut,
    BodySeatOut,
    CandidateOut,
    Done,
    ElectionIn,
    ElectionOut,
    FactionIn,
    FactionOut,
    Id,
    NominationIn,
    PollOut,
    ReasonIn,
    SeatIn,
    Slug,
    answers,
)
from sovet.congress import bodies, factions
from sovet.congress.models import Body, BodySeat, Candidate, Election, Faction
from sovet.organizations.models import Organization
from sovet.polls.models import Poll

router = Router(tags=["elections"])


def _faction(faction: Faction, members: int) -> dict[str, Any]:
    return {
        "id": faction.pk,
        "name": faction.name,
        "platform": faction.platform,
        "declared_at": faction.declared_at,
        "members": members,
    }


def _seat(seat: BodySeat) -> dict[str, Any]:
    return {"id": seat.pk, "person": seat.person, "how": seat.how}


def _body(body: Body) -> dict[str, Any]:
    seats = BodySeat.objects.filter(body=body, active=True).select_related("person")
    return {
        "id": body.pk,
        "name": body.name,
        "seats": body.seats,
        "members": [_seat(seat) for seat in seats.order_by("person__name", "pk")],
    }


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {"id": candidate.pk, "person": candidate.person, "accepted": candidate.accepted}


def _election(election: Election) -> dict[str, Any]:
    poll = Poll.objects.filter(election=election).order_by("-opened_at").values_list("pk").first()
    return {
        "id": election.pk,
        "session": election.session_id,
        "body": election.body,
        "seats": election.seats,
        "method": election.method,
        "state": election.state,
        "candidates": [
            _candidate(candidate) for candidate in election.candidates.select_related("person")
        ],
        "poll": poll[0] if poll else None,
        "result": election.result,
    }


def _faction_at(org: Organization, faction_id: int) -> Faction:
    return one(
        Faction.objects.filter(organization=org).select_related("organization"),
        "faction",
        faction_id,
        pk=faction_id,
    )


def _body_at(org: Organization, body_id: int) -> Body:
    return one(
        Body.objects.filter(organization=org).select_related("organization"),
        "body",
        body_id,
        pk=body_id,
    )


def _election_at(org: Organization, election_id: int) -> Election:
    return one(
        Election.objects.filter(session__organization=org).select_related(
            "session__organization", "session__council", "body"
        ),
        "election",
        election_id,
        pk=election_id,
    )


@router.get("/o/{slug}/factions", response=answers(list[FactionOut]))
def list_factions(request: HttpRequest, slug: Slug) -> Any:
    """The factions with their platforms and how many members they have now."""
    org = readable_organization(request, slug)
    found = Faction.objects.filter(organization=org).annotate(
        members=Count("memberships", filter=Q(memberships__active=True))
    )
    return [_faction(faction, faction.members) for faction in found]


@router.post("/o/{slug}/factions", response=answers(FactionOut, 201))
def declare_faction(request: HttpRequest, slug: Slug, payload: FactionIn) -> Any:
    """Declare a faction with its platform; the member declaring it is its first member."""
    faction = factions.declare_faction(
        actor=actor(request),
        organization=organization(slug),
        name=payload.name,
        platform=payload.platform,
    )
    return Status(201, _faction(faction, 1))


@router.post("/o/{slug}/factions/{faction_id}/join", response=answers(Done))
def join_faction(request: HttpRequest, slug: Slug, faction_id: Id) -> Any:
    """Join a faction, leaving any other: a member is in one faction at a time."""
    faction = _faction_at(organization(slug), faction_id)
    factions.join_faction(actor=actor(request), faction=faction)
    return {"done": True}


@router.post("/o/{slug}/factions/{faction_id}/leave", response=answers(Done))
def leave_faction(request: HttpRequest, slug: Slug, faction_id: Id) -> Any:
    """Leave a faction."""
    faction = _faction_at(organization(slug), faction_id)
    factions.leave_faction(actor=actor(request), faction=faction)
    return {"done": True}


@router.get("/o/{slug}/bodies", response=answers(list[BodyOut]))
def list_bodies(request: HttpRequest, slug: Slug) -> Any:
    """The elected bodies and who sits on them now."""
    org = readable_organization(request, slug)
    return [_body(body) for body in Body.objects.filter(organization=org).order_by("name")]


@router.post("/o/{slug}/bodies/{body_id}/co-options", response=answers(BodySeatOut, 201))
def co_opt(request: HttpRequest, slug: Slug, body_id: Id, payload: SeatIn) -> Any:
    """Co-opt a member to a free seat, where the statute allows it (organizers)."""
    org = organization(slug)
    seat = bodies.co_opt(
        actor=actor(request),
        body=_body_at(org, body_id),
        person=person(org, payload.person),
        reason=payload.reason,
    )
    return Status(201, _seat(seat))


@router.post("/o/{slug}/bodies/{body_id}/replacements", response=answers(BodySeatOut, 201))
def replace_member(request: HttpRequest, slug: Slug, body_id: Id, payload: SeatIn) -> Any:
    """Fill a seat left free by a resignation (organizers)."""
    org = organization(slug)
    seat = bodies.replace_member(
        actor=actor(request),
        body=_body_at(org, body_id),
        person=person(org, payload.person),
        reason=payload.reason,
    )
    return Status(201, _seat(seat))


@router.post(
    "/o/{slug}/bodies/{body_id}/seats/{seat_id}/resignation",
    response=answers(Done),
)
def resign_seat(
    request: HttpRequest, slug: Slug, body_id: Id, seat_id: Id, payload: ReasonIn
) -> Any:
    """Resign from a body (its member), or record a resignation (organizers)."""
    body = _body_at(organization(slug), body_id)
    seat = one(
        BodySeat.objects.filter(body=body).select_related("body__organization", "person"),
        "seat",
        seat_id,
        pk=seat_id,
    )
    bodies.resign_seat(actor=actor(request), seat=seat, reason=payload.reason)
    return {"done": True}


@router.get("/o/{slug}/elections", response=answers(list[ElectionOut]))
def list_elections(request: HttpRequest, slug: Slug) -> Any:
    """The elections called, with candidates and, once counted, results round by round."""
    org = readable_organization(request, slug)
    found = Election.objects.filter(session__organization=org).select_related("body")
    return [_election(election) for election in found.order_by("pk")]


@router.get("/o/{slug}/elections/{election_id}", response=answers(ElectionOut))
def get_election(request: HttpRequest, slug: Slug, election_id: Id) -> Any:
    """An election with its candidates, its ballot and, once counted, every round."""
    return _election(_election_at(readable_organization(request, slug), election_id))


@router.post(
    "/o/{slug}/sessions/{session_id}/elections",
    response=answers(ElectionOut, 201),
)
def call_election(request: HttpRequest, slug: Slug, session_id: Id, payload: ElectionIn) -> Any:
    """Call the election of a body with its number of seats (the chair)."""
    election = bodies.call_election(
        actor=actor(request),
        session=session_at(organization(slug), session_id),
        body_name=payload.body_name,
        seats=payload.seats,
    )
    return Status(201, _election(election))


@router.post(
    "/o/{slug}/elections/{election_id}/nominations",
    response=answers(CandidateOut, 201),
)
def nominate(request: HttpRequest, slug: Slug, election_id: Id, payload: NominationIn) -> Any:
    """Nominate a member; the nominee accepts or declines (the chair)."""
    org = organization(slug)
    candidate = bodies.nominate(
        actor=actor(request),
        election=_election_at(org, election_id),
        person=person(org, payload.person),
    )
    return Status(201, _candidate(candidate))


@router.post(
    "/o/{slug}/elections/{election_id}/candidates/{candidate_id}/answer",
    response=answers(CandidateOut),
)
def answer_nomination(
    request: HttpRequest, slug: Slug, election_id: Id, candidate_id: Id, payload: AnswerIn
) -> Any:
    """Accept or decline a nomination (the nominee)."""
    election = _election_at(organization(slug), election_id)
    candidate = one(
        election.candidates.select_related("person"),
        "candidate",
        candidate_id,
        pk=candidate_id,
    )
    candidate.election = election
    return _candidate(
        bodies.answer_nomination(actor=actor(request), candidate=candidate, accept=payload.accept)
    )


@router.post("/o/{slug}/elections/{election_id}/ballot", response=answers(PollOut, 201))
def open_ballot(request: HttpRequest, slug: Slug, election_id: Id, payload: BallotPaperIn) -> Any:
    """Close nominations and open the ranked ballot of those who accepted (the chair)."""
    election = _election_at(organization(slug), election_id)
    poll = bodies.open_ballot(actor=actor(request), election=election, secret=payload.secret)
    return Status(201, poll_out(poll))
