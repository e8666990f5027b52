"""Who may act on councils, mandates and recalls."""

from typing import Any

from sovet.councils import composition
from sovet.councils.models import Mandate
from sovet.errors import NotAllowed
from sovet.organizations.access import SIGN_IN, is_system, membership_of, require_organizer
from sovet.organizations.models import Membership, Statute, Unit

ONLY_UNIT_MEMBERS = "only members of {unit} may {what}"
NOT_COUNTED = "your membership is {status}: only members counted under the statute may {what}"


def require_unit_member(actor: Any, unit: Unit, statute: Statute, what: str) -> Membership:
    """Return the actor's membership if it counts in the unit; refuse anyone else with a reason."""
    if is_system(actor) or not actor.is_authenticated:
        raise NotAllowed(SIGN_IN)
    membership = membership_of(actor, unit.organization)
    if membership is None or not composition.is_within(membership.unit_id, unit.pk):
        raise NotAllowed(ONLY_UNIT_MEMBERS.format(unit=unit.name, what=what))
    if membership.status not in statute.counted_statuses:
        raise NotAllowed(NOT_COUNTED.format(status=membership.status, what=what))
    return membership


def require_delegate_or_organizer(actor: Any, mandate: Mandate) -> None:
    """Refuse unless the actor holds the mandate or organizes the organization."""
    login = None if is_system(actor) else getattr(actor, "login", None)
    if login is not None and login.person_id == mandate.delegate_id:
        return
    require_organizer(actor, mandate.council.organization)
