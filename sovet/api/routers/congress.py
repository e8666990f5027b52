"""Sessions of councils: convening, credentials, presence, agenda and speakers."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sovet.api.lookups import actor, named, one, organization, readable_organization
from sovet.api.schemas import (
    AdjournIn,
    AgendaItemOut,
    CredentialOut,
    CredentialsIn,
    Id,
    MandateRefIn,
    NextSpeakerOut,
    Number,
    QuorumOut,
    SessionDetail,
    SessionIn,
    SessionOut,
    Slug,
    SpeakerOut,
    SpeakIn,
    WalkoutIn,
    answers,
)
from sovet.congress import sessions
from sovet.congress.models import AgendaItem, Credential, Session, SpeakerRequest
from sovet.councils.models import Council, Mandate
from sovet.organizations.models import Organization

router = Router(tags=["sessions"])


def _session(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk,
        "number": session.number,
        "council": session.council,
        "title": session.title,
        "place": session.place,
        "opens_on": session.opens_on,
        "state": session.state,
        "speaking_time": session.speaking_time,
        "alternate_speakers": session.alternate_speakers,
    }


def _session_detail(session: Session) -> dict[str, Any]:
    credentials = Credential.objects.filter(session=session).select_related("mandate__delegate")
    return {
        **_session(session),
        "quorum": sessions.quorum(session).to_json(),
        "agenda": list(AgendaItem.objects.filter(session=session)),
        "credentials": [
            {
                "mandate": credential.mandate_id,
                "delegate": credential.mandate.delegate,
                "votes": credential.mandate.votes,
                "accredited": credential.accredited,
                "present": credential.present,
                "reason": credential.reason,
            }
            for credential in credentials.order_by("mandate__delegate__name", "mandate_id")
        ],
    }


def _speaker(speaker: SpeakerRequest) -> dict[str, Any]:
    return {
        "id": speaker.pk,
        "mandate": speaker.mandate_id,
        "delegate": speaker.mandate.delegate,
        "kind": speaker.kind,
        "stance": speaker.stance,
        "speech": speaker.speech,
        "state": speaker.state,
        "requested": speaker.requested,
    }


def session_at(org: Organization, session_id: int) -> Session:
    return one(
        Session.objects.filter(organization=org).select_related("organization", "council"),
        "session",
        session_id,
        pk=session_id,
    )


def mandate_named(org: Organization, mandate_id: int) -> Mandate:
    """Return a mandate on one of the organization's councils, named in the request body."""
    return named(
        Mandate.objects.filter(council__organization=org).select_related("delegate", "council"),
        "mandate",
        mandate_id,
        pk=mandate_id,
    )


def _item_at(org: Organization, session_id: int, position: int) -> AgendaItem:
    session = session_at(org, session_id)
    item = one(
        AgendaItem.objects.filter(session=session),
        "agenda item",
        position,
        position=position,
    )
    item.session = session
    return item


@router.get("/o/{slug}/sessions", response=answers(list[SessionOut]))
def list_sessions(request: HttpRequest, slug: Slug) -> Any:
    """The sessions of every council (members and organizers)."""
    org = readable_organization(request, slug)
    found = Session.objects.filter(organization=org).select_related("council")
    return [_session(session) for session in found.order_by("council_id", "number")]


@router.get("/o/{slug}/sessions/{session_id}", response=answers(SessionDetail))
def get_session(request: HttpRequest, slug: Slug, session_id: Id) -> Any:
    """A session with its quorum now, its agenda and the credentials decided."""
    return _session_detail(session_at(readable_organization(request, slug), session_id))


@router.post(
    "/o/{slug}/councils/{council_id}/sessions",
    response=answers(SessionDetail, 201),
)
def convene_session(request: HttpRequest, slug: Slug, council_id: Id, payload: SessionIn) -> Any:
    """Convene a session of a council with its agenda (organizers)."""
    org = organization(slug)
    council = one(
        Council.objects.filter(organization=org).select_related("organization"),
        "council",
        council_id,
        pk=council_id,
    )
    session = sessions.convene_session(
        actor=actor(request),
        council=council,
        title=payload.title,
        opens_on=payload.opens_on,
        place=payload.place,
        agenda=payload.agenda,
        alternate_speakers=payload.alternate_speakers,
    )
    return Status(201, _session_detail(session))


@router.post(
    "/o/{slug}/sessions/{session_id}/credentials",
    response=answers(list[CredentialOut]),
)
def decide_credentials(
    request: HttpRequest, slug: Slug, session_id: Id, payload: CredentialsIn
) -> Any:
    """Accredit mandates for the session, or refuse them with a reason (the chair)."""
    org = organization(slug)
    session = session_at(org, session_id)
    sessions.decide_credentials(
        actor=actor(request),
        session=session,
        mandates=[mandate_named(org, mandate) for mandate in payload.mandates],
        accredited=payload.accredited,
        reason=payload.reason,
    )
    return _session_detail(session)["credentials"]


@router.post("/o/{slug}/sessions/{session_id}/open", response=answers(SessionOut))
def open_session(request: HttpRequest, slug: Slug, session_id: Id) -> Any:
    """Open a convened session, or resume an adjourned one (the chair)."""
    session = session_at(organization(slug), session_id)
    return _session(sessions.open_session(actor=actor(request), session=session))


@router.post("/o/{slug}/sessions/{session_id}/adjourn", response=answers(SessionOut))
def adjourn_session(request: HttpRequest, slug: Slug, session_id: Id, payload: AdjournIn) -> Any:
    """Adjourn an open session (the chair)."""
    session = session_at(organization(slug), session_id)
    return _session(
        sessions.adjourn_session(actor=actor(request), session=session, until=payload.until)
    )


@router.post("/o/{slug}/sessions/{session_id}/close", response=answers(SessionOut))
def close_session(request: HttpRequest, slug: Slug, session_id: Id) -> Any:
    """Close the session for good and sign the record's tree head (the chair)."""
    session = session_at(organization(slug), session_id)
    return _session(sessions.close_session(actor=actor(request), session=session))


@router.post("/o/{slug}/sessions/{session_id}/check-in", response=answers(QuorumOut))
def check_in(request: HttpRequest, slug: Slug, session_id: Id, payload: MandateRefIn) -> Any:
    """Mark an accredited delegate present (the delegate or the chair); answer the quorum."""
    org = organization(slug)
    return sessions.check_in(
        actor=actor(request),
        session=session_at(org, session_id),
        mandate=mandate_named(org, payload.mandate),
    ).to_json()


@router.post("/o/{slug}/sessions/{session_id}/check-out", response=answers(QuorumOut))
def check_out(request: HttpRequest, slug: Slug, session_id: Id, payload: MandateRefIn) -> Any:
    """Mark a delegate gone (the delegate or the chair); answer the quorum."""
    org = organization(slug)
    return sessions.check_out(
        actor=actor(request),
        session=session_at(org, session_id),
        mandate=mandate_named(org, payload.mandate),
    ).to_json()


@router.post("/o/{slug}/sessions/{session_id}/walkout", response=answers(QuorumOut))
def walk_out(request: HttpRequest, slug: Slug, session_id: Id, payload: WalkoutIn) -> Any:
    """Record several delegates leaving together, with their reason (the chair)."""
    org = organization(slug)
    return sessions.walk_out(
        actor=actor(request),
        session=session_at(org, session_id),
        mandates=[mandate_named(org, mandate) for mandate in payload.mandates],
        reason=payload.reason,
    ).to_json()


@router.get("/o/{slug}/sessions/{session_id}/agenda", response=answers(list[AgendaItemOut]))
def get_agenda(request: HttpRequest, slug: Slug, session_id: Id) -> Any:
    """The session's agenda in order, marking the item under debate."""
    session = session_at(readable_organization(request, slug), session_id)
    return list(AgendaItem.objects.filter(session=session))


@router.post(
    "/o/{slug}/sessions/{session_id}/agenda/{position}/take-up",
    response=answers(AgendaItemOut),
)
def take_up_item(request: HttpRequest, slug: Slug, session_id: Id, position: Number) -> Any:
    """Make an agenda item the current one (the chair)."""
    item = _item_at(organization(slug), session_id, position)
    return sessions.take_up_item(actor=actor(request), item=item)


@router.get(
    "/o/{slug}/sessions/{session_id}/agenda/{position}/speakers",
    response=answers(list[SpeakerOut]),
)
def list_speakers(request: HttpRequest, slug: Slug, session_id: Id, position: Number) -> Any:
    """The item's speakers' list: who spoke, who speaks, who waits, in order of request."""
    item = _item_at(readable_organization(request, slug), session_id, position)
    found = SpeakerRequest.objects.filter(item=item).select_related("mandate__delegate")
    return [_speaker(speaker) for speaker in found]


@router.post(
    "/o/{slug}/sessions/{session_id}/agenda/{position}/speakers",
    response=answers(SpeakerOut, 201),
)
def request_to_speak(
    request: HttpRequest, slug: Slug, session_id: Id, position: Number, payload: SpeakIn
) -> Any:
    """Put a delegate on the speakers' list, or raise a point of order (the delegate)."""
    org = organization(slug)
    speaker = sessions.request_to_speak(
        actor=actor(request),
        item=_item_at(org, session_id, position),
        mandate=mandate_named(org, payload.mandate),
        kind=payload.kind,
        stance=payload.stance,
    )
    return Status(201, _speaker(speaker))


@router.post(
    "/o/{slug}/sessions/{session_id}/agenda/{position}/speakers/next",
    response=answers(NextSpeakerOut),
)
def call_next_speaker(request: HttpRequest, slug: Slug, session_id: Id, position: Number) -> Any:
    """End the current speech and give the floor to the next in order (the chair)."""
    item = _item_at(organization(slug), session_id, position)
    speaker = sessions.call_next_speaker(actor=actor(request), item=item)
    return {"speaker": _speaker(speaker) if speaker else None}


@router.post(
    "/o/{slug}/sessions/{session_id}/agenda/{position}/speakers/close",
    response=answers(AgendaItemOut),
)
def close_speakers_list(request: HttpRequest, slug: Slug, session_id: Id, position: Number) -> Any:
    """Close the item's speakers' list: those waiting still speak (the chair)."""
    item = _item_at(organization(slug), session_id, position)
    return sessions.close_speakers_list(actor=actor(request), item=item)
