"""Motions: submit, support, admit, amend, put competing formulations, vote, refer, withdraw.

One action each, as MOTIONS.md describes; the votes themselves are polls (sovet.polls), whose
closing applies their outcome here (`poll_closed`).
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from sovet import texts
from sovet.congress.access import require_chair, require_holder
from sovet.congress.models import Amendment, Credential, Formulation, Motion, MotionSupport, Session
from sovet.councils.models import Mandate
from sovet.errors import Invalid, NotAllowed
from sovet.organizations.actions import amend_statute, clean_rules
from sovet.organizations.selectors import current_statute
from sovet.record.log import append, lock

MAX_TEXT = 100_000
ABSTAIN = "abstain"
OPEN_STATES = (Motion.State.SUBMITTED, Motion.State.ADMITTED)


def _text(value: str, what: str, *, limit: int = MAX_TEXT) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise Invalid(f"{what} needs a text of 1 to {limit:,} characters")
    return text


def _require_delegate_in(session: Session, mandate: Mandate) -> None:
    accredited = Credential.objects.filter(
        session=session, mandate=mandate, accredited=True, mandate__state=Mandate.State.ACTIVE
    ).exists()
    if not accredited:
        raise NotAllowed(f"{mandate.delegate.name} is not an accredited delegate of this session")


def _motion_ref(motion: Motion) -> dict[str, Any]:
    return {"motion": motion.pk, "number": motion.number, "title": motion.title}


def _locked(motion: Motion) -> Motion:
    lock(motion.organization_id)
    return Motion.objects.select_for_update(no_key=True).get(pk=motion.pk)


@transaction.atomic
def submit_motion(
    *,
    actor: Any,
    session: Session,
    mandate: Mandate,
    title: str,
    text: str,
    kind: str = Motion.Kind.RESOLUTION,
    statute_changes: Mapping[str, Any] | None = None,
) -> Motion:
    """Submit a motion in a delegate's name; the submitter is its first supporter."""
    require_holder(actor, mandate)
    organization = session.organization
    lock(organization.pk)
    if session.state in (Session.State.CLOSED,):
        raise Invalid("the session is closed")
    _require_delegate_in(session, mandate)
    if kind not in Motion.Kind.values:
        raise Invalid(f"kind must be one of: {', '.join(Motion.Kind.values)}")
    changes = _statute_changes(kind, statute_changes)
    title = _text(title, "the motion's title", limit=300)
    text = _text(text, "the motion")
    # Under the organization's lock: numbers have neither gaps nor duplicates.
    number = (
        Motion.objects.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    motion = Motion.objects.create(
        organization=organization,
        session=session,
        number=number,
        kind=kind,
        title=title,
        text=text,
        original_text=text,
        submitted_by=mandate.delegate,
        statute_changes=changes,
    )
    MotionSupport.objects.create(motion=motion, person=mandate.delegate)
    append(
        organization,
        actor=actor,
        action="motion.submitted",
        payload={
            **_motion_ref(motion),
            "session": session.pk,
            "kind": kind,
            "text": text,
            "submitted_by": mandate.delegate.name,
            "statute_changes": changes,
        },
    )
    return motion


@transaction.atomic
def support_motion(*, actor: Any, motion: Motion, mandate: Mandate) -> int:
    """Add a delegate's support to a motion; return the number of supporters."""
    require_holder(actor, mandate)
    motion = _locked(motion)
    if motion.state not in OPEN_STATES:
        raise Invalid(f"motion {motion.number} is {motion.state}")
    _require_delegate_in(motion.session, mandate)
    _, created = MotionSupport.objects.get_or_create(motion=motion, person=mandate.delegate)
    if not created:
        raise Invalid(f"{mandate.delegate.name} supports this motion already")
    supporters = motion.supports.count()
    append(
        motion.organization,
        actor=actor,
        action="motion.supported",
        payload={**_motion_ref(motion), "by": mandate.delegate.name, "supporters": supporters},
    )
    return supporters


@transaction.atomic
def admit_motion(*, actor: Any, motion: Motion) -> Motion:
    """Admit a motion to debate once it has the supporters the statute asks."""
    require_chair(actor, motion.session)
    motion = _locked(motion)
    if motion.state != Motion.State.SUBMITTED:
        raise Invalid(f"motion {motion.number} is {motion.state}, not submitted")
    needed = current_statute(motion.organization).motion_supporters
    supporters = motion.supports.count()
    if supporters < needed:
        raise Invalid(
            f"motion {motion.number} has {supporters} supporters; the statute asks {needed}"
        )
    motion.state = Motion.State.ADMITTED
    motion.save(update_fields=["state"])
    append(
        motion.organization,
        actor=actor,
        action="motion.admitted",
        payload={**_motion_ref(motion), "supporters": supporters, "needed": needed},
    )
    return motion


@transaction.atomic
def withdraw_motion(*, actor: Any, motion: Motion, mandate: Mandate) -> Motion:
    """The submitter withdraws a motion not yet put to the vote."""
    require_holder(actor, mandate)
    motion = _locked(motion)
    if mandate.delegate_id != motion.submitted_by_id:
        raise NotAllowed("only the delegate who submitted the motion may withdraw it")
    if motion.state not in OPEN_STATES:
        raise Invalid(f"motion {motion.number} is {motion.state}: too late to withdraw")
    motion.state = Motion.State.WITHDRAWN
    motion.save(update_fields=["state"])
    append(motion.organization, actor=actor, action="motion.withdrawn", payload=_motion_ref(motion))
    return motion


@transaction.atomic
def refer_motion(*, actor: Any, motion: Motion, to: str) -> Motion:
    """Refer an admitted motion to a body or commission instead of deciding it now."""
    require_chair(actor, motion.session)
    motion = _locked(motion)
    if motion.state != Motion.State.ADMITTED:
        raise Invalid(f"motion {motion.number} is {motion.state}, not admitted")
    motion.referred_to = _text(to, "the body it is referred to", limit=200)
    motion.state = Motion.State.REFERRED
    motion.save(update_fields=["referred_to", "state"])
    append(
        motion.organization,
        actor=actor,
        action="motion.referred",
        payload={**_motion_ref(motion), "to": motion.referred_to},
    )
    return motion


def _require_amendable(motion: Motion) -> None:
    if motion.state not in OPEN_STATES:
        raise Invalid(f"motion {motion.number} is {motion.state}: it can no longer be amended")


@transaction.atomic
def submit_amendment(
    *,
    actor: Any,
    motion: Motion,
    mandate: Mandate,
    old: str,
    new: str,
    amends: Amendment | None = None,
) -> Amendment:
    """Propose to replace the words `old` of the motion's text (or of an amendment) by `new`."""
    require_holder(actor, mandate)
    motion = _locked(motion)
    _require_amendable(motion)
    _require_delegate_in(motion.session, mandate)
    if amends is not None and (amends.motion_id != motion.pk or amends.state != "submitted"):
        raise Invalid("an amendment amends a pending amendment of the same motion")
    target = motion.text if amends is None else amends.new
    try:
        texts.apply(target, old, new)
    except ValueError as error:
        raise Invalid(str(error)) from None
    number = (motion.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = Amendment.objects.create(
        motion=motion,
        amends=amends,
        number=number,
        old=old,
        new=new,
        submitted_by=mandate.delegate,
    )
    append(
        motion.organization,
        actor=actor,
        action="amendment.submitted",
        payload={
            **_motion_ref(motion),
            "amendment": number,
            "amends": amends.number if amends else None,
            "old": old,
            "new": new,
            "by": mandate.delegate.name,
        },
    )
    return amendment


def _statute_changes(kind: str, statute_changes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return the rules a statute amendment changes, as stored; refuse them on other kinds."""
    if kind != Motion.Kind.STATUTE_AMENDMENT:
        if statute_changes:
            raise Invalid("only a statute amendment changes rules")
        return None
    if not statute_changes:
        raise Invalid("a statute amendment names the rules it changes")
    return {
        name: str(value) if not isinstance(value, bool | int) else value
        for name, value in clean_rules(dict(statute_changes)).items()
    }


@transaction.atomic
def propose_formulation(
    *,
    actor: Any,
    motion: Motion,
    mandate: Mandate,
    label: str,
    text: str,
    statute_changes: Mapping[str, Any] | None = None,
) -> Formulation:
    """Put a competing formulation of the motion's text (of a statute amendment: with its rules)."""
    require_holder(actor, mandate)
    motion = _locked(motion)
    _require_amendable(motion)
    _require_delegate_in(motion.session, mandate)
    changes = _statute_changes(motion.kind, statute_changes)
    label = _text(label, "the formulation's label", limit=100)
    if label == ABSTAIN:
        raise Invalid(f"{ABSTAIN!r} is not a formulation's label")
    if motion.formulations.filter(label=label).exists():
        raise Invalid(f"motion {motion.number} has a formulation {label!r} already")
    formulation = Formulation.objects.create(
        motion=motion,
        label=label,
        text=_text(text, "the formulation"),
        proposed_by=mandate.delegate,
        statute_changes=changes,
    )
    append(
        motion.organization,
        actor=actor,
        action="formulation.proposed",
        payload={
            **_motion_ref(motion),
            "label": label,
            "text": formulation.text,
            "statute_changes": changes,
        },
    )
    return formulation


def adopt_amendment(amendment: Amendment, *, actor: Any) -> None:
    """Apply an adopted amendment to the text it amends; called inside closing its poll."""
    if amendment.amends_id is None:
        motion = amendment.motion
        motion.text = texts.apply(motion.text, amendment.old, amendment.new)
        motion.save(update_fields=["text"])
    else:
        parent = amendment.amends
        parent.new = texts.apply(parent.new, amendment.old, amendment.new)
        parent.save(update_fields=["new"])


def adopt_motion(motion: Motion, *, actor: Any) -> None:
    """Carry out an adopted motion: a statute amendment makes the next statute version."""
    if motion.kind == Motion.Kind.STATUTE_AMENDMENT:
        amend_statute(
            actor=actor,
            organization=motion.organization,
            changes=dict(motion.statute_changes or {}),
            note=f"motion {motion.number}: {motion.title}",
        )


def _require_no_open_poll(motion: Motion) -> None:
    if motion.polls.filter(state="open").exists():
        raise Invalid(f"motion {motion.number} has a poll open; close it first")


@transaction.atomic
def put_amendment(*, actor: Any, amendment: Amendment, secret: bool = False) -> Any:
    """Put an amendment to the vote; a sub-amendment goes before the amendment it amends."""
    from sovet.polls.actions import open_poll

    motion = amendment.motion
    require_chair(actor, motion.session)
    motion = _locked(motion)
    _require_amendable(motion)
    _require_no_open_poll(motion)
    amendment = Amendment.objects.get(pk=amendment.pk)
    if amendment.state != Amendment.State.SUBMITTED:
        raise Invalid(f"amendment {amendment.number} is {amendment.state}")
    if amendment.sub_amendments.filter(state=Amendment.State.SUBMITTED).exists():
        raise Invalid(f"amendment {amendment.number} has sub-amendments to decide first")
    target = motion.text if amendment.amends_id is None else amendment.amends.new
    try:
        texts.apply(target, amendment.old, amendment.new)
    except ValueError as error:
        raise Invalid(f"amendment {amendment.number} no longer fits the text: {error}") from None
    return open_poll(
        actor=actor,
        council=motion.session.council,
        session=motion.session,
        question=f"Motion {motion.number}, amendment {amendment.number}: adopt?",
        secret=secret,
        purpose="amendment",
        subject={"motion": motion, "amendment": amendment},
    )


@transaction.atomic
def put_formulations(*, actor: Any, motion: Motion, secret: bool = False) -> Any:
    """Put the first two standing formulations against each other; the loser drops out."""
    from sovet.polls.actions import open_poll

    require_chair(actor, motion.session)
    motion = _locked(motion)
    _require_amendable(motion)
    _require_no_open_poll(motion)
    standing = list(motion.formulations.filter(eliminated=False)[:2])
    if len(standing) < 2:
        raise Invalid(f"motion {motion.number} has no competing formulations left to put")
    return open_poll(
        actor=actor,
        council=motion.session.council,
        session=motion.session,
        question=f"Motion {motion.number}: which formulation?",
        options=[*(formulation.label for formulation in standing), ABSTAIN],
        secret=secret,
        kind="choice",
        majority_rule="plurality",
        purpose="formulations",
        subject={"motion": motion},
    )


@transaction.atomic
def put_motion(*, actor: Any, motion: Motion, secret: bool = False) -> Any:
    """Put the motion (its surviving formulation, amendments applied) against the status quo."""
    from sovet.polls.actions import open_poll

    require_chair(actor, motion.session)
    motion = _locked(motion)
    if motion.state != Motion.State.ADMITTED:
        raise Invalid(f"motion {motion.number} is {motion.state}, not admitted")
    _require_no_open_poll(motion)
    if motion.amendments.filter(state=Amendment.State.SUBMITTED).exists():
        raise Invalid(f"motion {motion.number} has amendments to decide first")
    standing = list(motion.formulations.filter(eliminated=False))
    if len(standing) > 1:
        raise Invalid(f"motion {motion.number} has competing formulations to decide first")
    if standing:
        motion.text = standing[0].text
        motion.statute_changes = standing[0].statute_changes or motion.statute_changes
        motion.save(update_fields=["text", "statute_changes"])
    statute = current_statute(motion.organization)
    rule = (
        statute.statute_majority_rule
        if motion.kind == Motion.Kind.STATUTE_AMENDMENT
        else statute.majority_rule
    )
    poll = open_poll(
        actor=actor,
        council=motion.session.council,
        session=motion.session,
        question=f"Motion {motion.number}: {motion.title}",
        secret=secret,
        majority_rule=rule,
        purpose="motion",
        subject={"motion": motion},
    )
    motion.state = Motion.State.VOTING
    motion.save(update_fields=["state"])
    append(
        motion.organization,
        actor=actor,
        action="motion.put",
        payload={**_motion_ref(motion), "poll": poll.pk, "text": motion.text, "rule": rule},
    )
    return poll
