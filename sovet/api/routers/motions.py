"""Motions, by their number in the organization: submit, support, admit, amend, put, refer."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sovet.api.lookups import actor, named, one, organization, readable_organization
from sovet.api.routers.congress import mandate_named, session_at
from sovet.api.routers.polls import poll_out
from sovet.api.schemas import (
    AmendmentIn,
    AmendmentOut,
    FormulationIn,
    FormulationOut,
    Id,
    MandateRefIn,
    MotionDetail,
    MotionIn,
    MotionOut,
    Number,
    PollOut,
    PutIn,
    ReferIn,
    Slug,
    SupportOut,
    answers,
)
from sovet.congress import motions
from sovet.congress.models import Amendment, Formulation, Motion
from sovet.organizations.models import Organization
from sovet.polls.models import Poll

router = Router(tags=["motions"])


def _motion(motion: Motion) -> dict[str, Any]:
    return {
        "number": motion.number,
        "title": motion.title,
        "kind": motion.kind,
        "state": motion.state,
        "session": motion.session_id,
        "submitted_by": motion.submitted_by,
        "referred_to": motion.referred_to,
    }


def _amendment(amendment: Amendment) -> dict[str, Any]:
    return {
        "number": amendment.number,
        "amends": amendment.amends.number if amendment.amends_id else None,
        "old": amendment.old,
        "new": amendment.new,
        "submitted_by": amendment.submitted_by,
        "state": amendment.state,
    }


def _formulation(formulation: Formulation) -> dict[str, Any]:
    return {
        "label": formulation.label,
        "text": formulation.text,
        "proposed_by": formulation.proposed_by,
        "eliminated": formulation.eliminated,
        "statute_changes": formulation.statute_changes,
    }


def _motion_detail(motion: Motion) -> dict[str, Any]:
    motion = Motion.objects.select_related("submitted_by").get(pk=motion.pk)
    amendments = motion.amendments.select_related("submitted_by", "amends")
    return {
        **_motion(motion),
        "text": motion.text,
        "original_text": motion.original_text,
        "statute_changes": motion.statute_changes,
        "supporters": list(motion.supports.values_list("person__name", flat=True)),
        "amendments": [_amendment(amendment) for amendment in amendments],
        "formulations": [
            _formulation(f) for f in motion.formulations.select_related("proposed_by")
        ],
        "polls": list(
            Poll.objects.filter(motion=motion).order_by("opened_at").values_list("pk", flat=True)
        ),
    }


def _motion_at(org: Organization, number: int) -> Motion:
    return one(
        Motion.objects.filter(organization=org).select_related("organization", "session"),
        "motion",
        number,
        number=number,
    )


@router.get("/o/{slug}/motions", response=answers(list[MotionOut]))
def list_motions(request: HttpRequest, slug: Slug) -> Any:
    """The motions in order of their numbers (members and organizers)."""
    org = readable_organization(request, slug)
    found = Motion.objects.filter(organization=org).select_related("submitted_by")
    return [_motion(motion) for motion in found.order_by("number")]


@router.get("/o/{slug}/motions/{number}", response=answers(MotionDetail))
def get_motion(request: HttpRequest, slug: Slug, number: Number) -> Any:
    """A motion's text as amended and as submitted, its amendments, formulations and polls."""
    return _motion_detail(_motion_at(readable_organization(request, slug), number))


@router.post("/o/{slug}/sessions/{session_id}/motions", response=answers(MotionDetail, 201))
def submit_motion(request: HttpRequest, slug: Slug, session_id: Id, payload: MotionIn) -> Any:
    """Submit a motion in a delegate's name; the delegate is its first supporter."""
    org = organization(slug)
    motion = motions.submit_motion(
        actor=actor(request),
        session=session_at(org, session_id),
        mandate=mandate_named(org, payload.mandate),
        title=payload.title,
        text=payload.text,
        kind=payload.kind,
        statute_changes=payload.statute_changes,
    )
    return Status(201, _motion_detail(motion))


@router.post("/o/{slug}/motions/{number}/supports", response=answers(SupportOut))
def support_motion(request: HttpRequest, slug: Slug, number: Number, payload: MandateRefIn) -> Any:
    """Add a delegate's support to a motion (the delegate)."""
    org = organization(slug)
    supporters = motions.support_motion(
        actor=actor(request),
        motion=_motion_at(org, number),
        mandate=mandate_named(org, payload.mandate),
    )
    return {"supporters": supporters}


@router.post("/o/{slug}/motions/{number}/admit", response=answers(MotionDetail))
def admit_motion(request: HttpRequest, slug: Slug, number: Number) -> Any:
    """Admit a motion to debate once it has the supporters the statute asks (the chair)."""
    motion = _motion_at(organization(slug), number)
    return _motion_detail(motions.admit_motion(actor=actor(request), motion=motion))


@router.post("/o/{slug}/motions/{number}/withdraw", response=answers(MotionDetail))
def withdraw_motion(request: HttpRequest, slug: Slug, number: Number, payload: MandateRefIn) -> Any:
    """Withdraw a motion not yet put to the vote (the delegate who submitted it)."""
    org = organization(slug)
    motion = motions.withdraw_motion(
        actor=actor(request),
        motion=_motion_at(org, number),
        mandate=mandate_named(org, payload.mandate),
    )
    return _motion_detail(motion)


@router.post("/o/{slug}/motions/{number}/refer", response=answers(MotionDetail))
def refer_motion(request: HttpRequest, slug: Slug, number: Number, payload: ReferIn) -> Any:
    """Refer an admitted motion to a body or commission (the chair)."""
    motion = _motion_at(organization(slug), number)
    return _motion_detail(motions.refer_motion(actor=actor(request), motion=motion, to=payload.to))


@router.post("/o/{slug}/motions/{number}/amendments", response=answers(AmendmentOut, 201))
def submit_amendment(request: HttpRequest, slug: Slug, number: Number, payload: AmendmentIn) -> Any:
    """Propose to replace the words `old` of the text (or of an amendment) by `new`."""
    org = organization(slug)
    motion = _motion_at(org, number)
    amends = None
    if payload.amends is not None:
        amends = named(
            Amendment.objects.filter(motion=motion),
            "amendment",
            payload.amends,
            number=payload.amends,
        )
    amendment = motions.submit_amendment(
        actor=actor(request),
        motion=motion,
        mandate=mandate_named(org, payload.mandate),
        old=payload.old,
        new=payload.new,
        amends=amends,
    )
    return Status(201, _amendment(amendment))


@router.post(
    "/o/{slug}/motions/{number}/amendments/{amendment}/put",
    response=answers(PollOut, 201),
)
def put_amendment(
    request: HttpRequest, slug: Slug, number: Number, amendment: Number, payload: PutIn
) -> Any:
    """Put an amendment to the vote (the chair); answer the poll opened."""
    motion = _motion_at(organization(slug), number)
    found = one(
        Amendment.objects.filter(motion=motion).select_related("motion__session"),
        "amendment",
        amendment,
        number=amendment,
    )
    poll = motions.put_amendment(actor=actor(request), amendment=found, secret=payload.secret)
    return Status(201, poll_out(poll))


@router.post(
    "/o/{slug}/motions/{number}/formulations",
    response=answers(FormulationOut, 201),
)
def propose_formulation(
    request: HttpRequest, slug: Slug, number: Number, payload: FormulationIn
) -> Any:
    """Put a competing formulation of the motion's text (a delegate)."""
    org = organization(slug)
    formulation = motions.propose_formulation(
        actor=actor(request),
        motion=_motion_at(org, number),
        mandate=mandate_named(org, payload.mandate),
        label=payload.label,
        text=payload.text,
        statute_changes=payload.statute_changes,
    )
    return Status(201, _formulation(formulation))


@router.post(
    "/o/{slug}/motions/{number}/formulations/put",
    response=answers(PollOut, 201),
)
def put_formulations(request: HttpRequest, slug: Slug, number: Number, payload: PutIn) -> Any:
    """Put the first two standing formulations against each other (the chair)."""
    motion = _motion_at(organization(slug), number)
    poll = motions.put_formulations(actor=actor(request), motion=motion, secret=payload.secret)
    return Status(201, poll_out(poll))


@router.post("/o/{slug}/motions/{number}/put", response=answers(PollOut, 201))
def put_motion(request: HttpRequest, slug: Slug, number: Number, payload: PutIn) -> Any:
    """Put the motion against the status quo (the chair); answer the poll opened."""
    motion = _motion_at(organization(slug), number)
    poll = motions.put_motion(actor=actor(request), motion=motion, secret=payload.secret)
    return Status(201, poll_out(poll))
