"""Who may vote in a poll."""

from typing import Any

from sovet.councils.models import Mandate
from sovet.errors import NotAllowed
from sovet.organizations.access import SIGN_IN, is_system
from sovet.polls.models import Poll

NOT_YOUR_MANDATE = "only the delegate who holds a mandate may cast its votes"
NOT_ON_COUNCIL = "your mandate is not on {council}, which this poll asks"
MANDATE_ENDED = "your mandate is {state}: only active mandates vote"


def require_voter(actor: Any, poll: Poll, mandate: Mandate) -> None:
    """Refuse unless the actor holds the active mandate on the poll's council."""
    if is_system(actor) or not actor.is_authenticated:
        raise NotAllowed(SIGN_IN)
    login = getattr(actor, "login", None)
    if login is None or login.person_id != mandate.delegate_id:
        raise NotAllowed(NOT_YOUR_MANDATE)
    if mandate.council_id != poll.council_id:
        raise NotAllowed(NOT_ON_COUNCIL.format(council=poll.council.name))
    if mandate.state != Mandate.State.ACTIVE:
        raise NotAllowed(MANDATE_ENDED.format(state=mandate.state))
