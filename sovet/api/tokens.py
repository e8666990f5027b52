"""Issuing, finding and revoking API tokens.

A token's secret is shown once, when it is issued; the database keeps only its SHA-256 digest,
so a copy of the database lets nobody act as the token's user.
"""

import datetime
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from sovet.api.models import ApiToken
from sovet.errors import Invalid, NotAllowed
from sovet.organizations.access import SIGN_IN, is_system
from sovet.organizations.models import Login
from sovet.sql import JoinedRows

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


def well_formed(secret: str) -> bool:
    """Whether the secret may be a token at all."""
    return secret.startswith(PREFIX) and len(secret) <= 200


def user_for(secret: str) -> Any:
    """Return the active user whose token this is, or None; note when the token was used."""
    found = _TOKEN_USER.fetch(secret, [])
    return None if found is None else found[0]


class TokenLookup:
    """A token's active user, with their login, read in one statement with the rows a request
    names (`tables`, LEFT JOINed by `joins` to the token's rows; `unselected` as JoinedRows
    has it); on PostgreSQL the same statement notes the token's use. A whole congress casts
    at once: a round trip for the token and another for the ballot's rows was one too many.
    """

    def __init__(
        self,
        tables: dict[str, type[models.Model]] | None = None,
        joins: str = "",
        unselected: dict[str, type[models.Model]] | None = None,
    ) -> None:
        tables = {"t": ApiToken, "u": get_user_model(), "l": Login, **(tables or {})}
        statement = (
            "FROM {t} t JOIN {u} u ON u.id = t.user_id LEFT JOIN {l} l ON l.user_id = u.id"
            f"{joins} WHERE t.digest = %s"
        )
        self.read = JoinedRows(tables, statement, unselected=unselected)
        # The time of use written by the same statement, saving a round trip and a commit; the
        # SELECT sees the row as it was before.
        self.read_and_touch = JoinedRows(
            tables,
            statement,
            prefix=(
                "WITH touched AS (UPDATE {t} SET last_used = %s WHERE digest = %s"
                " AND (last_used IS NULL OR last_used < %s)"
                " AND EXISTS (SELECT 1 FROM {u} u WHERE u.id = user_id AND u.is_active)) "
            ),
            unselected=unselected,
        )

    def fetch(self, secret: str, params: Sequence[Any]) -> tuple[Any, tuple[Any, ...]] | None:
        """Return the token's user and the other rows (`params` for `joins`), or None if the
        token is unknown or its user inactive."""
        if not well_formed(secret):
            return None
        now = timezone.now()
        token_digest = digest(secret)
        touched = connection.vendor == "postgresql"
        if touched:
            cutoff = now - USE_PRECISION
            found = self.read_and_touch.fetch([now, token_digest, cutoff, *params, token_digest])
        else:
            found = self.read.fetch([*params, token_digest])
        if found is None:
            return None
        token, user, login, *rows = found
        assert isinstance(token, ApiToken) and user is not None
        if not user.is_active:
            return None
        if not touched and (token.last_used is None or now - token.last_used > USE_PRECISION):
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        # The user with their login, as sovet.auth.Backend loads a browser's user: every action
        # asks for it. Not the login's user back: that cycle would leave both to the collector.
        user._state.fields_cache["login"] = login
        return user, tuple(rows)


_TOKEN_USER = TokenLookup()
