"""The example that `make run` loads: the Second Congress of the RSDLP, 1903, replayed.

It is built through the same actions as any organization (sovet/scenarios/congress_1903.py), so
its record shows how it came to be; the organizer chairs it, and Lenin, Martov and Plekhanov can
sign in with the example password.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from sovet.organizations.models import Organization
from sovet.scenarios import congress_1903

SLUG = "rsdlp-1903"
ORGANIZER = "organizer"


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
    return organization
