"""Polls: open one, cast a ballot, close it, read its turnout, tally and result."""

import json
import re
from collections import Counter
from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from ninja import Query, Router, Status

from sovet.api.auth import SESSION, Along, TokenAuth, read_along
from sovet.api.lookups import (
    actor,
    found_in_body,
    found_in_path,
    found_organization,
    named,
    one,
    organization,
    readable_organization,
)
from sovet.api.schemas import (
    MAX_ID,
    SLUG_PATTERN,
    BallotIn,
    Id,
    PollIn,
    PollOut,
    PollSummary,
    ReceiptOut,
    Slug,
    answers,
)
from sovet.api.tokens import TokenLookup
from sovet.congress.models import Session
from sovet.councils.models import Council, Mandate
from sovet.organizations.models import Organization, Person
from sovet.polls import actions
from sovet.polls.models import Participation, Poll
from sovet.sql import JoinedRows

router = Router(tags=["polls"])


def _summary(poll: Poll) -> dict[str, Any]:
    return {
        "id": poll.pk,
        "council": poll.council_id,
        "session": poll.session_id,
        "kind": poll.kind,
        "purpose": poll.purpose,
        "question": poll.question,
        "secret": poll.secret,
        "state": poll.state,
        "opened_at": poll.opened_at,
        "closed_at": poll.closed_at,
        "motion": poll.motion.number if poll.motion_id else None,
        "election": poll.election_id,
    }


def _running_tally(poll: Poll) -> list[dict[str, Any]]:
    """Count an open poll's votes per option as closing would (ranked: first preferences)."""
    counted: Counter[str] = Counter()
    for content, weight in actions.votes_of(poll):
        options = content if isinstance(content, list) else [content]
        for option in options[:1] if poll.kind == Poll.Kind.RANKED else options:
            counted[option] += weight
    return [{"choice": option, "votes": counted[option]} for option in poll.options]


def poll_out(poll: Poll) -> dict[str, Any]:
    """Return a poll; how anyone voted shows only once it closed, and never in a secret poll."""
    poll = Poll.objects.select_related("motion").get(pk=poll.pk)
    participations = Participation.objects.filter(poll=poll)
    closed = poll.state == Poll.State.CLOSED
    if closed:
        tally = poll.tally
    elif poll.secret:
        tally = None
    else:
        tally = _running_tally(poll)
    roll_call = None
    if closed and not poll.secret:
        roll_call = [
            {
                "mandate": participation.mandate_id,
                "delegate": participation.mandate.delegate,
                "votes": participation.votes,
                "ballot": participation.ballot or [],
            }
            for participation in participations.select_related("mandate__delegate").order_by(
                "mandate__delegate__name", "mandate_id"
            )
        ]
    return {
        **_summary(poll),
        "options": poll.options,
        "majority_rule": poll.majority_rule,
        "majority_base": poll.majority_base,
        "turnout": {
            "ballots": participations.count(),
            "votes": participations.aggregate(total=Sum("votes"))["total"] or 0,
        },
        "tally": tally,
        "result": poll.result if closed else None,
        "roll_call": roll_call,
    }


def _poll_at(org: Organization, poll_id: int) -> Poll:
    polls = Poll.objects.select_related("council", "session")
    poll = one(polls, "poll", poll_id, organization=org, pk=poll_id)
    poll.organization = org
    return poll


@router.get("/o/{slug}/polls", response=answers(list[PollSummary]))
def list_polls(
    request: HttpRequest,
    slug: Slug,
    session: int | None = Query(None, ge=1, le=MAX_ID),
    state: Poll.State | None = None,
) -> Any:
    """The polls, newest first (members and organizers)."""
    org = readable_organization(request, slug)
    polls = Poll.objects.filter(organization=org).select_related("motion")
    if session is not None:
        polls = polls.filter(session_id=session)
    if state is not None:
        polls = polls.filter(state=state)
    return [_summary(poll) for poll in polls.order_by("-opened_at", "-pk")]


@router.get("/o/{slug}/polls/{poll_id}", response=answers(PollOut))
def get_poll(request: HttpRequest, slug: Slug, poll_id: Id) -> Any:
    """A poll with its turnout; its tally while open unless secret; its result once closed."""
    return poll_out(_poll_at(readable_organization(request, slug), poll_id))


@router.post("/o/{slug}/councils/{council_id}/polls", response=answers(PollOut, 201))
def open_poll(request: HttpRequest, slug: Slug, council_id: Id, payload: PollIn) -> Any:
    """Put a question to the council's delegates; in a session, to those present (organizers)."""
    org = organization(slug)
    council = one(
        Council.objects.filter(organization=org).select_related("organization"),
        "council",
        council_id,
        pk=council_id,
    )
    session = None
    if payload.session is not None:
        session = named(
            Session.objects.filter(organization=org), "session", payload.session, pk=payload.session
        )
    poll = actions.open_poll(
        actor=actor(request),
        council=council,
        question=payload.question,
        options=payload.options or actions.DEFAULT_OPTIONS,
        secret=payload.secret,
        kind=payload.kind,
        session=session,
        majority_rule=payload.majority_rule,
        majority_base=payload.majority_base,
    )
    return Status(201, poll_out(poll))


def _named_by_ballot(request: HttpRequest) -> Along | None:
    """What the ballot names (organization, poll, mandate), to read with its token; None if
    its path or body is not what the operation takes: the token is then read alone, and the
    body refused as usual."""
    kwargs = request.resolver_match.kwargs if request.resolver_match is not None else {}
    try:
        poll_id, mandate_id = int(kwargs["poll_id"]), json.loads(request.body)["mandate"]
    except (KeyError, TypeError, ValueError, RecursionError):
        return None
    if type(mandate_id) is not int or not (0 < poll_id <= MAX_ID and 0 < mandate_id <= MAX_ID):
        return None
    if not _SLUG.match(kwargs["slug"]):
        return None
    return _TOKEN_AND_BALLOT_AT, [kwargs["slug"], poll_id, mandate_id]


_SLUG = re.compile(SLUG_PATTERN)


@router.post(
    "/o/{slug}/polls/{poll_id}/ballots",
    response=answers(ReceiptOut),
    auth=[TokenAuth(along=_named_by_ballot), *SESSION],
)
def cast_ballot(request: HttpRequest, slug: Slug, poll_id: Id, payload: BallotIn) -> Any:
    """Cast all of a mandate's votes (its delegate); a secret poll answers with a receipt code.

    Casting again changes nothing and answers with the same receipt.
    """
    poll, mandate = _ballot_at(request, slug, poll_id, payload.mandate)
    receipt = actions.cast_ballot(
        actor=actor(request), poll=poll, mandate=mandate, choice=payload.choice, split=payload.split
    )
    return {"receipt": receipt}


# What a ballot names, in one statement (with its token's, when it came with one): a whole
# congress casts at once.
_BALLOT_TABLES = {"o": Organization, "p": Poll, "m": Mandate, "d": Person}
_BALLOT_JOINS = (
    " LEFT JOIN {p} p ON p.id = %s AND p.organization_id = o.id"
    " LEFT JOIN {m} m ON m.id = %s"
    " AND m.council_id IN (SELECT c.id FROM {c} c WHERE c.organization_id = o.id)"
    " LEFT JOIN {d} d ON d.id = m.delegate_id"
)
_BALLOT_AT = JoinedRows(
    _BALLOT_TABLES,
    "FROM {o} o" + _BALLOT_JOINS + " WHERE o.slug = %s",
    unselected={"c": Council},
)
_TOKEN_AND_BALLOT_AT = TokenLookup(
    _BALLOT_TABLES, " LEFT JOIN {o} o ON o.slug = %s" + _BALLOT_JOINS, unselected={"c": Council}
)


def _ballot_at(
    request: HttpRequest, slug: str, poll_id: int, mandate_id: int
) -> tuple[Poll, Mandate]:
    """Return the poll the path names and the mandate the body names, with its delegate,
    refused as `organization`, `_poll_at` and `named` refuse what they do not find."""
    found = read_along(request, [slug, poll_id, mandate_id])
    if found is None:
        found = _BALLOT_AT.fetch([poll_id, mandate_id, slug])
    org, poll, mandate, delegate = found if found is not None else (None,) * 4
    org = found_organization(org, slug)
    poll = found_in_path(poll, "poll", poll_id)
    mandate = found_in_body(mandate, "mandate", mandate_id)
    poll.organization = org
    mandate.delegate = delegate
    return poll, mandate


@router.post("/o/{slug}/polls/{poll_id}/close", response=answers(PollOut))
def close_poll(request: HttpRequest, slug: Slug, poll_id: Id) -> Any:
    """Close the poll: count, publish secret ballots in the record, carry out the outcome."""
    poll = actions.close_poll(actor=actor(request), poll=_poll_at(organization(slug), poll_id))
    return poll_out(poll)
