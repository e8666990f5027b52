"""Who may act on an organization: the permission chokepoints."""

from typing import Any

from sovet.errors import NotAllowed
from sovet.organizations.models import Membership, Organization, Status

SIGN_IN = "sign in first"
ONLY_ORGANIZERS = "only the organizers of {organization} may do this"
ONLY_ADMINS = "only an administrator of this installation may create organizations"


def is_system(actor: Any) -> bool:
    """Whether the actor is the installation itself (command line, example data)."""
    return actor is None


def require_admin(actor: Any) -> None:
    """Refuse unless the actor administers the installation."""
    if is_system(actor) or (actor.is_authenticated and actor.is_superuser):
        return
    raise NotAllowed(ONLY_ADMINS if actor.is_authenticated else SIGN_IN)


def can_organize(actor: Any, organization: Organization) -> bool:
    if is_system(actor):
        return True
    if not actor.is_authenticated:
        return False
    return actor.is_superuser or organization.organizers.filter(pk=actor.pk).exists()


def require_organizer(actor: Any, organization: Organization) -> None:
    """Refuse unless the actor is an organizer of the organization (or the installation)."""
    if can_organize(actor, organization):
        return
    if not actor.is_authenticated:
        raise NotAllowed(SIGN_IN)
    raise NotAllowed(ONLY_ORGANIZERS.format(organization=organization.name))


RECORD_CLOSED = (
    "the record of {organization} is open to its members and organizers: it names members"
)


def require_record_reader(actor: Any, organization: Organization) -> None:
    """Refuse unless the actor organizes the organization or belongs to it."""
    if can_organize(actor, organization):
        return
    if not actor.is_authenticated:
        raise NotAllowed(SIGN_IN)
    membership = membership_of(actor, organization)
    if membership is None or membership.status in (Status.LAPSED, Status.EXPELLED):
        raise NotAllowed(RECORD_CLOSED.format(organization=organization.name))


def membership_of(actor: Any, organization: Organization) -> Membership | None:
    """Return the actor's membership in the organization, if any."""
    if is_system(actor) or not actor.is_authenticated:
        return None
    return (
        Membership.objects.filter(organization=organization, person__login__user=actor)
        .select_related("unit", "person")
        .first()
    )
