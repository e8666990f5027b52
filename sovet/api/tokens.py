"""Issuing, finding and revoking API tokens.

A token's secret is shown once, when it is issued; the database keeps only its SHA-256 digest,
so a copy of the database lets nobody act as the token's user.
"""

import datetime
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from sovet.api.lookups import by_key
from sovet.api.models import ApiToken
from sovet.errors import Invalid, NotAllowed
from sovet.organizations.access import SIGN_IN, is_system

PREFIX = "sovet_"
# Writing the time of use on every request would make each read a write; a minute is precise enough.
USE_PRECISION = datetime.timedelta(minutes=1)
NOT_YOURS = "you may issue and revoke only your own tokens"
INACTIVE = "{username} is not an active user: their tokens would not work"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_self(actor: Any, user: Any) -> None:
    if is_system(actor):
        return
    if not actor.is_authenticated:
        raise NotAllowed(SIGN_IN)
    if actor.pk != user.pk:
        raise NotAllowed(NOT_YOURS)


@transaction.atomic
def issue_token(*, actor: Any, user: Any, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token for the user; return it with its secret, which is never shown again."""
    _require_self(actor, user)
    if not user.is_active:
        raise Invalid(INACTIVE.format(username=user.get_username()))
    name = " ".join(name.split()) or "API token"
    if len(name) > 100:
        raise Invalid("a token's name has at most 100 characters")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=digest(secret), created=timezone.now()
    )
    return token, secret


@transaction.atomic
def revoke_token(*, actor: Any, token: ApiToken) -> None:
    """Revoke a token: requests that send it are refused from now on."""
    _require_self(actor, token.user)
    ApiToken.objects.filter(pk=token.pk).delete()


def user_for(secret: str) -> Any:
    """Return the active user whose token this is, or None; note when the token was used."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    # With the login, as sovet.auth.Backend loads a browser's user: every action asks for it.
    token = by_key(ApiToken.objects.select_related("user__login"), digest=digest(secret))
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
