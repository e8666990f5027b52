"""Every write to councils, mandates and recalls (the procedure is in RECALL.md)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from sovet.councils import composition
from sovet.councils.access import require_delegate_or_organizer, require_unit_member
from sovet.councils.models import Council, Mandate, Recall, RecallSupport, Seats, Substitute
from sovet.errors import Invalid
from sovet.organizations.access import require_organizer
from sovet.organizations.models import Membership, Person, Statute, Unit, UnitLevel
from sovet.organizations.selectors import current_statute
from sovet.record.log import append, lock
from sovet.thresholds import supports_needed

LEVEL_NOT_BELOW = "the constituency level must lie below {unit}'s level ({level})"
NOT_A_CONSTITUENCY = "{unit} does not elect delegates to {council}"
NO_FREE_SEATS = "{unit} holds {seats} seat(s) on {council}, {taken} taken: no room for {votes} more"
NOT_IN_UNIT = "{person} is not a counted member of {unit}"
NOT_ACTIVE = "the mandate is {state}, not active"
RECALL_OPEN = "a recall of this mandate is already open"
RECALL_CLOSED = "the recall is {state}"
ALREADY_SUPPORTED = "you already support this recall"
MAX_SEATS = 1_000_000
MAX_VOTES = 1_000


@transaction.atomic
def create_council(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    constituency_level: UnitLevel,
    fixed_seats: int | None = None,
) -> Council:
    """Form a council of the unit, its delegates elected by the units of a lower level."""
    organization = unit.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    name = (name or "").strip()
    if not name:
        raise Invalid("name must not be empty")
    if (
        constituency_level.organization_id != organization.pk
        or constituency_level.depth <= unit.level.depth
    ):
        raise Invalid(LEVEL_NOT_BELOW.format(unit=unit.name, level=unit.level.name))
    if fixed_seats is not None and not 1 <= fixed_seats <= MAX_SEATS:
        raise Invalid(f"a council has from 1 to {MAX_SEATS:,} seats")
    council = Council.objects.create(
        organization=organization,
        unit=unit,
        name=name,
        constituency_level=constituency_level,
        fixed_seats=fixed_seats,
    )
    append(
        organization,
        actor=actor,
        action="council.formed",
        payload={
            "council": {"id": council.pk, "name": name},
            "unit": {"id": unit.pk, "code": unit.code},
            "constituency_level": constituency_level.name,
            "fixed_seats": fixed_seats,
        },
    )
    composition.recompose(council, actor=actor, statute=current_statute(organization))
    return council


def _require_counted_member(person: Person, unit: Unit, statute: Statute) -> Membership:
    membership = Membership.objects.filter(
        organization_id=unit.organization_id, person=person
    ).first()
    if (
        membership is None
        or membership.status not in statute.counted_statuses
        or not composition.is_within(membership.unit_id, unit.pk)
    ):
        raise Invalid(NOT_IN_UNIT.format(person=person.name, unit=unit.name))
    return membership


def _person_ref(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "name": person.name}


def _mandate_payload(mandate: Mandate) -> dict[str, Any]:
    return {
        "id": mandate.pk,
        "council": {"id": mandate.council_id, "name": mandate.council.name},
        "unit": {"id": mandate.unit_id, "code": mandate.unit.code},
        "delegate": _person_ref(mandate.delegate),
        "votes": mandate.votes,
        "term_start": str(mandate.term_start),
        "term_end": str(mandate.term_end) if mandate.term_end else None,
    }


@transaction.atomic
def issue_mandate(
    *,
    actor: Any,
    council: Council,
    unit: Unit,
    delegate: Person,
    votes: int = 1,
    term_start: datetime.date | None = None,
    term_end: datetime.date | None = None,
    substitutes: list[Person] | tuple[Person, ...] = (),
) -> Mandate:
    """Record a delegate's mandate from a unit to a council, with substitutes in order."""
    organization = council.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    statute = current_statute(organization)
    Council.objects.select_for_update(no_key=True).filter(pk=council.pk).get()
    seats = Seats.objects.filter(council=council, unit=unit).values_list("count", flat=True).first()
    if seats is None:
        raise Invalid(NOT_A_CONSTITUENCY.format(unit=unit.name, council=council.name))
    if not 1 <= votes <= MAX_VOTES:
        raise Invalid(f"a mandate carries from 1 to {MAX_VOTES:,} votes")
    taken = (
        Mandate.objects.filter(council=council, unit=unit, state=Mandate.State.ACTIVE).aggregate(
            total=Sum("votes")
        )["total"]
        or 0
    )
    if taken + votes > seats:
        raise Invalid(
            NO_FREE_SEATS.format(
                unit=unit.name, seats=seats, council=council.name, taken=taken, votes=votes
            )
        )
    _require_counted_member(delegate, unit, statute)
    people = [delegate, *substitutes]
    if len({person.pk for person in people}) != len(people):
        raise Invalid("the delegate and the substitutes must be different people")
    for substitute in substitutes:
        _require_counted_member(substitute, unit, statute)
    start = term_start or timezone.now().date()
    if term_end is not None and term_end < start:
        raise Invalid("the term cannot end before it starts")
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                council=council,
                unit=unit,
                delegate=delegate,
                votes=votes,
                term_start=start,
                term_end=term_end,
            )
    except IntegrityError:
        raise Invalid(f"{delegate.name} already holds a mandate on {council.name}") from None
    Substitute.objects.bulk_create(
        Substitute(mandate=mandate, person=person, rank=rank)
        for rank, person in enumerate(substitutes, start=1)
    )
    append(
        organization,
        actor=actor,
        action="mandate.issued",
        payload={
            "mandate": _mandate_payload(mandate),
            "substitutes": [_person_ref(person) for person in substitutes],
        },
    )
    return mandate


def _end_mandate(mandate: Mandate, state: str, statute: Statute) -> Mandate | None:
    """End a mandate and seat its first eligible substitute; return the new mandate, if any."""
    now = timezone.now()
    mandate.state = state
    mandate.ended_at = now
    mandate.save(update_fields=["state", "ended_at"])
    waiting = list(mandate.substitutes.select_related("person"))
    for index, substitute in enumerate(waiting):
        try:
            _require_counted_member(substitute.person, mandate.unit, statute)
        except Invalid:
            continue
        if Mandate.objects.filter(
            council_id=mandate.council_id, delegate=substitute.person, state=Mandate.State.ACTIVE
        ).exists():
            continue
        successor = Mandate.objects.create(
            council_id=mandate.council_id,
            unit=mandate.unit,
            delegate=substitute.person,
            votes=mandate.votes,
            term_start=now.date(),
            term_end=mandate.term_end,
            predecessor=mandate,
        )
        Substitute.objects.bulk_create(
            Substitute(mandate=successor, person=later.person, rank=rank)
            for rank, later in enumerate(waiting[index + 1 :], start=1)
        )
        return successor
    return None


def _abandon_recalls(mandates: list[Mandate], *, at: datetime.datetime | None) -> None:
    """Close the open recalls of mandates that ended some other way."""
    Recall.objects.filter(mandate__in=mandates, state=Recall.State.OPEN).update(
        state=Recall.State.ABANDONED, closed_at=at
    )


def _seat_payload(successor: Mandate | None) -> dict[str, Any]:
    if successor is None:
        return {"seat": "vacant", "by_election": True}
    return {"seat": "filled", "successor": _mandate_payload(successor)}


def _lock_active(mandate: Mandate) -> Mandate:
    mandate = (
        Mandate.objects.select_for_update(no_key=True)
        .select_related("council__organization", "unit", "delegate")
        .get(pk=mandate.pk)
    )
    if mandate.state != Mandate.State.ACTIVE:
        raise Invalid(NOT_ACTIVE.format(state=mandate.state))
    return mandate


@transaction.atomic
def resign_mandate(*, actor: Any, mandate: Mandate, reason: str = "") -> Mandate | None:
    """End a mandate at the delegate's wish; the first substitute takes the seat."""
    lock(mandate.council.organization_id)
    mandate = _lock_active(mandate)
    require_delegate_or_organizer(actor, mandate)
    organization = mandate.council.organization
    successor = _end_mandate(mandate, Mandate.State.RESIGNED, current_statute(organization))
    _abandon_recalls([mandate], at=mandate.ended_at)
    append(
        organization,
        actor=actor,
        action="mandate.resigned",
        payload={
            "mandate": _mandate_payload(mandate),
            "reason": reason,
            **_seat_payload(successor),
        },
    )
    return successor


@transaction.atomic
def expire_mandates(*, actor: Any, council: Council, today: datetime.date | None = None) -> int:
    """End the active mandates whose term ended before `today`; their seats await an election."""
    require_organizer(actor, council.organization)
    lock(council.organization_id)
    today = today or timezone.now().date()
    expired = list(
        Mandate.objects.select_for_update(no_key=True)
        .filter(council=council, state=Mandate.State.ACTIVE, term_end__lt=today)
        .select_related("council", "unit", "delegate")
    )
    if not expired:
        return 0
    now = timezone.now()
    Mandate.objects.filter(pk__in=[mandate.pk for mandate in expired]).update(
        state=Mandate.State.EXPIRED, ended_at=now
    )
    _abandon_recalls(expired, at=now)
    append(
        council.organization,
        actor=actor,
        action="mandates.expired",
        payload={
            "council": {"id": council.pk, "name": council.name},
            "on": str(today),
            "mandates": [_mandate_payload(mandate) for mandate in expired],
        },
    )
    return len(expired)


def release_mandates(
    organization_id: int, person_ids: list[int], *, actor: Any, statute: Statute
) -> None:
    """End the mandates of delegates who no longer count as members of the unit that gave them.

    Membership actions call this after a transfer or status change: the first eligible
    substitute takes the seat, as after a resignation.
    """
    mandates = Mandate.objects.filter(
        council__organization_id=organization_id,
        state=Mandate.State.ACTIVE,
        delegate_id__in=person_ids,
    ).select_related("council__organization", "unit", "delegate")
    for mandate in mandates:
        try:
            _require_counted_member(mandate.delegate, mandate.unit, statute)
        except Invalid as reason:
            successor = _end_mandate(mandate, Mandate.State.LAPSED, statute)
            _abandon_recalls([mandate], at=mandate.ended_at)
            append(
                mandate.council.organization,
                actor=actor,
                action="mandate.lapsed",
                payload={
                    "mandate": _mandate_payload(mandate),
                    "reason": reason.message,
                    **_seat_payload(successor),
                },
            )


def recall_progress(recall: Recall, unit: Unit, statute: Statute) -> tuple[int, int, int]:
    """Return (supports, eligible members, supports needed) under the statute's recall share.

    Only supports of people who still count as members of the unit count: a supporter who
    has since left or lapsed no longer speaks for it.
    """
    units, eligible = composition.subtree(unit, statute.criterion)
    supports = recall.supports.filter(
        membership__status__in=statute.counted_statuses, membership__unit_id__in=units
    ).count()
    return supports, eligible, supports_needed(statute.recall_share, eligible)


def _add_support(
    recall: Recall, membership: Membership, mandate: Mandate, statute: Statute, actor: Any
) -> Recall:
    try:
        with transaction.atomic():
            RecallSupport.objects.create(recall=recall, membership=membership, at=timezone.now())
    except IntegrityError:
        raise Invalid(ALREADY_SUPPORTED) from None
    supports, eligible, needed = recall_progress(recall, mandate.unit, statute)
    organization = mandate.council.organization
    progress = {"supports": supports, "eligible": eligible, "needed": needed}
    append(
        organization,
        actor=actor,
        action="recall.supported",
        payload={"recall": recall.pk, "mandate": mandate.pk, **progress},
    )
    if supports >= needed:
        now = timezone.now()
        recall.state = Recall.State.SUCCEEDED
        recall.closed_at = now
        recall.save(update_fields=["state", "closed_at"])
        successor = _end_mandate(mandate, Mandate.State.RECALLED, statute)
        append(
            organization,
            actor=actor,
            action="mandate.recalled",
            payload={
                "recall": recall.pk,
                "mandate": _mandate_payload(mandate),
                "recall_share": statute.rules()["recall_share"],
                **progress,
                **_seat_payload(successor),
            },
        )
    return recall


@transaction.atomic
def open_recall(*, actor: Any, mandate: Mandate, reason: str = "") -> Recall:
    """Open a recall of the unit's delegate; the opener is its first supporter."""
    lock(mandate.council.organization_id)
    mandate = _lock_active(mandate)
    organization = mandate.council.organization
    statute = current_statute(organization)
    membership = require_unit_member(actor, mandate.unit, statute, "recall its delegate")
    now = timezone.now()
    try:
        with transaction.atomic():
            recall = Recall.objects.create(mandate=mandate, opened_at=now, reason=reason.strip())
    except IntegrityError:
        raise Invalid(RECALL_OPEN) from None
    append(
        organization,
        actor=actor,
        action="recall.opened",
        payload={
            "recall": recall.pk,
            "mandate": _mandate_payload(mandate),
            "reason": recall.reason,
        },
    )
    return _add_support(recall, membership, mandate, statute, actor)


@transaction.atomic
def support_recall(*, actor: Any, recall: Recall) -> Recall:
    """Add the actor's support to an open recall; at the statute's share the mandate ends."""
    lock(recall.mandate.council.organization_id)
    recall = Recall.objects.select_for_update(no_key=True).get(pk=recall.pk)
    mandate = Mandate.objects.select_related("council__organization", "unit", "delegate").get(
        pk=recall.mandate_id
    )
    statute = current_statute(mandate.council.organization)
    membership = require_unit_member(
        actor, mandate.unit, statute, "support a recall of its delegate"
    )
    if recall.state != Recall.State.OPEN:
        raise Invalid(RECALL_CLOSED.format(state=recall.state))
    mandate = _lock_active(mandate)
    return _add_support(recall, membership, mandate, statute, actor)
