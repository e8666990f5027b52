"""Elections of bodies and their seats: call, nominate, accept, vote, count, seat; co-opt,
resign, replace (as the statute allows)."""

from typing import Any

from django.db import transaction

from sovet.congress.access import require_chair
from sovet.congress.models import Body, BodySeat, Candidate, Election, Session
from sovet.counting import methods
from sovet.counting.profile import Profile, group
from sovet.errors import Invalid, NotAllowed
from sovet.live.events import publish
from sovet.organizations.access import SIGN_IN, is_system, require_organizer
from sovet.organizations.models import Person
from sovet.organizations.selectors import current_statute
from sovet.polls.models import Poll
from sovet.record.log import append, lock


def _person(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "name": person.name}


def _tell(election: Election) -> None:
    """Let the session's pages show the election's candidates and their answers as they change."""
    publish(election.session_id, {"type": "election", "election": election.pk})


@transaction.atomic
def call_election(*, actor: Any, session: Session, body_name: str, seats: int) -> Election:
    """Call the election of a body (created on its first election) with its number of seats."""
    require_chair(actor, session)
    organization = session.organization
    lock(organization.pk)
    name = " ".join(body_name.split())
    if not name or len(name) > 200:
        raise Invalid("the body needs a name of 1 to 200 characters")
    if not 1 <= seats <= 1000:
        raise Invalid("a body has from 1 to 1,000 seats")
    body, _ = Body.objects.get_or_create(
        organization=organization, name=name, defaults={"seats": seats}
    )
    if body.seats != seats:
        body.seats = seats
        body.save(update_fields=["seats"])
    method = current_statute(organization).election_method
    election = Election.objects.create(session=session, body=body, seats=seats, method=method)
    append(
        organization,
        actor=actor,
        action="election.called",
        payload={"election": election.pk, "body": name, "seats": seats, "method": method},
    )
    _tell(election)
    return election


@transaction.atomic
def nominate(*, actor: Any, election: Election, person: Person) -> Candidate:
    """Nominate a member as candidate; the nominee accepts or declines."""
    require_chair(actor, election.session)
    lock(election.session.organization_id)
    if election.state != Election.State.NOMINATING:
        raise Invalid("nominations are closed")
    if not person.memberships.filter(organization=election.session.organization).exists():
        raise Invalid(f"{person.name} is not a member of {election.session.organization.name}")
    candidate, created = Candidate.objects.get_or_create(election=election, person=person)
    if not created:
        raise Invalid(f"{person.name} is nominated already")
    append(
        election.session.organization,
        actor=actor,
        action="election.nominated",
        payload={"election": election.pk, "candidate": _person(person)},
    )
    _tell(election)
    return candidate


@transaction.atomic
def answer_nomination(*, actor: Any, candidate: Candidate, accept: bool) -> Candidate:
    """The nominee accepts or declines (the installation may record an answer given in person)."""
    if not is_system(actor):
        if not actor.is_authenticated:
            raise NotAllowed(SIGN_IN)
        login = getattr(actor, "login", None)
        if login is None or login.person_id != candidate.person_id:
            raise NotAllowed("only the nominee answers a nomination")
    election = candidate.election
    lock(election.session.organization_id)
    if election.state != Election.State.NOMINATING:
        raise Invalid("nominations are closed")
    candidate.accepted = accept
    candidate.save(update_fields=["accepted"])
    append(
        election.session.organization,
        actor=actor,
        action="election.accepted" if accept else "election.declined",
        payload={"election": election.pk, "candidate": _person(candidate.person)},
    )
    _tell(election)
    return candidate


@transaction.atomic
def open_ballot(*, actor: Any, election: Election, secret: bool = True) -> Poll:
    """Close nominations and open the ranked ballot of the accepted candidates."""
    from sovet.polls.actions import open_poll

    require_chair(actor, election.session)
    lock(election.session.organization_id)
    election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
    if election.state != Election.State.NOMINATING:
        raise Invalid("the ballot is open already")
    names = [
        c.person.name for c in election.candidates.filter(accepted=True).select_related("person")
    ]
    if len(names) < 1:
        raise Invalid("no nominee has accepted")
    if len(set(names)) != len(names):
        raise Invalid("two candidates share a name; the ballot must tell them apart")
    options = names if len(names) > 1 else [*names, "against all"]
    poll = open_poll(
        actor=actor,
        council=election.session.council,
        session=election.session,
        question=f"Election of {election.body.name} ({election.seats} seats)",
        options=options,
        secret=secret,
        kind=Poll.Kind.RANKED,
        purpose=Poll.Purpose.ELECTION,
        subject={"election": election},
    )
    election.state = Election.State.VOTING
    election.save(update_fields=["state"])
    return poll


def count_election(poll: Poll, *, actor: Any) -> None:
    """Count a closed election poll with the statute's method and seat the elected."""
    from sovet.polls.actions import votes_of

    election = poll.election
    names = tuple(poll.options)
    index = {name: position for position, name in enumerate(names)}
    rankings = group(
        (tuple(index[name] for name in content), weight) for content, weight in votes_of(poll)
    )
    seats = min(election.seats, len(names))
    result = methods.count(
        Profile(candidates=names, seats=seats, ballots=rankings, title=str(poll.question)),
        election.method,
        seed=poll.pk,
    )
    elected = result.elected_names
    election.result = result.to_json()
    election.state = Election.State.COUNTED
    election.save(update_fields=["result", "state"])
    body = election.body
    BodySeat.objects.filter(body=body, active=True).update(active=False, left_reason="new election")
    people = {c.person.name: c.person for c in election.candidates.select_related("person")}
    BodySeat.objects.bulk_create(
        BodySeat(body=body, person=people[name], how=BodySeat.How.ELECTED)
        for name in elected
        if name in people
    )
    append(
        poll.organization,
        actor=actor,
        action="election.counted",
        payload={
            "election": election.pk,
            "body": body.name,
            "method": election.method,
            "elected": elected,
            "rounds": len(result.rounds),
            "ballots": sum(rankings.values()),
        },
    )


def _free_seats(body: Body) -> int:
    return body.seats - BodySeat.objects.filter(body=body, active=True).count()


@transaction.atomic
def co_opt(*, actor: Any, body: Body, person: Person, reason: str = "") -> BodySeat:
    """A body co-opts a member to a free seat, where the statute allows co-option."""
    organization = body.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    if not current_statute(organization).co_option:
        raise Invalid("the statute does not allow co-option")
    return _seat(actor, body, person, BodySeat.How.COOPTED, reason)


@transaction.atomic
def replace_member(*, actor: Any, body: Body, person: Person, reason: str = "") -> BodySeat:
    """Fill a seat left free by a resignation with a replacement."""
    require_organizer(actor, body.organization)
    lock(body.organization_id)
    return _seat(actor, body, person, BodySeat.How.REPLACEMENT, reason)


def _seat(actor: Any, body: Body, person: Person, how: str, reason: str) -> BodySeat:
    if _free_seats(body) < 1:
        raise Invalid(f"{body.name} has no free seat ({body.seats} seats, all taken)")
    if BodySeat.objects.filter(body=body, person=person, active=True).exists():
        raise Invalid(f"{person.name} sits on {body.name} already")
    seat = BodySeat.objects.create(body=body, person=person, how=how)
    append(
        body.organization,
        actor=actor,
        action=f"body.{how.replace('-', '_')}",
        payload={"body": body.name, "person": _person(person), "reason": reason[:500]},
    )
    return seat


@transaction.atomic
def resign_seat(*, actor: Any, seat: BodySeat, reason: str = "") -> BodySeat:
    """A member resigns from a body (or an organizer records the resignation)."""
    body = seat.body
    login = None if is_system(actor) else getattr(actor, "login", None)
    if login is None or login.person_id != seat.person_id:
        require_organizer(actor, body.organization)
    lock(body.organization_id)
    seat = BodySeat.objects.select_for_update(no_key=True).get(pk=seat.pk)
    if not seat.active:
        raise Invalid(f"{seat.person.name} no longer sits on {body.name}")
    seat.active = False
    seat.left_reason = reason[:500] or "resigned"
    seat.save(update_fields=["active", "left_reason"])
    append(
        body.organization,
        actor=actor,
        action="body.resigned",
        payload={"body": body.name, "person": _person(seat.person), "reason": seat.left_reason},
    )
    return seat
