"""Who is watching: the user of the browser's session cookie, read once on connecting.

Channels' AuthMiddlewareStack does this too, but its session middleware also wraps every
message sent for the connection's whole life, to save a session that a watcher never changes:
in a congress of 5,000 that wrapper ran for each of the thousands of turnouts sent a second.
"""

from importlib import import_module
from typing import Any

from channels.auth import get_user
from django.conf import settings
from django.http.cookie import parse_cookie


class SessionUser:
    """ASGI middleware: put the session's user (or an anonymous one) in the scope."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        cookies: dict[str, str] = {}
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                cookies = parse_cookie(value.decode("latin-1"))
        session = self.session_store(cookies.get(settings.SESSION_COOKIE_NAME))
        user = await get_user({"session": session})
        return await self.inner(dict(scope, user=user), receive, send)
