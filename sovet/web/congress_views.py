"""Session pages: the live congress view, the chair's desk, a delegate's ballot and desk.

Thin views: a page reads through `congress_selectors`; a form is parsed here and handed to one
action, which decides who may act. A refusal comes back with its message and status: as a
fragment in the form's section when htmx sent the form, else as the page (403: the refusal page).
Every form works without JavaScript, by POST, redirect and GET.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sovet.congress import bodies, sessions
from sovet.congress.access import require_chair
from sovet.congress.models import AgendaItem, Candidate, Election, Session
from sovet.councils.models import Council, Mandate
from sovet.errors import ActionError, Invalid, NotAllowed
from sovet.organizations.access import can_organize, require_record_reader
from sovet.organizations.models import Membership, Organization
from sovet.polls import actions as polls
from sovet.polls.models import Poll
from sovet.web import congress_selectors as selectors

Context = dict[str, Any]


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refused(request: HttpRequest, org: Organization, refusal: ActionError) -> HttpResponse:
    return render(
        request,
        "sovet/refused.html",
        {"organization": org, "reason": refusal.message},
        status=refusal.status,
    )


def _gate(
    request: HttpRequest, org: Organization, check: Callable[[], None]
) -> HttpResponse | None:
    """Return the page that turns the request away (sign in first, or why not), or None."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        check()
    except NotAllowed as refusal:
        return _refused(request, org, refusal)
    return None


def _session(org: Organization, session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related("council", "organization"), pk=session_id, organization=org
    )


def _pk(request: HttpRequest, name: str, what: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit() or len(value) > 18:
        raise Invalid(f"choose {what}")
    return int(value)


def _mandate(request: HttpRequest, council: Council) -> Mandate:
    pk = _pk(request, "mandate", "a delegate")
    found = Mandate.objects.filter(council=council, pk=pk).select_related("delegate").first()
    if found is None:
        raise Invalid(f"no such mandate on {council.name}")
    return found


# The live congress page, for everyone who may read the record.


def _live_state(request: HttpRequest, session: Session) -> Context:
    return {"quorum": sessions.quorum(session)}


def _live_polls(request: HttpRequest, session: Session) -> Context:
    seat = selectors.seat_of(session, selectors.person_of(request.user))
    return {**selectors.open_polls(session, mandate=seat["mandate"]), "seat": seat}


def _live_results(request: HttpRequest, session: Session) -> Context:
    return {
        "closed_polls": selectors.closed_polls(session),
        "elections": selectors.elections(session),
    }


def _live_ballot(request: HttpRequest, session: Session) -> Context:
    seat = selectors.seat_of(session, selectors.person_of(request.user))
    mandate = seat["mandate"]
    polls_now = selectors.open_polls(session, mandate=mandate)
    receipts = selectors.receipts([mandate], session=session) if mandate else []
    codes = {receipt["poll"].pk: receipt["code"] for receipt in receipts}
    for entry in polls_now["open_polls"]:
        entry["receipt"] = codes.get(entry["poll"].pk)
    closed = [receipt for receipt in receipts if receipt["poll"].state == Poll.State.CLOSED]
    return {**polls_now, **selectors.floor(session), "seat": seat, "receipts": closed}


LIVE_PARTS: dict[str, Callable[[HttpRequest, Session], Context]] = {
    "state": _live_state,
    "floor": lambda request, session: selectors.floor(session),
    "polls": _live_polls,
    "results": _live_results,
    "hemicycle": lambda request, session: {"seating": selectors.seating(session)},
    "ballot": _live_ballot,
}


@require_GET
def session_page(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    if refusal := _gate(request, org, lambda: require_record_reader(request.user, org)):
        return refusal
    session = _session(org, session_id)
    context: Context = {"organization": org, "session": session}
    # The state part shows only the quorum, which the polls part reads already.
    for part in ("floor", "polls", "results", "hemicycle"):
        context |= LIVE_PARTS[part](request, session)
    context["can_chair"] = can_organize(request.user, org)
    return render(request, "sovet/congress/session.html", context)


@require_GET
def session_part(request: HttpRequest, slug: str, session_id: int, part: str) -> HttpResponse:
    """Return one part of the live page (or of the ballot page), for htmx to swap in."""
    if part not in LIVE_PARTS:
        raise Http404("no such part of the session page")
    org = get_object_or_404(Organization, slug=slug)
    if refusal := _gate(request, org, lambda: require_record_reader(request.user, org)):
        return refusal
    session = _session(org, session_id)
    context = {"organization": org, "session": session, **LIVE_PARTS[part](request, session)}
    return render(request, f"sovet/congress/_{part}.html", context)


# The chair's desk: the organizers chair sessions.


def _take_up(request: HttpRequest, session: Session) -> str:
    pk = _pk(request, "item", "an agenda item")
    item = AgendaItem.objects.filter(session=session, pk=pk).first()
    if item is None:
        raise Invalid("no such item on this session's agenda")
    sessions.take_up_item(actor=request.user, item=item)
    return f"Item {item.position}, {item.title}, is taken up."


def _current_item(session: Session) -> AgendaItem:
    item = AgendaItem.objects.filter(session=session, current=True).first()
    if item is None:
        raise Invalid("take up an agenda item first")
    return item


def _next_speaker(request: HttpRequest, session: Session) -> str:
    called = sessions.call_next_speaker(actor=request.user, item=_current_item(session))
    if called is None:
        return "Nobody else waits to speak on this item."
    return f"{called.mandate.delegate.name} has the floor ({called.kind})."


def _close_speakers(request: HttpRequest, session: Session) -> str:
    sessions.close_speakers_list(actor=request.user, item=_current_item(session))
    return "The speakers' list is closed: those waiting still speak."


def _presence(present: bool) -> Callable[[HttpRequest, Session], str]:
    def act(request: HttpRequest, session: Session) -> str:
        mandate = _mandate(request, session.council)
        mark = sessions.check_in if present else sessions.check_out
        now = mark(actor=request.user, session=session, mandate=mandate)
        state = "is present" if present else "has left"
        return (
            f"{mandate.delegate.name} {state}: {now.present} of {now.entitled} votes present, "
            f"{now.needed} needed for quorum."
        )

    return act


def _open_poll(request: HttpRequest, session: Session) -> str:
    kind = request.POST.get("kind", Poll.Kind.YES_NO)
    options = (
        polls.DEFAULT_OPTIONS
        if kind == Poll.Kind.YES_NO
        else [line for line in request.POST.get("options", "").splitlines() if line.strip()]
    )
    poll = polls.open_poll(
        actor=request.user,
        council=session.council,
        session=session,
        question=request.POST.get("question", ""),
        options=options,
        secret=bool(request.POST.get("secret")),
        kind=kind,
    )
    return f"The poll is open: {poll.question}"


def _poll(request: HttpRequest, session: Session) -> Poll:
    found = Poll.objects.filter(session=session, pk=_pk(request, "poll", "a poll")).first()
    if found is None:
        raise Invalid("no such poll in this session")
    return found


def _close_poll(request: HttpRequest, session: Session) -> str:
    poll = polls.close_poll(actor=request.user, poll=_poll(request, session))
    sentence = (poll.result or {}).get("sentence", "")
    return f"The poll is closed: {poll.question}" + (f"; {sentence}." if sentence else ".")


def _election(request: HttpRequest, session: Session) -> Election:
    pk = _pk(request, "election", "an election")
    found = Election.objects.filter(session=session, pk=pk).select_related("body").first()
    if found is None:
        raise Invalid("no such election in this session")
    return found


def _call_election(request: HttpRequest, session: Session) -> str:
    seats = request.POST.get("seats", "")
    if not seats.isdigit() or len(seats) > 6:
        raise Invalid("give the number of seats as a whole number")
    election = bodies.call_election(
        actor=request.user,
        session=session,
        body_name=request.POST.get("body", ""),
        seats=int(seats),
    )
    return f"The election of {election.body.name} ({election.seats} seats) is called."


def _nominate(request: HttpRequest, session: Session) -> str:
    election = _election(request, session)
    number = request.POST.get("member", "").strip()
    membership = (
        Membership.objects.filter(organization=session.organization_id, number=number)
        .select_related("person")
        .first()
    )
    if membership is None:
        raise Invalid(f"no member of {session.organization.name} has the number {number!r}")
    bodies.nominate(actor=request.user, election=election, person=membership.person)
    return f"{membership.person.name} is nominated; they accept or decline on their desk."


def _open_ballot(request: HttpRequest, session: Session) -> str:
    election = _election(request, session)
    poll = bodies.open_ballot(
        actor=request.user, election=election, secret=bool(request.POST.get("secret"))
    )
    return f"The ballot is open: {poll.question}"


def _set_state(
    act: Callable[..., Session], done: str, fields: tuple[str, ...] = ()
) -> Callable[[HttpRequest, Session], str]:
    def run(request: HttpRequest, session: Session) -> str:
        given = {name: request.POST.get(name, "") for name in fields}
        act(actor=request.user, session=session, **given)
        return done

    return run


# Each act: the section of the desk it changes, and what it does ("session": the whole page).
CHAIR_ACTS: dict[str, tuple[str, Callable[[HttpRequest, Session], str]]] = {
    "open": ("session", _set_state(sessions.open_session, "The session is open.")),
    "adjourn": (
        "session",
        _set_state(sessions.adjourn_session, "The session is adjourned.", ("until",)),
    ),
    "close": (
        "session",
        _set_state(
            sessions.close_session, "The session is closed and the record's tree head signed."
        ),
    ),
    "take-up": ("floor", _take_up),
    "next-speaker": ("floor", _next_speaker),
    "close-speakers": ("floor", _close_speakers),
    "check-in": ("presence", _presence(True)),
    "check-out": ("presence", _presence(False)),
    "open-poll": ("votes", _open_poll),
    "close-poll": ("votes", _close_poll),
    "call-election": ("votes", _call_election),
    "nominate": ("votes", _nominate),
    "open-ballot": ("votes", _open_ballot),
}

CHAIR_PARTS: dict[str, Callable[[Session], Context]] = {
    "floor": selectors.floor,
    "presence": lambda session: {
        "quorum": sessions.quorum(session),
        "credentials": selectors.presence(session),
    },
    "votes": lambda session: {
        **selectors.open_polls(session),
        "elections": selectors.elections(session),
        "nominees": selectors.nominees(session),
        "kinds": Poll.Kind.choices,
    },
}


def _chair_page(
    request: HttpRequest, org: Organization, session: Session, *, error: str = "", status: int = 200
) -> HttpResponse:
    context: Context = {"organization": org, "session": session, "error": error}
    for part in CHAIR_PARTS.values():
        context |= part(session)
    return render(request, "sovet/congress/chair.html", context, status=status)


@require_GET
def chair(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    session = _session(org, session_id)
    if refusal := _gate(request, org, lambda: require_chair(request.user, session)):
        return refusal
    return _chair_page(request, org, session)


@require_GET
def chair_part(request: HttpRequest, slug: str, session_id: int, part: str) -> HttpResponse:
    if part not in CHAIR_PARTS:
        raise Http404("no such part of the chair's desk")
    org = get_object_or_404(Organization, slug=slug)
    session = _session(org, session_id)
    if refusal := _gate(request, org, lambda: require_chair(request.user, session)):
        return refusal
    context = {"organization": org, "session": session, **CHAIR_PARTS[part](session)}
    return render(request, f"sovet/congress/_chair_{part}.html", context)


def _alert(request: HttpRequest, refusal: ActionError, target: str) -> HttpResponse:
    """Answer htmx with the refusal, shown in the alert slot of the form's section."""
    response = render(
        request, "sovet/congress/_alert.html", {"message": refusal.message}, status=refusal.status
    )
    response["HX-Retarget"] = f"#{target}"
    response["HX-Reswap"] = "innerHTML"
    return response


@require_POST
def chair_act(request: HttpRequest, slug: str, session_id: int, act: str) -> HttpResponse:
    if act not in CHAIR_ACTS:
        raise Http404("no such act of the chair")
    org = get_object_or_404(Organization, slug=slug)
    session = _session(org, session_id)
    part, run = CHAIR_ACTS[act]
    try:
        # Refuse before reading the form, so that its answers tell outsiders nothing.
        require_chair(request.user, session)
        done = run(request, session)
    except ActionError as refusal:
        if _htmx(request) and part in CHAIR_PARTS:
            return _alert(request, refusal, f"chair-{part}-alert")
        if isinstance(refusal, NotAllowed):
            return _refused(request, org, refusal)
        return _chair_page(request, org, session, error=refusal.message, status=refusal.status)
    if _htmx(request) and part in CHAIR_PARTS:
        session.refresh_from_db()
        context = {"organization": org, "session": session, "done": done}
        return render(
            request, f"sovet/congress/_chair_{part}.html", context | CHAIR_PARTS[part](session)
        )
    messages.success(request, done)
    return redirect(reverse("chair", args=[slug, session.pk]) + f"#chair-{part}")


# A delegate's ballot page for a session, and their desk across the organization.


def _ballot_page(
    request: HttpRequest, org: Organization, session: Session, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "organization": org,
        "session": session,
        "error": error,
        **_live_ballot(request, session),
    }
    return render(request, "sovet/congress/ballot.html", context, status=status)


@require_GET
def ballot(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    if refusal := _gate(request, org, lambda: require_record_reader(request.user, org)):
        return refusal
    return _ballot_page(request, org, _session(org, session_id))


def _choice(request: HttpRequest, poll: Poll) -> str | list[str]:
    """Return the ballot's content as the poll's kind takes it."""
    if poll.kind in (Poll.Kind.YES_NO, Poll.Kind.CHOICE):
        choice = request.POST.get("choice", "")
        if not choice:
            raise Invalid(f"choose one of: {', '.join(poll.options)}")
        return choice
    if poll.kind == Poll.Kind.APPROVAL:
        return request.POST.getlist("choice")
    ranks = [request.POST.get(f"rank-{place}", "") for place in range(1, len(poll.options) + 1)]
    return [option for option in ranks if option]


@require_POST
def cast(request: HttpRequest, slug: str, poll_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    poll = get_object_or_404(
        Poll.objects.select_related("council", "session__council", "session__organization"),
        pk=poll_id,
        organization=org,
    )
    try:
        code = polls.cast_ballot(
            actor=request.user,
            poll=poll,
            mandate=_mandate(request, poll.council),
            choice=_choice(request, poll),
        )
    except ActionError as refusal:
        if poll.session is None:
            return _desk_page(request, org, error=refusal.message, status=refusal.status)
        return _ballot_page(
            request, org, poll.session, error=refusal.message, status=refusal.status
        )
    if code:
        messages.success(request, f"Your ballot is cast. Your receipt: {code}")
    else:
        messages.success(request, "Your ballot is cast.")
    if poll.session is None:
        return redirect("delegate", slug=slug)
    return redirect(reverse("ballot", args=[slug, poll.session_id]) + f"#poll-{poll.pk}")


def _speak(request: HttpRequest, session: Session, mandate: Mandate) -> str:
    sessions.request_to_speak(
        actor=request.user,
        item=_current_item(session),
        mandate=mandate,
        kind=request.POST.get("kind", "speech"),
        stance=request.POST.get("stance", ""),
    )
    return "You are on the speakers' list."


def _own_presence(present: bool) -> Callable[[HttpRequest, Session, Mandate], str]:
    def act(request: HttpRequest, session: Session, mandate: Mandate) -> str:
        mark = sessions.check_in if present else sessions.check_out
        now = mark(actor=request.user, session=session, mandate=mandate)
        state = "present" if present else "checked out"
        return f"You are {state}: {now.present} of {now.entitled} votes present."

    return act


SEAT_ACTS: dict[str, Callable[[HttpRequest, Session, Mandate], str]] = {
    "check-in": _own_presence(True),
    "check-out": _own_presence(False),
    "speak": _speak,
}


@require_POST
def seat_act(request: HttpRequest, slug: str, session_id: int, act: str) -> HttpResponse:
    """A delegate's own act in a session: check in or out, ask for the floor."""
    if act not in SEAT_ACTS:
        raise Http404("no such act of a delegate")
    org = get_object_or_404(Organization, slug=slug)
    session = _session(org, session_id)
    try:
        done = SEAT_ACTS[act](request, session, _mandate(request, session.council))
    except ActionError as refusal:
        return _ballot_page(request, org, session, error=refusal.message, status=refusal.status)
    messages.success(request, done)
    return redirect("ballot", slug=slug, session_id=session.pk)


def _desk_page(
    request: HttpRequest, org: Organization, *, error: str = "", status: int = 200
) -> HttpResponse:
    person = selectors.person_of(request.user)
    context = {"organization": org, "person": person, "error": error}
    return render(
        request,
        "sovet/congress/delegate.html",
        context | selectors.desk(org, person),
        status=status,
    )


@require_GET
def delegate(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _desk_page(request, org)


@require_POST
def answer_nomination(request: HttpRequest, slug: str, candidate_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    candidate = get_object_or_404(
        Candidate.objects.select_related("election__session__organization", "election__body"),
        pk=candidate_id,
        election__session__organization=org,
    )
    answer = request.POST.get("answer", "")
    try:
        if answer not in ("accept", "decline"):
            raise Invalid("answer accept or decline")
        bodies.answer_nomination(actor=request.user, candidate=candidate, accept=answer == "accept")
    except ActionError as refusal:
        return _desk_page(request, org, error=refusal.message, status=refusal.status)
    body = candidate.election.body.name
    messages.success(
        request,
        f"You accept the nomination to {body}."
        if answer == "accept"
        else f"You decline the nomination to {body}.",
    )
    return redirect("delegate", slug=slug)
