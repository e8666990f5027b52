"""The ASGI entry point: each request's synchronous work in a thread that outlives it."""

import threading

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core.signals import request_started

from sovet.asgi import Http


def _get(handler, path):
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }

    async def exchange():
        communicator = ApplicationCommunicator(handler, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(5)
        while (await communicator.receive_output(5)).get("more_body"):
            pass
        await communicator.wait(5)
        return start["status"]

    return async_to_sync(exchange)()


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
