"""Sessions: convening, credentials, presence and walkouts, quorum, agenda and speakers.

Each function is one action: it checks who acts, locks the organization, validates, writes and
appends to the record in one transaction (SESSIONS.md says how a session runs).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum

from sovet import majorities
from sovet.congress import speakers
from sovet.congress.access import require_chair, require_holder, require_holder_or_chair
from sovet.congress.models import AgendaItem, Credential, Session, SpeakerRequest
from sovet.councils.models import Council, Mandate
from sovet.errors import Invalid
from sovet.live.events import publish
from sovet.organizations.access import require_organizer
from sovet.organizations.selectors import current_statute
from sovet.record import tree
from sovet.record.log import append, lock
from sovet.record.models import TreeHead

NOT_OPEN = "the session is {state}: open it first"
NOT_ACCREDITED = "{delegate} is not accredited to this session"


@dataclass(frozen=True)
class Quorum:
    present: int
    entitled: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.present >= self.needed

    def to_json(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "entitled": self.entitled,
            "needed": self.needed,
            "reached": self.reached,
        }


def _delegate(mandate: Mandate) -> dict[str, Any]:
    return {"mandate": mandate.pk, "delegate": mandate.delegate.name, "votes": mandate.votes}


def quorum(session: Session) -> Quorum:
    """Return the votes present and entitled, and the quorum the statute asks, now."""
    entitled = (
        Mandate.objects.filter(council=session.council, state=Mandate.State.ACTIVE).aggregate(
            total=Sum("votes")
        )["total"]
        or 0
    )
    present = (
        Credential.objects.filter(
            session=session, accredited=True, present=True, mandate__state=Mandate.State.ACTIVE
        ).aggregate(total=Sum("mandate__votes"))["total"]
        or 0
    )
    share = current_statute(session.organization).quorum_share
    return Quorum(present, entitled, majorities.quorum_needed(entitled, share))


def _item_titles(agenda: Sequence[str]) -> list[str]:
    titles = [" ".join(str(title).split()) for title in agenda]
    if any(not title or len(title) > 300 for title in titles):
        raise Invalid("each agenda item needs a title of 1 to 300 characters")
    return titles


@transaction.atomic
def convene_session(
    *,
    actor: Any,
    council: Council,
    title: str,
    opens_on: datetime.date,
    place: str = "",
    agenda: Sequence[str] = (),
    alternate_speakers: bool = False,
) -> Session:
    """Convene a session of a council with its agenda."""
    organization = council.organization
    require_organizer(actor, organization)
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise Invalid("the session needs a title of 1 to 200 characters")
    titles = _item_titles(agenda)
    lock(organization.pk)
    number = (Session.objects.filter(council=council).aggregate(n=Max("number"))["n"] or 0) + 1
    session = Session.objects.create(
        organization=organization,
        council=council,
        number=number,
        title=title,
        place=place.strip()[:200],
        opens_on=opens_on,
        alternate_speakers=alternate_speakers,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(session=session, position=position, title=item)
        for position, item in enumerate(titles, start=1)
    )
    append(
        organization,
        actor=actor,
        action="session.convened",
        payload={
            "session": session.pk,
            "council": council.name,
            "number": number,
            "title": title,
            "place": session.place,
            "opens_on": str(opens_on),
            "agenda": titles,
        },
    )
    return session


def _locked(session: Session) -> Session:
    lock(session.organization_id)
    return Session.objects.select_for_update(no_key=True).get(pk=session.pk)


def _require_open(session: Session) -> None:
    if session.state != Session.State.OPEN:
        raise Invalid(NOT_OPEN.format(state=session.state))


@transaction.atomic
def decide_credentials(
    *,
    actor: Any,
    session: Session,
    mandates: Sequence[Mandate],
    accredited: bool = True,
    reason: str = "",
) -> list[Credential]:
    """Accredit mandates for a session, or refuse them with a reason (the credentials decision)."""
    require_chair(actor, session)
    session = _locked(session)
    if session.state == Session.State.CLOSED:
        raise Invalid("the session is closed")
    reason = " ".join(reason.split())[:500]
    if not accredited and not reason:
        raise Invalid("a refused credential states its reason")
    if not mandates:
        raise Invalid("name at least one mandate")
    decided = []
    for mandate in mandates:
        if mandate.council_id != session.council_id or mandate.state != Mandate.State.ACTIVE:
            raise Invalid(
                f"{mandate.delegate.name} holds no active mandate on {session.council.name}"
            )
        credential, _ = Credential.objects.update_or_create(
            session=session,
            mandate=mandate,
            defaults={
                "accredited": accredited,
                "reason": reason,
                **({} if accredited else {"present": False}),
            },
        )
        decided.append(credential)
    append(
        session.organization,
        actor=actor,
        action="credentials.accredited" if accredited else "credentials.refused",
        payload={
            "session": session.pk,
            "mandates": [_delegate(mandate) for mandate in mandates],
            "reason": reason,
        },
    )
    return decided


def _set_state(actor: Any, session: Session, allowed: tuple[str, ...], state: str, action: str):
    require_chair(actor, session)
    session = _locked(session)
    if session.state not in allowed:
        raise Invalid(f"a {session.state} session cannot be {action.split('.')[1]}")
    session.state = state
    session.save(update_fields=["state"])
    publish(session.pk, {"type": "session", "state": state})
    return session


@transaction.atomic
def open_session(*, actor: Any, session: Session) -> Session:
    """Open a convened session, or resume an adjourned one."""
    resuming = session.state == Session.State.ADJOURNED
    action = "session.resumed" if resuming else "session.opened"
    session = _set_state(
        actor,
        session,
        (Session.State.CONVENED, Session.State.ADJOURNED),
        Session.State.OPEN,
        action,
    )
    append(
        session.organization,
        actor=actor,
        action=action,
        payload={"session": session.pk, "quorum": quorum(session).to_json()},
    )
    return session


@transaction.atomic
def adjourn_session(*, actor: Any, session: Session, until: str = "") -> Session:
    """Adjourn an open session; it resumes with open_session."""
    session = _set_state(
        actor, session, (Session.State.OPEN,), Session.State.ADJOURNED, "session.adjourned"
    )
    append(
        session.organization,
        actor=actor,
        action="session.adjourned",
        payload={"session": session.pk, "until": until[:200]},
    )
    return session


@transaction.atomic
def close_session(*, actor: Any, session: Session) -> Session:
    """Close the session for good and sign the record's tree head."""
    session = _set_state(
        actor,
        session,
        (Session.State.OPEN, Session.State.ADJOURNED, Session.State.CONVENED),
        Session.State.CLOSED,
        "session.closed",
    )
    AgendaItem.objects.filter(session=session, current=True).update(current=False)
    append(
        session.organization, actor=actor, action="session.closed", payload={"session": session.pk}
    )
    tree.issue_head(session.organization, reason=TreeHead.Reason.SESSION_CLOSED)
    return session


def _credential(session: Session, mandate: Mandate) -> Credential:
    credential = Credential.objects.filter(session=session, mandate=mandate).first()
    if credential is None or not credential.accredited:
        raise Invalid(NOT_ACCREDITED.format(delegate=mandate.delegate.name))
    return credential


def _presence(actor: Any, session: Session, mandate: Mandate, *, present: bool) -> Quorum:
    require_holder_or_chair(actor, session, mandate)
    session = _locked(session)
    if session.state == Session.State.CLOSED:
        raise Invalid("the session is closed")
    credential = _credential(session, mandate)
    if credential.present == present:
        state = "present already" if present else "not present"
        raise Invalid(f"{mandate.delegate.name} is {state}")
    credential.present = present
    credential.save(update_fields=["present"])
    now = quorum(session)
    publish(session.pk, {"type": "quorum", **now.to_json()})
    append(
        session.organization,
        actor=actor,
        action="presence.arrived" if present else "presence.left",
        payload={"session": session.pk, **_delegate(mandate), "quorum": now.to_json()},
    )
    return now


@transaction.atomic
def check_in(*, actor: Any, session: Session, mandate: Mandate) -> Quorum:
    """Mark an accredited delegate present; return the quorum after."""
    return _presence(actor, session, mandate, present=True)


@transaction.atomic
def check_out(*, actor: Any, session: Session, mandate: Mandate) -> Quorum:
    """Mark a delegate gone; return the quorum after."""
    return _presence(actor, session, mandate, present=False)


@transaction.atomic
def walk_out(*, actor: Any, session: Session, mandates: Sequence[Mandate], reason: str) -> Quorum:
    """Record several delegates leaving together, with their stated reason, as one event."""
    require_chair(actor, session)
    session = _locked(session)
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise Invalid("a walkout states its reason")
    if len({mandate.pk for mandate in mandates}) < 2:
        raise Invalid("a walkout is several delegates leaving together; one leaves by check-out")
    credentials = [_credential(session, mandate) for mandate in mandates]
    absent = [c.mandate.delegate.name for c in credentials if not c.present]
    if absent:
        raise Invalid(f"not present, so cannot walk out: {', '.join(absent)}")
    Credential.objects.filter(pk__in=[c.pk for c in credentials]).update(present=False)
    now = quorum(session)
    publish(session.pk, {"type": "quorum", **now.to_json()})
    append(
        session.organization,
        actor=actor,
        action="presence.walkout",
        payload={
            "session": session.pk,
            "mandates": [_delegate(mandate) for mandate in mandates],
            "votes": sum(mandate.votes for mandate in mandates),
            "reason": reason,
            "quorum": now.to_json(),
        },
    )
    return now


@transaction.atomic
def take_up_item(*, actor: Any, item: AgendaItem) -> AgendaItem:
    """Make an agenda item the current one."""
    session = item.session
    require_chair(actor, session)
    session = _locked(session)
    _require_open(session)
    AgendaItem.objects.filter(session=session, current=True).update(current=False)
    item.current = True
    item.save(update_fields=["current"])
    publish(session.pk, {"type": "floor", "item": item.position})
    append(
        session.organization,
        actor=actor,
        action="agenda.item_taken_up",
        payload={"session": session.pk, "item": item.position, "title": item.title},
    )
    return item


@transaction.atomic
def request_to_speak(
    *,
    actor: Any,
    item: AgendaItem,
    mandate: Mandate,
    kind: str = SpeakerRequest.Kind.SPEECH,
    stance: str = "",
) -> SpeakerRequest:
    """Put a delegate on the item's speakers' list, or raise a point of order."""
    require_holder(actor, mandate)
    session = _locked(item.session)
    _require_open(session)
    if kind not in SpeakerRequest.Kind.values:
        raise Invalid(f"kind must be one of: {', '.join(SpeakerRequest.Kind.values)}")
    if stance not in SpeakerRequest.Stance.values:
        raise Invalid("stance must be for, against or empty")
    credential = _credential(session, mandate)
    if not credential.present:
        raise Invalid(f"{mandate.delegate.name} is not present")
    item = AgendaItem.objects.get(pk=item.pk)
    if kind == SpeakerRequest.Kind.SPEECH and item.speakers_closed:
        raise Invalid("the speakers' list of this item is closed")
    requests = SpeakerRequest.objects.filter(item=item)
    if requests.filter(mandate=mandate, state=SpeakerRequest.State.WAITING, kind=kind).exists():
        raise Invalid(f"{mandate.delegate.name} is waiting to speak already")
    speech = (
        1
        + requests.filter(mandate=mandate, kind=SpeakerRequest.Kind.SPEECH)
        .exclude(state=SpeakerRequest.State.WITHDRAWN)
        .count()
    )
    request = SpeakerRequest.objects.create(
        item=item,
        mandate=mandate,
        kind=kind,
        stance=stance,
        speech=speech if kind == SpeakerRequest.Kind.SPEECH else 0,
        requested=requests.count() + 1,
    )
    publish(session.pk, {"type": "floor", "item": item.position})
    append(
        session.organization,
        actor=actor,
        action="speakers.requested",
        payload={
            "session": session.pk,
            "item": item.position,
            **_delegate(mandate),
            "kind": kind,
            "stance": stance,
            "speech": request.speech,
        },
    )
    return request


@transaction.atomic
def call_next_speaker(*, actor: Any, item: AgendaItem) -> SpeakerRequest | None:
    """End the current speech and give the floor to the next in order (None: list exhausted)."""
    session = item.session
    require_chair(actor, session)
    session = _locked(session)
    _require_open(session)
    requests = SpeakerRequest.objects.filter(item=item)
    speaking = requests.filter(state=SpeakerRequest.State.SPEAKING).first()
    last_stance = ""
    if speaking is not None:
        speaking.state = SpeakerRequest.State.DONE
        speaking.save(update_fields=["state"])
    done = requests.filter(state=SpeakerRequest.State.DONE, kind=SpeakerRequest.Kind.SPEECH)
    last = done.order_by("-requested").first()
    if last is not None:
        last_stance = last.stance
    waiting = [
        speakers.Waiting(r.pk, r.kind, r.stance, r.speech, r.requested)
        for r in requests.filter(state=SpeakerRequest.State.WAITING)
    ]
    chosen = speakers.next_speaker(
        waiting, alternate=session.alternate_speakers, last_stance=last_stance
    )
    publish(session.pk, {"type": "floor", "item": item.position})
    if chosen is None:
        return None
    request = requests.get(pk=chosen)
    request.state = SpeakerRequest.State.SPEAKING
    request.save(update_fields=["state"])
    limit = item.speaking_time or session.speaking_time
    append(
        session.organization,
        actor=actor,
        action="speakers.floor_given",
        payload={
            "session": session.pk,
            "item": item.position,
            **_delegate(request.mandate),
            "kind": request.kind,
            "speech": request.speech,
            "seconds": limit,
        },
    )
    return request


@transaction.atomic
def close_speakers_list(*, actor: Any, item: AgendaItem) -> AgendaItem:
    """Close the item's list: those waiting still speak, nobody new joins."""
    session = item.session
    require_chair(actor, session)
    session = _locked(session)
    item = AgendaItem.objects.get(pk=item.pk)
    if item.speakers_closed:
        raise Invalid("the speakers' list is closed already")
    item.speakers_closed = True
    item.save(update_fields=["speakers_closed"])
    publish(session.pk, {"type": "floor", "item": item.position})
    append(
        session.organization,
        actor=actor,
        action="speakers.list_closed",
        payload={"session": session.pk, "item": item.position},
    )
    return item
