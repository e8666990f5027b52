"""Issuing, finding and revoking API tokens.

A token's secret is shown once, when it is issued; the database keeps only its SHA-256 digest,
so a copy of the database lets nobody act as the token's user.
"""

import datetime
import functools
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.sql import Query
from django.utils import timezone

from sovet.api.models import ApiToken
from sovet.errors import Invalid, NotAllowed
from sovet.organizations.access import SIGN_IN, is_system
from sovet.organizations.models import Login

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
    found = _token_user(digest(secret))
    if found is None:
        return None
    token_id, last_used, user = found
    if not user.is_active:
        return None
    now = timezone.now()
    if last_used is None or now - last_used > USE_PRECISION:
        ApiToken.objects.filter(pk=token_id).update(last_used=now)
    return user


@functools.cache
def _token_user_query() -> tuple[str, list[Any]]:
    """The query of `_token_user` and its columns' fields, written once: the ORM compiled it
    anew for every request, which under a congress's ballots took a quarter of a server
    process's time (py-spy)."""
    quote = connection.ops.quote_name
    fields = [ApiToken._meta.pk, ApiToken._meta.get_field("last_used")]
    fields += [*get_user_model()._meta.concrete_fields, *Login._meta.concrete_fields]
    tables = {ApiToken: "t", get_user_model(): "u", Login: "l"}
    sql = (
        f"SELECT {', '.join(f'{tables[f.model]}.{quote(f.column)}' for f in fields)} "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(get_user_model()._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(Login._meta.db_table)} l ON l.user_id = u.id "
        "WHERE t.digest = %s"
    )
    return sql, fields


def _token_user(token_digest: str) -> tuple[int, datetime.datetime | None, Any] | None:
    """Return the token's id, when it was last used, and its user with their login (as
    sovet.auth.Backend loads a browser's user: every action asks for it)."""
    sql, fields = _token_user_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_digest])
        row = cursor.fetchone()
    if row is None:
        return None
    # The database's own conversions of each column, as the ORM applies them (SQLite's times).
    compiler = connection.ops.compiler("SQLCompiler")(Query(None), connection, connection.alias)
    converters = compiler.get_converters(
        [field.get_col(field.model._meta.db_table) for field in fields]
    )
    token_id, last_used, *values = next(compiler.apply_converters([row], converters))
    names = [field.attname for field in fields[2:]]
    user_columns = len(get_user_model()._meta.concrete_fields)
    user = get_user_model().from_db(connection.alias, names[:user_columns], values[:user_columns])
    login = None
    if values[user_columns] is not None:
        login = Login.from_db(connection.alias, names[user_columns:], values[user_columns:])
        login._state.fields_cache["user"] = user
    user._state.fields_cache["login"] = login
    return token_id, last_used, user
