"""bench/congress_load's lean websocket reader, against the websockets library's own server."""

import asyncio
import json

import pytest
from websockets.asyncio.server import ServerConnection, serve

from bench.congress_load import Watcher


def _run(handler, check, **options) -> None:
    async def main() -> None:
        async with serve(handler, "127.0.0.1", 0, **options) as server:
            port = server.sockets[0].getsockname()[1]
            watcher = Watcher(0)
            try:
                await check(watcher, port)
            finally:
                watcher.abort()

    asyncio.run(main())


def test_it_reads_the_state_the_turnouts_and_the_result_and_answers_pings():
    pongs: list[float] = []
    cookies: list[str | None] = []

    async def handler(connection: ServerConnection) -> None:
        cookies.append(connection.request.headers.get("Cookie"))
        await connection.send(json.dumps({"type": "state", "polls": []}))
        # 200 bytes and 70,000: the two longer forms of a frame's length.
        await connection.send(json.dumps({"type": "poll.turnout", "pad": "x" * 200}))
        await connection.send(json.dumps({"type": "poll.turnout", "pad": "x" * 70_000}))
        pongs.append(await asyncio.wait_for(await connection.ping(b"are you there"), 5))
        await connection.send(json.dumps({"type": "poll.closed", "votes": 5000}))
        await connection.send(json.dumps({"type": "poll.turnout"}))  # after the result: not read
        await connection.wait_closed()

    async def check(watcher: Watcher, port: int) -> None:
        await watcher.connect(port, 7, "abc")
        await asyncio.wait_for(watcher.done, 5)
        assert watcher.state
        assert (watcher.turnouts, watcher.closed_votes) == (2, 5000)
        assert watcher.closed_at is not None

    _run(handler, check)
    assert cookies == ["sessionid=abc"]
    assert len(pongs) == 1


def test_a_refused_websocket_fails_to_connect():
    async def handler(connection: ServerConnection) -> None:
        await connection.close(4403)

    async def refused(connection: ServerConnection, request):
        return connection.respond(403, "no\n")

    async def check(watcher: Watcher, port: int) -> None:
        with pytest.raises(ValueError, match=r"refused the websocket: HTTP/1\.1 403"):
            await watcher.connect(port, 7, "abc")

    _run(handler, check, process_request=refused)


def test_a_connection_closed_before_the_result_ends_the_wait_without_it():
    async def handler(connection: ServerConnection) -> None:
        await connection.send(json.dumps({"type": "state"}))
        await connection.close()

    async def check(watcher: Watcher, port: int) -> None:
        await watcher.connect(port, 7, "abc")
        await asyncio.wait_for(watcher.done, 5)
        assert watcher.closed_at is None and watcher.closed_votes is None

    _run(handler, check)
