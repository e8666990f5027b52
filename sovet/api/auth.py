"""Who is asking: an API token (Authorization: Bearer) or the browser's session.

A session is a cookie the browser sends by itself, so its unsafe requests must carry the CSRF
token as Django's forms do; a token is sent on purpose and needs no such check.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from sovet.api import tokens


class CsrfRefused(Exception):
    """A session request without a valid CSRF token."""


# Rows to read with a request's token: the lookup and its parameters.
Along = tuple[tokens.TokenLookup, list[Any]]


class TokenAuth(HttpBearer):
    """A token's user; `along` may name, for a request, rows to read in the same statement
    (a TokenLookup and its parameters), which the view then takes with `read_along`."""

    def __init__(self, along: Callable[[HttpRequest], Along | None] | None = None) -> None:
        super().__init__()
        self.along = along

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # Only a token that may be one has the request read further.
        well_formed = tokens.well_formed(token)
        along = self.along(request) if self.along is not None and well_formed else None
        if along is None:
            return tokens.user_for(token)
        lookup, params = along
        found = lookup.fetch(token, params)
        if found is None:
            return None
        user, rows = found
        request._read_along = (params, rows)  # type: ignore[attr-defined]
        return user


def read_along(request: HttpRequest, params: list[Any]) -> tuple[Any, ...] | None:
    """The rows read with the request's token for these parameters, if they were."""
    read = getattr(request, "_read_along", None)
    return read[1] if read is not None and read[0] == params else None


class SessionAuth(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Ninja would check CSRF here, before knowing whether anyone is signed in; an anonymous
        # request is better told to sign in than that its CSRF token is missing.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise CsrfRefused()
        return request.user


SIGNED_IN = [TokenAuth(), SessionAuth()]
SESSION = [SessionAuth()]
