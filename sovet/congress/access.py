"""Who may act in a session: the chair, and delegates for their own mandates."""

from typing import Any

from sovet.congress.models import Session
from sovet.councils.models import Mandate
from sovet.errors import NotAllowed
from sovet.organizations.access import SIGN_IN, is_system, require_organizer

NOT_YOUR_MANDATE = "only the delegate who holds the mandate may do this for it"


def require_chair(actor: Any, session: Session) -> None:
    """Refuse unless the actor chairs the session (the organizers chair sessions)."""
    require_organizer(actor, session.organization)


def require_holder_or_chair(actor: Any, session: Session, mandate: Mandate) -> None:
    """Refuse unless the actor holds the mandate or chairs the session."""
    if not is_system(actor):
        if not actor.is_authenticated:
            raise NotAllowed(SIGN_IN)
        login = getattr(actor, "login", None)
        if login is not None and login.person_id == mandate.delegate_id:
            return
    require_chair(actor, session)


def require_holder(actor: Any, mandate: Mandate) -> None:
    """Refuse unless the actor holds the mandate (the installation acts for anyone)."""
    if is_system(actor):
        return
    if not actor.is_authenticated:
        raise NotAllowed(SIGN_IN)
    login = getattr(actor, "login", None)
    if login is None or login.person_id != mandate.delegate_id:
        raise NotAllowed(NOT_YOUR_MANDATE)
