"""The ASGI entry point: each request's synchronous work in one visit to a thread that outlives
it."""

import gc
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core.signals import request_finished, request_started
from django.http import HttpRequest

from sovet.asgi import Http


def _scope(path):
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }


def _get(handler, path):
    scope = _scope(path)

    async def exchange():
        communicator = ApplicationCommunicator(handler, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(5)
        while (await communicator.receive_output(5)).get("more_body"):
            pass
        await communicator.wait(5)
        return start["status"]

    return async_to_sync(exchange)()


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self):
        super().__init__(1)
        self.visits = 0

    def submit(self, *args, **kwargs):
        self.visits += 1
        return super().submit(*args, **kwargs)


def test_requests_one_after_another_run_in_one_thread_not_a_new_one_each():
    threads = []

    def note_thread(**kwargs):
        threads.append(threading.get_ident())

    handler = Http()
    request_started.connect(note_thread)
    try:
        statuses = [_get(handler, "/api/") for _ in range(3)]
    finally:
        request_started.disconnect(note_thread)
    assert statuses == [404, 404, 404]
    assert len(set(threads)) == 1 and threads[0] != threading.get_ident()
    assert len(handler.idle) == 1


def test_only_http_is_served_by_django():
    with pytest.raises(ValueError, match="not websocket"):
        async_to_sync(Http())({"type": "websocket"}, None, None)


def test_a_request_is_answered_in_one_visit_to_its_thread():
    handler = Http()
    executor = CountingExecutor()
    handler.idle.append(executor)
    # Django's own handler visits four times: the start signal, the middleware, the view
    # (between them the event loop) and closing the response.
    assert _get(handler, "/api/") == 404
    assert executor.visits == 1


def test_an_answered_request_is_freed_at_once_not_left_to_the_cycle_collector():
    """The middleware ties the request into cycles (the lazy user's closure, the messages'
    storage); in a server of thousands of websockets, collecting them stopped a process."""
    handler = Http()
    gc.collect()
    gc.disable()
    try:
        assert _get(handler, "/api/openapi.json") == 200  # not a 404, whose log keeps it
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        assert not [o for o in gc.garbage if isinstance(o, HttpRequest)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


# WhiteNoise streams files from a synchronous iterator, which Django warns it reads whole.
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
def test_a_streamed_response_is_closed_once_all_of_it_was_sent():
    sent = []
    sent_when_closed = []

    def note(**kwargs):
        sent_when_closed.append(len(sent))

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    request_finished.connect(note)
    try:
        async_to_sync(Http())(_scope("/static/sovet/vendor/htmx.min.js"), receive, send)
    finally:
        request_finished.disconnect(note)
    assert sent[0]["status"] == 200 and len(sent) >= 3 and not sent[-1].get("more_body")
    assert sent_when_closed == [len(sent)]
