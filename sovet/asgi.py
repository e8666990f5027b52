"""ASGI entry point: pages and the API over HTTP, live session views over websockets."""

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import HttpResponseBase
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sovet.settings")
django.setup(set_prefix=False)


class Http(ASGIHandler):
    """Django's ASGI handler, with each request's synchronous work done in one visit to a thread.

    Django's handler visits a thread three times for a request: to signal its start, for the
    middleware and the view (which, with synchronous middleware, visits the event loop and a
    second thread in between), and to close the response; and it starts a thread per request,
    and asgiref one more to join it. Here a request is read and answered on the event loop and
    everything between is done in one visit, in an idle thread of earlier requests. The other
    visits were a quarter of the processor time of an API ballot.
    """

    def __init__(self) -> None:
        super().__init__()
        self.idle: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)  # the chain as under WSGI, run in the thread

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP connections, not {scope['type']}")
        executor = self.idle.pop() if self.idle else ThreadPoolExecutor(1, "request")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.idle.append(executor)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self.respond)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:  # read while it was sent: closed only now
                    await sync_to_async(response.close)()
        finally:
            body_file.close()

    def respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """The response to the request: what Django's handler does in its threads, except that
        a response which does not stream is closed before it is sent, not after."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        if not response.streaming:
            response.close()  # its content stays to be sent; its database connection goes back
            if request is not None:
                # The middleware ties the request into cycles (the lazy user's closure, the
                # messages' storage); emptied, it is freed now by reference counting rather
                # than by the collector later, with fifty objects of each request (below).
                request.__dict__.clear()
        return response


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
# generation every 50,000 objects instead lets what cycles remain die young, and what the
# imports made, which lives as long as the process, is kept out of every collection. API
# requests no longer leave cycles (Http.respond; a signed-in browser's user and login still
# make one): while a congress cast its ballots, each process had stopped for 80 ms of
# processor time every three seconds to collect theirs.
gc.freeze()
gc.set_threshold(50_000, 20, 10)
