"""A 5,000-delegate congress votes over HTTP while every delegate watches it live.

The issue's load test: against a server started with PostgreSQL and Redis and WORKERS uvicorn
worker processes, 5,000 signed-in delegates hold live connections (/ws/sessions/<id>/, with
their session cookie); each casts one ballot over HTTP (POST /api/o/<org>/polls/<id>/ballots,
with their API token) from separate load processes on loopback. Figures:
1. ballots/s: the ballots accepted / the wall-clock time from the first ballot sent to the last
   answered, with IN_FLIGHT requests in flight, each on a keep-alive connection of its own
   (as a proxy in front of the server would hold them). Goal:
   all 5,000 within 10 s, i.e. at least 500 ballots/s. A ballot answered 5xx, or whose
   connection was lost, is sent again (at most ATTEMPTS times, as a browser would; casting again
   changes nothing), and the note counts those answers. No ballot is sent after CAST_LIMIT
   seconds, so that a slow server ends the run in bounded time; the note says how many were not;
2. a ballot's latency, request sent to answer read (retries included): p50, and p99 (goal:
   under 500 ms);
3. the result reaching every live connection: once the ballots are in, this process closes the
   poll through the API and the watching process notes when each connection receives
   "poll.closed";
   the time from when the close request was sent to the last connection (goal: within 2 s: the
   close is part of it), and the same from the close request's answer (closing sends the event
   on commit, before the answer with its 5,000-line roll call, so this one is often negative);
4. the count: ballots counted (goal: all 5,000).
The goals are targets of figures (reported pass or FAIL); what is checked fails the run: every
ballot sent accepted in the end, as many Participation rows as ballots accepted (none lost,
none doubled), a tally matching the choices accepted, the record grown by exactly one poll.voted
entry per mandate accepted and the poll.closed entry, and every connection given the state on
connecting and the result with that count. The table is printed, and var/bench/NAME.json
written (with "checked": false), before the checks, so that a failed run still shows its figures.

Setup (untimed, with progress): a throwaway PostgreSQL database; the congress built by
`bench.poll.build` through the actions; an API token for each delegate (`issue_token`) and a
signed-in Django session (the session store, with the keys `login` writes); a chair appointed
organizer, with a token of their own, to close the poll; the poll opened (`open_poll`). Then
`uvicorn sovet.asgi:application --workers WORKERS` on a free loopback port, with DATABASE_URL,
REDIS_URL (Redis database REDIS_DB, emptied before and after) and SOVET_VAR shared with this
process (the same secret, signing and receipt keys); its output goes to
var/bench/congress_load-postgres/server.log. The server is stopped, workers and all, at the end.

The load comes from two asyncio programs, on uvloop as the server is: the watching process
(`python -m bench.congress_load watch PLAN`) opens the 5,000 websockets in batches and reads
every live message until the result, with as little Python as it can (`Watcher`: one process
plays 5,000 browsers on the server's cores); the casting process
(`python -m bench.congress_load cast PLAN`) casts the ballots meanwhile, with a minimal HTTP/1.1
client (the project pins no HTTP client). Two processes, as 5,000 browsers on their own devices
read their live messages without holding up each other's ballots: in one event loop every
ballot in flight waited while a turnout was read 5,000 times. Both share the two cores with
the server, PostgreSQL and Redis: the figures are those of the whole machine, whose load
average is kept with them.

SOVET_TURNOUT_INTERVAL (the server's, see sovet/live/events.py; each worker spaces the turnouts
it writes by its audience, sovet/live/relay.py) is passed through; so are
SOVET_BENCH_WORKERS and SOVET_BENCH_IN_FLIGHT, to try other settings. An unreachable PostgreSQL
or Redis is reported as not measured.
"""

import asyncio
import contextlib
import http.client
import json
import math
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from typing import cast as cast_type

import uvloop
from websockets.utils import accept_key, apply_mask, generate_key

from bench import (
    HIGHER,
    OUT_DIR,
    ROOT,
    check,
    figure,
    fresh_database,
    pg_name,
    postgres_database,
    step,
    table,
    timed,
)

NAME = "congress_load"
WORKERS = int(os.environ.get("SOVET_BENCH_WORKERS", "2"))
IN_FLIGHT = int(os.environ.get("SOVET_BENCH_IN_FLIGHT", "32"))
REDIS_DB = 14  # the benchmark's own; the live tests use 15
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
CONNECT_BATCH = 250  # websockets opened at once
CONNECT_PAUSE = 0.01  # s between opening the casting connections
ATTEMPTS = 5  # a ballot the server failed to answer is sent again, this often at most
RETRY_AFTER = 0.1  # s, times the attempt
CAST_LIMIT = 180.0  # s: no ballot is sent after this (the goal is 10 s)
RATE_GOAL = 500.0  # ballots/s: 5,000 within 10 s
P99_GOAL = 500.0  # ms
DELIVERY_GOAL = 2.0  # s
SERVER_START_TIMEOUT = 60.0  # s
DELIVERY_TIMEOUT = 60.0  # s: how long the watching process waits, once the poll is closed
PHASE_TIMEOUT = 900.0  # s: connecting, or casting
SLUG = "bench"
VAR_DIR = OUT_DIR / f"{NAME}-postgres"
CLOSED_MARK = b'"poll.closed"'  # how a live message that carries the result can be told cheaply


# ---------------------------------------------------------------------------------------------
# The load processes: python -m bench.congress_load watch|cast PLAN.json


class Http:
    """One HTTP/1.1 keep-alive connection to our own server: enough for small JSON requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        """Send one request and return its status and body; never retried (a POST casts)."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status_line = await self.reader.readline()
        if not status_line:
            self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        fields: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            await self.reader.readline()
            content = b"".join(parts)
        else:
            content = await self.reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, content

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Watcher(asyncio.Protocol):
    """One delegate's live connection: when the result came, and how many turnouts before it.

    A browser reads its messages in C++; this process plays 5,000 browsers on the server's
    two cores, so it reads them with as little Python as it can: the opening handshake is
    written and checked here, then each frame is told apart by its header, and only the
    first message (the state) and the result are decoded. The server sends every message
    whole, unmasked and uncompressed (`--ws-per-message-deflate false`); anything else ends
    the connection, as does a close frame. The server's keepalive pings are answered.
    """

    def __init__(self, index: int) -> None:
        self.index = index
        self.transport: asyncio.Transport | None = None
        self.key = generate_key()
        self.buffer = bytearray()
        self.upgraded = False
        self.open = False
        self.state = False
        self.turnouts = 0
        self.closed_at: float | None = None
        self.closed_votes: int | None = None
        loop = asyncio.get_running_loop()
        self.first: asyncio.Future[str] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()  # the result came, or the end

    async def connect(self, port: int, session: int, cookie: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.create_connection(lambda: self, "127.0.0.1", port), 60)
            assert self.transport is not None
            self.transport.write(
                (
                    f"GET /ws/sessions/{session}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    f"Sec-WebSocket-Key: {self.key}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                    f"Cookie: sessionid={cookie}\r\n\r\n"
                ).encode("latin-1")
            )
            first = json.loads(await asyncio.wait_for(self.first, 60))
        except BaseException:
            self.abort()
            raise
        self.open = True
        self.state = first.get("type") == "state"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast_type(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, error: Exception | None) -> None:
        self._end(ConnectionError(f"connection lost: {error}"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            if not self.upgraded:
                self._upgrade()
            while self.upgraded and self._frame():
                pass
        except ValueError as error:
            self._end(error)

    def _upgrade(self) -> None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        del self.buffer[: end + 4]
        fields = {n.strip().lower(): v.strip() for n, _, v in (h.partition(":") for h in head[1:])}
        if head[0].split()[1:2] != ["101"]:
            raise ValueError(f"the server refused the websocket: {head[0]}")
        if fields.get("sec-websocket-accept") != accept_key(self.key):
            raise ValueError("the server's Sec-WebSocket-Accept does not answer the key")
        self.upgraded = True

    def _frame(self) -> bool:
        """Take one whole frame off the buffer and act on it; False if none is whole yet."""
        buffer = self.buffer
        if len(buffer) < 2:
            return False
        first, length = buffer[0], buffer[1]
        if first & 0x70 or not first & 0x80 or length & 0x80:
            raise ValueError("a fragmented, compressed or masked frame from the server")
        start = 2
        if length >= 126:
            start = 4 if length == 126 else 10
            if len(buffer) < start:
                return False
            length = int.from_bytes(buffer[2:start], "big")
        if len(buffer) < start + length:
            return False
        opcode, payload = first & 0x0F, bytes(buffer[start : start + length])
        del buffer[: start + length]
        if opcode == 0x1:
            self._message(payload)
        elif opcode == 0x9:
            self._send(0xA, payload)
        elif opcode == 0x8:
            raise ValueError(f"the server closed the websocket: {payload[:2].hex()}")
        return True

    def _message(self, payload: bytes) -> None:
        if not self.first.done():
            self.first.set_result(payload.decode())
        elif self.done.done():
            return
        elif CLOSED_MARK in payload:
            self.closed_at = time.monotonic()
            self.closed_votes = json.loads(payload).get("votes")
            self._end(None)
        else:
            self.turnouts += 1

    def _send(self, opcode: int, payload: bytes) -> None:
        """Send a control frame, masked as a client's must be (RFC 6455 5.3)."""
        assert self.transport is not None and len(payload) < 126
        mask = os.urandom(4)
        self.transport.write(
            bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + apply_mask(payload, mask)
        )

    def _end(self, error: Exception | None) -> None:
        """The result came (error None), or the connection ended: stop waiting for either."""
        if error is not None and not self.first.done():
            self.first.set_exception(error)
        if not self.done.done():
            self.done.set_result(None)
        if error is not None:
            self.abort()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def _connect_all(plan: dict[str, Any]) -> tuple[list[Watcher], float, Counter[str]]:
    watchers = [Watcher(i) for i in range(plan["watchers"])]
    failures: Counter[str] = Counter()
    start = time.monotonic()
    for first in range(0, len(watchers), CONNECT_BATCH):
        batch = watchers[first : first + CONNECT_BATCH]
        results = await asyncio.gather(
            *(w.connect(plan["port"], plan["session"], plan["rows"][w.index][1]) for w in batch),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                failures[type(result).__name__ + ": " + str(result)[:100]] += 1
        done = first + len(batch)
        if done % 1000 == 0 or done == len(watchers):
            step(f"load: {done:,} websockets open, {time.monotonic() - start:.1f} s")
    return watchers, time.monotonic() - start, failures


async def _cast_all(plan: dict[str, Any]) -> dict[str, Any]:
    """Cast every ballot, IN_FLIGHT at once, each on its own connection; time each.

    The connections are opened before the clock starts, one at a time, so that each may be
    accepted by either worker: opened all at once, all were accepted by one and stayed there.

    No ballot is sent once CAST_LIMIT seconds have passed: a server too slow for the goal
    is measured on the ballots it took by then, and the checks count those.

    A ballot the server fails to answer (5xx, or the connection lost) is sent again, as a
    delegate's browser would, up to ATTEMPTS times: casting again changes nothing, and the
    checks afterwards catch a ballot counted twice. Its latency runs until it was accepted.
    """
    rows = plan["rows"]
    latencies: list[float | None] = [None] * len(rows)
    statuses: list[str] = ["not sent"] * len(rows)
    refusals: Counter[str] = Counter()
    errors: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(rows)):
        queue.put_nowait(index)
    path = f"/api/o/{plan['slug']}/polls/{plan['poll']}/ballots"

    def note(outcome: str, detail: str) -> None:
        refusals[outcome] += 1
        if len(errors) < 5:
            errors.append(f"{outcome}: {detail[:300]}")

    async def work(connection: Http) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            index = queue.get_nowait()
            token, _, mandate, choice = rows[index]
            body = json.dumps({"mandate": mandate, "choice": choice}).encode()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            before = time.monotonic()
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    status, answer = await connection.request("POST", path, headers, body)
                    outcome = str(status)
                    if status < 500:
                        break
                    note(outcome, answer.decode(errors="replace"))
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    connection.close()
                    outcome = type(error).__name__
                    note(outcome, str(error))
                if attempt < ATTEMPTS:
                    await asyncio.sleep(RETRY_AFTER * attempt)
            statuses[index] = outcome
            latencies[index] = time.monotonic() - before
        connection.close()

    connections = []
    for _ in range(plan["in_flight"]):
        connections.append(Http(plan["port"]))
        await connections[-1].open()
        await asyncio.sleep(CONNECT_PAUSE)
    started = time.monotonic()
    deadline = started + CAST_LIMIT
    await asyncio.gather(*(work(connection) for connection in connections))
    ended = time.monotonic()
    return {
        "started": started,
        "ended": ended,
        "latencies": latencies,
        "outcomes": statuses,
        "statuses": dict(Counter(statuses)),
        "refusals": dict(refusals),
        "errors": errors,
    }


def _report(out: Any, phase: str, **content: Any) -> None:
    out.write(json.dumps({"phase": phase, **content}) + "\n")
    out.flush()


async def watch(plan: dict[str, Any], out: Any) -> None:
    """Connect everyone; once told the poll is closing (a line on stdin), wait for the result
    on every connection; report each phase on `out`."""
    watchers, connect_s, failures = await asyncio.wait_for(_connect_all(plan), PHASE_TIMEOUT)
    _report(
        out,
        "connected",
        seconds=connect_s,
        open=sum(w.open for w in watchers),
        with_state=sum(w.state for w in watchers),
        failures=dict(failures),
    )
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    step("watch: waiting for the result on every connection")
    waits = [w.done for w in watchers if w.open]
    if waits:
        await asyncio.wait(waits, timeout=DELIVERY_TIMEOUT)
    _report(
        out,
        "delivered",
        arrivals=[w.closed_at for w in watchers],
        votes=[w.closed_votes for w in watchers],
        turnouts=[w.turnouts for w in watchers],
    )
    for watcher in watchers:
        watcher.abort()


async def cast(plan: dict[str, Any], out: Any) -> None:
    """Cast every ballot; report on `out`."""
    step(f"cast: {len(plan['rows']):,} ballots, {plan['in_flight']} in flight")
    _report(out, "cast", **await asyncio.wait_for(_cast_all(plan), PHASE_TIMEOUT))


ROLES = {"watch": watch, "cast": cast}


def load_main(role: str, plan_path: str) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    plan = json.loads(Path(plan_path).read_text())
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        # uvloop, as the server has it: the load processes share the machine with the server,
        # and the time they spend on their own event loops is taken from the server.
        uvloop.run(ROLES[role](plan, out))


# ---------------------------------------------------------------------------------------------
# The bench process


def _redis_unreachable() -> str | None:
    """Empty the benchmark's Redis database; say why not if Redis cannot be reached."""
    try:
        import redis
    except ImportError as error:
        return f"redis is not installed ({error})"
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
        client.flushdb()
        client.close()
    except redis.RedisError as error:
        return f"Redis unreachable at {REDIS_URL} ({error})"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, token: str | None = None, timeout: float = 5) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def server_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "sovet.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--lifespan",
        "off",
        "--log-level",
        "warning",
        "--ws-per-message-deflate",  # as `sovet run` serves
        "false",
    ]


@contextlib.contextmanager
def serving(log_path: Path) -> Iterator[tuple[int, list[str]]]:
    """Start the server in a process group of its own, wait until it answers, then stop it."""
    port = _free_port()
    command = server_command(port)
    env = dict(os.environ)
    env.pop("SOVET_DEBUG", None)
    env |= {
        "DJANGO_SETTINGS_MODULE": "sovet.settings",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": REDIS_URL,
        "SOVET_VAR": os.environ["SOVET_VAR"],
    }
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited ({server.returncode}); see {log_path}")
            try:
                _get(port, "/api/", timeout=1)
                break
            except OSError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer; see {log_path}") from error
                time.sleep(0.2)
        yield port, command
    finally:
        _stop(server)


def _stop(process: subprocess.Popen[Any]) -> None:
    """Stop a process started in a session of its own, with everything it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Workers the server left behind, if it died before them.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def prepare() -> dict[str, Any]:
    """Build the congress, issue tokens and sessions, appoint a chair, open the poll."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from bench.poll import build, delegates
    from sovet.api.tokens import issue_token
    from sovet.organizations.actions import appoint_organizer
    from sovet.polls.actions import open_poll

    # Cheap password hashing for 5,000 logins: nobody signs in with a password here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup: dict[str, float] = {}
    with timed() as t:
        call_command("migrate", verbosity=0, interactive=False)
    setup["migrate_s"] = t["s"]
    with timed() as t:
        congress = build(VAR_DIR)
    setup["build_s"] = t["s"]
    rows = delegates(congress)
    tokens: dict[int, str] = {}
    sessions: dict[int, str] = {}
    with timed() as t:
        for done, (user, _, _) in enumerate(rows, start=1):
            _, tokens[user.pk] = issue_token(actor=user, user=user, name="congress load")
            if done % 1000 == 0:
                step(f"issue_token: {done:,} / {len(rows):,}")
    setup["issue_token_s"] = t["s"]
    with timed() as t:
        for done, (user, _, _) in enumerate(rows, start=1):
            # What django.contrib.auth.login stores for a user signed in through our backend.
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            sessions[user.pk] = store.session_key
            if done % 1000 == 0:
                step(f"sessions: {done:,} / {len(rows):,}")
    setup["sessions_s"] = t["s"]
    chair = get_user_model().objects.create_user(username="chair", password=None)
    appoint_organizer(actor=None, organization=congress.organization, user=chair)
    _, chair_token = issue_token(actor=chair, user=chair, name="congress load chair")
    poll = open_poll(
        actor=None,
        council=congress.council,
        session=congress.session,
        question="Shall the congress adopt the programme?",
    )
    congress.organization.refresh_from_db()
    return {
        "congress": congress,
        "poll": poll,
        "chair_token": chair_token,
        "record_length": congress.organization.record_length,
        "setup_s": setup,
        "rows": [
            [tokens[user.pk], sessions[user.pk], mandate.pk, choice]
            for user, mandate, choice in rows
        ],
    }


def warm_up(port: int, poll_path: str, token: str) -> None:
    """Let each worker answer a few API requests before the clock runs (imports, first queries)."""
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _get(port, poll_path, token), range(40)))
    check(all(s == 200 for s in statuses), "the server answers the API (40 warm-up reads)")


def close_through_api(port: int, path: str, token: str) -> dict[str, Any]:
    """Close the poll as its chair would; when the request was sent and its answer read."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        sent = time.monotonic()
        connection.request("POST", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        body = response.read()
        returned = time.monotonic()
    finally:
        connection.close()
    return {"sent": sent, "returned": returned, "status": response.status, "bytes": len(body)}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def _read(load: subprocess.Popen[str], role: str, phase: str) -> dict[str, Any]:
    assert load.stdout is not None
    line = load.stdout.readline()
    if not line:
        raise RuntimeError(f"the {role} process ended before {phase} (exit {load.wait()})")
    report: dict[str, Any] = json.loads(line)
    if report["phase"] != phase:
        raise RuntimeError(f"the {role} process reported {report['phase']}, not {phase}")
    return report


def _start(role: str, plan_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.congress_load", role, str(plan_path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def run_load(port: int, prepared: dict[str, Any]) -> dict[str, Any]:
    """Run the load processes against the server; close the poll once the ballots are in."""
    poll, session = prepared["poll"], prepared["congress"].session
    plan_path = VAR_DIR / "plan.json"
    plan = {
        "port": port,
        "slug": SLUG,
        "poll": poll.pk,
        "session": session.pk,
        "in_flight": IN_FLIGHT,
        "watchers": len(prepared["rows"]),  # every delegate (fewer only to try things out)
        "rows": prepared["rows"],
    }
    plan_path.write_text(json.dumps(plan))
    watching = casting = None
    try:
        watching = _start("watch", plan_path)
        step(f"watching process: opening {len(plan['rows']):,} websockets")
        connected = _read(watching, "watch", "connected")
        casting = _start("cast", plan_path)
        step(f"casting process: casting, {IN_FLIGHT} in flight")
        cast = _read(casting, "cast", "cast")
        cast["load_average"] = os.getloadavg()
        assert watching.stdin is not None
        watching.stdin.write("closing\n")
        watching.stdin.flush()
        step("closing the poll through the API")
        close = close_through_api(
            port, f"/api/o/{SLUG}/polls/{poll.pk}/close", prepared["chair_token"]
        )
        delivered = _read(watching, "watch", "delivered")
        for process in (watching, casting):
            process.wait(timeout=60)
    finally:
        for process in (watching, casting):
            if process is not None:
                _stop(process)
        plan_path.unlink(missing_ok=True)
    return {"connected": connected, "cast": cast, "close": close, "delivered": delivered}


def verify(prepared: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """Check the ballots, the count, the record and the live connections; return the tally."""
    from django.db.models import Count

    from sovet.polls.models import Participation, Poll
    from sovet.record.models import RecordEntry

    rows = prepared["rows"]
    connected, cast, close, delivered = (
        run[key] for key in ("connected", "cast", "close", "delivered")
    )
    check(
        connected["open"] == len(rows) and connected["with_state"] == len(rows),
        f"{connected['open']:,} websockets open, {connected['with_state']:,} given the state"
        f" on connecting ({len(rows):,} expected; failures: {connected['failures'] or 'none'})",
    )
    accepted = [
        row for row, outcome in zip(rows, cast["outcomes"], strict=True) if outcome == "200"
    ]
    sent = {status: n for status, n in cast["statuses"].items() if status != "not sent"}
    check(
        sent == {"200": len(accepted)},
        f"every ballot sent was accepted in the end: {sent}"
        + (f"; first refusals: {cast['errors']}" if cast["errors"] else ""),
    )
    check(close["status"] == 200, f"the close request answered {close['status']}")
    poll = Poll.objects.get(pk=prepared["poll"].pk)
    participations = Participation.objects.filter(poll=poll).count()
    check(
        participations == len(accepted),
        f"{participations:,} Participation rows for {len(accepted):,} ballots accepted:"
        " none lost, none doubled",
    )
    tally = {row["choice"]: row["votes"] for row in poll.tally}
    wanted = Counter(choice for _, _, _, choice in accepted)
    check(
        poll.state == Poll.State.CLOSED
        and {choice: votes for choice, votes in tally.items() if votes} == dict(wanted),
        f"closed; the tally {tally} is the choices accepted {dict(wanted)}",
    )
    organization = prepared["congress"].organization
    organization.refresh_from_db()
    entries = RecordEntry.objects.filter(
        organization=organization, seq__gt=prepared["record_length"]
    )
    actions = dict(entries.values_list("action").annotate(n=Count("id")).order_by())
    voted = [
        json.loads(text)
        for text in entries.filter(action="poll.voted").values_list("payload", flat=True)
    ]
    mandates = {entry["mandate"] for entry in voted if entry["poll"] == poll.pk}
    check(
        actions == {"poll.voted": len(accepted), "poll.closed": 1}
        and organization.record_length == prepared["record_length"] + len(accepted) + 1
        and mandates == {mandate for _, _, mandate, _ in accepted},
        f"the record grew by {len(accepted):,} poll.voted entries, one per mandate, and"
        f" poll.closed ({actions})",
    )
    arrived = [a for a in delivered["arrivals"] if a is not None]
    check(
        len(arrived) == len(rows) and all(v == len(accepted) for v in delivered["votes"]),
        f"{len(arrived):,} of {len(rows):,} live connections got the result"
        f" (within {DELIVERY_TIMEOUT:.0f} s), each with {len(accepted):,} votes",
    )
    return tally


def figures_of(prepared: dict[str, Any], run: dict[str, Any]) -> list[dict[str, Any]]:
    from django.conf import settings

    from bench.poll import _series  # the same percentiles as the poll benchmark
    from sovet.live.relay import TURNOUT_WRITES_PER_SECOND

    cast, close, delivered = run["cast"], run["close"], run["delivered"]
    accepted = [
        s
        for s, outcome in zip(cast["latencies"], cast["outcomes"], strict=True)
        if outcome == "200"
    ]
    series = _series(accepted, cast["ended"] - cast["started"])
    unsent = cast["statuses"].get("not sent", 0)
    refused = sum(cast["refusals"].values())
    # A connection the result never reached (within DELIVERY_TIMEOUT) counts as infinitely late.
    arrivals = [math.inf if a is None else a for a in delivered["arrivals"]]
    missing = sum(1 for a in arrivals if a == math.inf)
    never = f"; {missing:,} never got it within {DELIVERY_TIMEOUT:.0f} s" if missing else ""
    after_answer = [a - close["returned"] for a in arrivals]
    after_sent = [a - close["sent"] for a in arrivals]
    early = sum(1 for a in after_answer if a < 0)
    turnouts = delivered["turnouts"]
    interval = settings.SOVET_TURNOUT_INTERVAL
    setup = prepared["setup_s"]
    return [
        figure(
            "1. ballots over HTTP, 5,000 delegates live",
            series["per_s"],
            "ballots/s",
            target=RATE_GOAL,
            better=HIGHER,
            note=f"{series['wall_s']:.1f} s for {len(accepted):,} (goal: 5,000 in 10 s)"
            + (f", {unsent:,} not sent within {CAST_LIMIT:.0f} s" if unsent else "")
            + f"; {IN_FLIGHT} in flight; {WORKERS} workers"
            + (
                f"; {refused:,} answers 5xx or lost, sent again: {cast['refusals']}"
                if refused
                else ""
            ),
        ),
        figure(
            "2a. ballot latency p50",
            series["p50_ms"],
            "ms",
            note=f"mean {series['mean_ms']:.0f} ms, max {series['max_ms']:.0f} ms",
        ),
        figure("2b. ballot latency p99", series["p99_ms"], "ms", target=P99_GOAL),
        figure(
            "3a. result to every connection, from the close request",
            max(after_sent),
            "s",
            target=DELIVERY_GOAL,
            note=f"p50 {_quantile(after_sent, 0.5):.2f} s, p99 {_quantile(after_sent, 0.99):.2f} s;"
            f" the close answered in {close['returned'] - close['sent']:.2f} s"
            f" ({close['bytes'] / 1e6:.1f} MB)" + never,
        ),
        figure(
            "3b. result to every connection, from the close's answer",
            max(after_answer),
            "s",
            note=f"p99 {_quantile(after_answer, 0.99):.2f} s; {early:,} had it before the answer",
        ),
        figure(
            "4. ballots counted",
            float(len(accepted)),
            "ballots",
            target=float(len(prepared["rows"])),
            better=HIGHER,
            note="Participation rows, tally and record entries checked equal to those accepted",
        ),
        figure(
            "5. turnout messages per connection",
            sum(turnouts) / len(turnouts),
            "messages",
            note=f"while casting; SOVET_TURNOUT_INTERVAL {interval:g} s, and each worker"
            f" writes to at most {TURNOUT_WRITES_PER_SECOND:,} watchers a second",
        ),
        figure(
            "9. setup: 5,000 websockets opened, each with its state",
            run["connected"]["seconds"],
            "s",
            note=f"in batches of {CONNECT_BATCH}; not a target",
        ),
        figure(
            "9. setup: congress built through the actions",
            setup["build_s"],
            "s",
            note=f"tokens {setup['issue_token_s']:.1f} s, sessions {setup['sessions_s']:.1f} s;"
            " not a target",
        ),
    ]


def not_measured(why: str) -> dict[str, Any]:
    step(f"not measured: {why}")
    note = f"not measured: {why}"
    return {
        "figures": [
            figure(name, None, unit, note=note)  # type: ignore[arg-type]
            for name, unit in (
                ("1. ballots over HTTP, 5,000 delegates live", "ballots/s"),
                ("2b. ballot latency p99", "ms"),
                ("3a. result to every connection, from the close request", "s"),
                ("4. ballots counted", "ballots"),
            )
        ],
        "info": {"not_measured": why},
    }


def main() -> dict[str, Any]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    unreachable = _redis_unreachable()
    if unreachable:
        return not_measured(unreachable)
    with postgres_database(pg_name(NAME)) as unreachable:
        if unreachable:
            return not_measured(unreachable)
        # This process sends no live events: the poll is closed through the server's API.
        os.environ.pop("REDIS_URL", None)
        note = fresh_database("postgres", NAME)
        step(f"{note}; migrating and building the congress")
        from django.conf import settings
        from django.db import connection

        info: dict[str, Any] = {
            "note": note,
            "workers": WORKERS,
            "in_flight": IN_FLIGHT,
            "turnout_interval_s": settings.SOVET_TURNOUT_INTERVAL,
            "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
            "load_average_at_start": os.getloadavg(),
        }
        prepared = prepare()
        info["setup_s"] = prepared["setup_s"]
        try:
            with serving(VAR_DIR / "server.log") as (port, command):
                info["server"] = " ".join(["uvicorn", *command[3:]])
                step(f"server: {info['server']}")
                warm_up(port, f"/api/o/{SLUG}/polls/{prepared['poll'].pk}", prepared["chair_token"])
                run = run_load(port, prepared)
        finally:
            _redis_unreachable()  # empty the benchmark's Redis database again
        info["load_average_after_casting"] = run["cast"]["load_average"]
        info["load_average_at_end"] = os.getloadavg()
        figures = figures_of(prepared, run)
        # Shown and kept before the checks, which end the run without the runner's table and
        # JSON when one fails; the runner rewrites the JSON when they pass.
        step(f"the figures, to be checked:\n{table(figures)}")
        kept = {"benchmark": NAME, "checked": False, "figures": figures, "info": info}
        (OUT_DIR / f"{NAME}.json").write_text(json.dumps(kept, indent=2) + "\n")
        info["tally"] = verify(prepared, run)
        info["close_s"] = run["close"]["returned"] - run["close"]["sent"]
        connection.close()
    return {"figures": figures, "info": info}


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ROLES:
        raise SystemExit("usage: python -m bench.congress_load watch|cast PLAN.json")
    load_main(sys.argv[1], sys.argv[2])
