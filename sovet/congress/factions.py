"""Factions: members declare one with a name and a platform, join it and leave it."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sovet.congress.models import Faction, FactionMembership
from sovet.errors import Invalid, NotAllowed
from sovet.organizations.access import SIGN_IN, is_system, membership_of
from sovet.organizations.models import Organization, Person, Status
from sovet.record.log import append, lock


def _member(actor: Any, organization: Organization, person: Person | None) -> Person:
    """Return the person acting: the actor's own membership (the installation names one)."""
    if is_system(actor):
        if person is None:
            raise Invalid("name the member")
        return person
    if not actor.is_authenticated:
        raise NotAllowed(SIGN_IN)
    membership = membership_of(actor, organization)
    if membership is None or membership.status in (Status.LAPSED, Status.EXPELLED):
        raise NotAllowed(f"only members of {organization.name} join its factions")
    if person is not None and person.pk != membership.person_id:
        raise NotAllowed("members join or leave factions for themselves")
    return membership.person


@transaction.atomic
def declare_faction(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    platform: str,
    person: Person | None = None,
) -> Faction:
    """Declare a faction with its platform; its declarer is its first member."""
    founder = _member(actor, organization, person)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise Invalid("a faction needs a name of 1 to 200 characters")
    lock(organization.pk)
    if Faction.objects.filter(organization=organization, name=name).exists():
        raise Invalid(f"{organization.name} has a faction {name!r} already")
    faction = Faction.objects.create(
        organization=organization, name=name, platform=platform.strip(), declared_at=timezone.now()
    )
    append(
        organization,
        actor=actor,
        action="faction.declared",
        payload={"faction": faction.pk, "name": name, "platform": faction.platform},
    )
    _join(actor, faction, founder)
    return faction


def _join(actor: Any, faction: Faction, person: Person) -> FactionMembership:
    left = FactionMembership.objects.filter(
        organization=faction.organization, person=person, active=True
    ).select_related("faction")
    previous = [membership.faction.name for membership in left]
    left.update(active=False)
    try:
        with transaction.atomic():
            membership = FactionMembership.objects.create(
                faction=faction, person=person, organization=faction.organization
            )
    except IntegrityError:
        raise Invalid(f"{person.name} is in a faction already") from None
    append(
        faction.organization,
        actor=actor,
        action="faction.joined",
        payload={
            "faction": faction.pk,
            "name": faction.name,
            "person": {"id": person.pk, "name": person.name},
            "left": previous,
        },
    )
    return membership


@transaction.atomic
def join_faction(
    *, actor: Any, faction: Faction, person: Person | None = None
) -> FactionMembership:
    """Join a faction; a member is in one faction at a time, so this leaves any other."""
    member = _member(actor, faction.organization, person)
    lock(faction.organization_id)
    if FactionMembership.objects.filter(faction=faction, person=member, active=True).exists():
        raise Invalid(f"{member.name} is in {faction.name} already")
    return _join(actor, faction, member)


@transaction.atomic
def leave_faction(*, actor: Any, faction: Faction, person: Person | None = None) -> None:
    """Leave a faction."""
    member = _member(actor, faction.organization, person)
    lock(faction.organization_id)
    left = FactionMembership.objects.filter(faction=faction, person=member, active=True).update(
        active=False
    )
    if not left:
        raise Invalid(f"{member.name} is not in {faction.name}")
    append(
        faction.organization,
        actor=actor,
        action="faction.left",
        payload={
            "faction": faction.pk,
            "name": faction.name,
            "person": {"id": member.pk, "name": member.name},
        },
    )
