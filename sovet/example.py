"""The example that `make run` loads: the Second Congress of the RSDLP, 1903, replayed.

It is built through the same actions as any organization (sovet/scenarios/congress_1903.py), so
its record shows how it came to be; the organizer chairs it, and Lenin, Martov and Plekhanov can
sign in with the example password. After the historical session, a practice session (marked as
not historical) stays open with a poll, so that a newcomer can sign in as a delegate and vote.
"""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from sovet.congress import sessions
from sovet.councils.models import Council, Mandate
from sovet.organizations.models import Organization
from sovet.polls.actions import open_poll
from sovet.scenarios import congress_1903

SLUG = "rsdlp-1903"
ORGANIZER = "organizer"
PRACTICE_SESSION = "Practice session (not historical): try the ballot"
PRACTICE_POLL = "Practice poll: should the minutes of the Second Congress be published?"


def _password() -> str:
    path = settings.VAR_DIR / "example-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def organizer_login() -> tuple[str, str]:
    """Return the example organizer's username and password, creating the login once."""
    password = _password()
    users = get_user_model()
    if not users.objects.filter(username=ORGANIZER).exists():
        users.objects.create_superuser(username=ORGANIZER, email="", password=password)
    return ORGANIZER, password


@transaction.atomic
def load() -> Organization:
    """Replay the 1903 congress into the example organization unless it exists; return it."""
    existing = Organization.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    organizer_login()
    organizer = get_user_model().objects.get(username=ORGANIZER)
    organization, _ = congress_1903.run(slug=SLUG, organizer=organizer, password=_password())
    _practice(organization, organizer)
    return organization


def _practice(organization: Organization, chair: Any) -> None:
    """Open a practice session of the congress, every delegate present, with an open poll."""
    council = Council.objects.get(organization=organization)
    session = sessions.convene_session(
        actor=chair,
        council=council,
        title=PRACTICE_SESSION,
        opens_on=datetime.date.today(),
        agenda=["Practice poll"],
    )
    mandates = list(
        Mandate.objects.filter(council=council, state=Mandate.State.ACTIVE).order_by("pk")
    )
    sessions.decide_credentials(actor=chair, session=session, mandates=mandates)
    session = sessions.open_session(actor=chair, session=session)
    for mandate in mandates:
        sessions.check_in(actor=chair, session=session, mandate=mandate)
    open_poll(actor=chair, council=council, session=session, question=PRACTICE_POLL)
