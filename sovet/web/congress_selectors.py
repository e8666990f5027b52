"""Reads for the session pages (live view, chair, ballot, a delegate's desk), each in a bounded
number of queries however many delegates sit."""

from collections import Counter
from typing import Any

from django.db.models import Sum

from sovet import texts
from sovet.congress import speakers
from sovet.congress.models import (
    AgendaItem,
    Amendment,
    Candidate,
    Credential,
    Election,
    FactionMembership,
    Motion,
    Session,
    SpeakerRequest,
)
from sovet.congress.sessions import quorum
from sovet.councils.models import Mandate
from sovet.organizations.models import Membership, Organization, Person
from sovet.polls.models import Participation, Poll
from sovet.polls.receipts import receipt_code
from sovet.web import charts, hemicycle

UNDECIDED = (Motion.State.SUBMITTED, Motion.State.ADMITTED, Motion.State.VOTING)
NO_FACTION = "No faction"


def person_of(user: Any) -> Person | None:
    """Return the person a signed-in user is, if they have a login as one."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(login__user=user).first()


def speakers_queue(requests: list[SpeakerRequest], *, alternate: bool) -> list[SpeakerRequest]:
    """Return the waiting requests in the order the chair will call them, as things stand.

    Calls the same rule as `call_next_speaker` one speaker at a time; each speech given counts
    as the last one for alternation, as it will when its speaker is done.
    """
    by_key = {r.pk: r for r in requests if r.state == SpeakerRequest.State.WAITING}
    waiting = [
        speakers.Waiting(r.pk, r.kind, r.stance, r.speech, r.requested) for r in by_key.values()
    ]
    spoken = [
        (r.requested, r.stance)
        for r in requests
        if r.kind == SpeakerRequest.Kind.SPEECH
        and r.state in (SpeakerRequest.State.DONE, SpeakerRequest.State.SPEAKING)
    ]
    order = []
    while waiting:
        last_stance = max(spoken)[1] if spoken else ""
        key = speakers.next_speaker(waiting, alternate=alternate, last_stance=last_stance)
        chosen = by_key[key]
        order.append(chosen)
        waiting = [w for w in waiting if w.key != key]
        if chosen.kind == SpeakerRequest.Kind.SPEECH:
            spoken.append((chosen.requested, chosen.stance))
    return order


def _marked(before: str, after: str) -> str:
    return texts.to_html(texts.changes(before, after))


def floor(session: Session) -> dict[str, Any]:
    """Return the agenda, the current item's speakers and the motions before the session."""
    agenda = list(AgendaItem.objects.filter(session=session))
    current = next((item for item in agenda if item.current), None)
    requests = (
        list(SpeakerRequest.objects.filter(item=current).select_related("mandate__delegate"))
        if current
        else []
    )
    motions = list(
        Motion.objects.filter(session=session, state__in=UNDECIDED)
        .select_related("submitted_by")
        .order_by("number")
    )
    amendments: dict[int, list[dict[str, Any]]] = {}
    for amendment in Amendment.objects.filter(
        motion__in=motions, state=Amendment.State.SUBMITTED
    ).select_related("submitted_by", "amends"):
        amendments.setdefault(amendment.motion_id, []).append(
            {"amendment": amendment, "changes_html": _marked(amendment.old, amendment.new)}
        )
    return {
        "agenda": agenda,
        "current": current,
        "speaking": next((r for r in requests if r.state == SpeakerRequest.State.SPEAKING), None),
        "queue": speakers_queue(requests, alternate=session.alternate_speakers),
        "spoken": sum(r.state == SpeakerRequest.State.DONE for r in requests),
        "motions": [
            {
                "motion": motion,
                "changed": motion.text != motion.original_text,
                "changes_html": _marked(motion.original_text, motion.text),
                "amendments": amendments.get(motion.pk, []),
            }
            for motion in motions
        ],
    }


def _cast(polls: list[Poll]) -> dict[int, int]:
    return dict(
        Participation.objects.filter(poll__in=polls)
        .values_list("poll")
        .annotate(total=Sum("votes"))
        .values_list("poll", "total")
    )


def _running_counts(polls: list[Poll]) -> dict[int, list[dict[str, Any]]]:
    """Return the votes so far per choice of open polls that are not secret (first
    preferences for a ranked one)."""
    counts: dict[int, Counter[str]] = {poll.pk: Counter() for poll in polls}
    for poll_id, ballot in Participation.objects.filter(poll__in=polls).values_list(
        "poll", "ballot"
    ):
        for part in ballot or []:
            content = part["choice"]
            for option in [content] if isinstance(content, str) else content[:1]:
                counts[poll_id][option] += part["votes"]
    return {
        poll.pk: [{"choice": option, "votes": counts[poll.pk][option]} for option in poll.options]
        for poll in polls
    }


def open_polls(session: Session, *, mandate: Mandate | None = None) -> dict[str, Any]:
    """Return the quorum and the session's open polls with their turnout (and the counts so far,
    unless secret); with a mandate, whether it has voted in each."""
    found = list(
        Poll.objects.filter(session=session, state=Poll.State.OPEN)
        .select_related("motion")
        .order_by("-opened_at")
    )
    cast = _cast(found)
    running = _running_counts([poll for poll in found if not poll.secret])
    voted = (
        set(
            Participation.objects.filter(mandate=mandate, poll__in=found).values_list(
                "poll", flat=True
            )
        )
        if mandate is not None
        else set()
    )
    return {
        "quorum": quorum(session),
        "open_polls": [
            {
                "poll": poll,
                "cast": cast.get(poll.pk, 0),
                "bars": (
                    charts.bars(running[poll.pk], cast.get(poll.pk, 0))
                    if poll.pk in running
                    else None
                ),
                "voted": poll.pk in voted,
            }
            for poll in found
        ],
    }


def closed_polls(session: Session) -> list[dict[str, Any]]:
    """Return the session's closed polls with their results, latest first."""
    found = list(
        Poll.objects.filter(session=session, state=Poll.State.CLOSED)
        .select_related("motion")
        .order_by("-opened_at")
    )
    cast = _cast(found)
    return [
        {
            "poll": poll,
            "cast": cast.get(poll.pk, 0),
            "bars": charts.bars(poll.tally or [], cast.get(poll.pk, 0)),
        }
        for poll in found
    ]


def elections(session: Session) -> list[dict[str, Any]]:
    """Return the session's elections with their candidates and, once counted, the count."""
    found = list(Election.objects.filter(session=session).select_related("body").order_by("pk"))
    candidates: dict[int, list[Candidate]] = {}
    for candidate in Candidate.objects.filter(election__in=found).select_related("person"):
        candidates.setdefault(candidate.election_id, []).append(candidate)
    shown = []
    for election in found:
        entry: dict[str, Any] = {
            "election": election,
            "candidates": candidates.get(election.pk, []),
        }
        if election.result:
            label = f"Votes moved in each round of the election of {election.body.name}"
            entry |= {
                "count": charts.rounds_table(election.result),
                "transfers_svg": charts.transfers_svg(election.result, label=label),
            }
        shown.append(entry)
    return shown


def seating(session: Session) -> dict[str, Any]:
    """Return the council's delegates by faction, who is present, and the hemicycle drawing."""
    mandates = list(
        Mandate.objects.filter(council=session.council, state=Mandate.State.ACTIVE)
        .select_related("delegate")
        .order_by("delegate__name", "pk")
    )
    present = set(
        Credential.objects.filter(session=session, accredited=True, present=True).values_list(
            "mandate_id", flat=True
        )
    )
    faction_of = dict(
        FactionMembership.objects.filter(
            organization=session.organization_id,
            active=True,
            person__in=Mandate.objects.filter(
                council=session.council, state=Mandate.State.ACTIVE
            ).values("delegate"),
        ).values_list("person_id", "faction__name")
    )
    names = sorted(set(faction_of.values()))
    by_faction: dict[str, list[hemicycle.Delegate]] = {name: [] for name in [*names, ""]}
    for mandate in mandates:
        by_faction[faction_of.get(mandate.delegate_id, "")].append(
            hemicycle.Delegate(mandate.delegate.name, mandate.pk in present)
        )
    groups = [
        hemicycle.Group(name or NO_FACTION, hemicycle.colour(index if name else None), members)
        for index, (name, members) in enumerate(by_faction.items())
        if members
    ]
    seated = sum(len(group.delegates) for group in groups)
    here = len(present & {mandate.pk for mandate in mandates})
    label = (
        f"Hemicycle of {session.council.name}: {seated} delegates, {here} present, "
        "each faction's seats together; present delegates filled, absent ones in outline"
    )
    return {
        "groups": [
            {
                "name": group.name,
                "colour": group.colour,
                "seats": len(group.delegates),
                "present": sum(d.present for d in group.delegates),
            }
            for group in groups
        ],
        "seated": seated,
        "present": here,
        "svg": hemicycle.svg(groups, label=label),
    }


def presence(session: Session) -> list[Credential]:
    """Return the session's accredited credentials with their delegates, by name."""
    return list(
        Credential.objects.filter(session=session, accredited=True)
        .select_related("mandate__delegate", "mandate__unit")
        .order_by("mandate__delegate__name", "pk")
    )


def nominees(session: Session) -> list[tuple[str, str]]:
    """Return (membership number, name) of the session's accredited delegates, to nominate."""
    delegates = Credential.objects.filter(session=session, accredited=True).values(
        "mandate__delegate"
    )
    return list(
        Membership.objects.filter(organization=session.organization_id, person__in=delegates)
        .order_by("person__name")
        .values_list("number", "person__name")
    )


def seat_of(session: Session, person: Person | None) -> dict[str, Any]:
    """Return a person's active mandate on the session's council, its credential, and their
    requests to speak on the current item."""
    mandate = (
        Mandate.objects.filter(
            council=session.council, delegate=person, state=Mandate.State.ACTIVE
        ).first()
        if person is not None
        else None
    )
    credential = (
        Credential.objects.filter(session=session, mandate=mandate).first() if mandate else None
    )
    requests = (
        list(
            SpeakerRequest.objects.filter(
                item__session=session, item__current=True, mandate=mandate
            ).exclude(state__in=[SpeakerRequest.State.DONE, SpeakerRequest.State.WITHDRAWN])
        )
        if mandate
        else []
    )
    return {"mandate": mandate, "credential": credential, "requests": requests}


def receipts(mandates: list[Mandate], *, session: Session | None = None) -> list[dict[str, Any]]:
    """Return the receipt code of each secret poll the mandates voted in (in one session, if
    given), latest first.

    The code is computed again, never stored: only its holder's pages show it.
    """
    taken = Participation.objects.filter(mandate__in=mandates, poll__secret=True)
    if session is not None:
        taken = taken.filter(poll__session=session)
    return [
        {"poll": p.poll, "code": receipt_code(p.poll_id, p.mandate_id)}
        for p in taken.select_related("poll__session").order_by("-poll__opened_at")
    ]


def desk(organization: Organization, person: Person | None) -> dict[str, Any]:
    """Return a person's mandates in the organization, the sessions of their councils, the
    nominations awaiting their answer and the receipts of their secret ballots."""
    if person is None:
        return {"mandates": [], "sessions": [], "nominations": [], "receipts": []}
    mandates = list(
        Mandate.objects.filter(council__organization=organization, delegate=person)
        .select_related("council", "unit")
        .order_by("-term_start", "pk")
    )
    active = [m.council_id for m in mandates if m.state == Mandate.State.ACTIVE]
    return {
        "mandates": mandates,
        "sessions": list(
            Session.objects.filter(council__in=active)
            .select_related("council")
            .order_by("-opens_on", "-number")
        ),
        "nominations": list(
            Candidate.objects.filter(
                election__session__organization=organization,
                election__state=Election.State.NOMINATING,
                person=person,
            ).select_related("election__body", "election__session")
        ),
        "receipts": receipts(mandates),
    }
