"""Who is asking: an API token (Authorization: Bearer) or the browser's session.

A session is a cookie the browser sends by itself, so its unsafe requests must carry the CSRF
token as Django's forms do; a token is sent on purpose and needs no such check.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from sovet.api import tokens


class CsrfRefused(Exception):
    """A session request without a valid CSRF token."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return tokens.user_for(token)


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
