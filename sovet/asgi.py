"""ASGI entry point: pages and the API over HTTP, live session views over websockets."""

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sovet.settings")
django.setup(set_prefix=False)


class Http(ASGIHandler):
    """Django's ASGI handler, each request's synchronous work in an idle thread of earlier
    requests. Django starts a thread for each request, and asgiref one more to join it: a
    tenth of a server process's time while a congress voted (py-spy, bench/congress_load)."""

    def __init__(self) -> None:
        super().__init__()
        self.idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP connections, not {scope['type']}")
        executor = self.idle.pop() if self.idle else ThreadPoolExecutor(1, "request")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.idle.append(executor)


http = Http()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (after Django's setup)
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from sovet.live.auth import SessionUser  # noqa: E402
from sovet.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AllowedHostsOriginValidator(SessionUser(URLRouter(websocket_urlpatterns))),
    }
)

# The cyclic garbage collector, tuned for a server holding thousands of websockets. With
# Python's defaults (700, 10, 10) each request's short-lived cycles pushed enough objects into
# the oldest generation that a full collection ran every few seconds over every connection's
# objects (half a million per process in a congress of 5,000), stopping the process for half a
# second each time (bench/congress_load: p99 latency 800 ms). Collecting the youngest
# generation every 50,000 objects instead lets those cycles die young, and what the imports made,
# which lives as long as the process, is kept out of every collection.
gc.freeze()
gc.set_threshold(50_000, 20, 10)
