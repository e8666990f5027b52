"""Live updates: what happened in a session, sent to everyone watching it once it is committed.

Actions call `publish` inside their transaction; the event leaves only after commit, so nobody
sees what was rolled back. The channel layer is Redis when REDIS_URL is set (every server process
delivers every event), else in memory (one process); in each process the relay (live/relay.py)
hands an event to all its watchers of the session.

Ballots are the exception: a congress of thousands casts hundreds a second, and every event goes
to every watcher. A ballot only marks its poll's turnout as changed; the turnout, as counted in
the database then, goes out at most once per SOVET_TURNOUT_INTERVAL seconds from all server
processes together: a process sends it only if it can claim the poll's turn in Redis for the
interval, and else tries again after it, so the last ballot's count always goes out. The
in-memory layer (one process, `make run`) sends it with every ballot: its queues belong to the
server's event loop, which a timer's thread cannot reach. Either way each process writes the
turnouts to its watchers no more often than its audience allows (live/relay.py).
"""

import functools
import threading
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import connection, transaction

EVENT = "sovet.event"
TURNOUT = "poll.turnout"


def session_group(session_id: int) -> str:
    return f"session-{session_id}"


def publish(session_id: int | None, event: dict[str, Any]) -> None:
    """Send `event` to the session's watchers after the current transaction commits."""
    if session_id is not None:
        transaction.on_commit(lambda: _send(session_id, event))


def _send(session_id: int, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    group = session_group(session_id)
    if layer is not None and _may_be_watched(layer, group):
        message = {"type": EVENT, "session": session_id, "event": event}
        async_to_sync(layer.group_send)(group, message)


def _may_be_watched(layer: Any, group: str) -> bool:
    """Whether anyone may watch the group: the in-memory layer knows; Redis's may be elsewhere."""
    return not isinstance(layer, InMemoryChannelLayer) or group in layer.groups


def publish_turnout(session_id: int | None, poll_id: int) -> None:
    """Say, after commit, that the poll's turnout changed; it is sent within the interval."""
    if session_id is not None:
        transaction.on_commit(lambda: _turnouts.changed(session_id, poll_id))


def turnout_event(poll_id: int) -> dict[str, Any]:
    from django.db.models import Sum

    from sovet.polls.models import Participation

    votes = Participation.objects.filter(poll=poll_id).aggregate(votes=Sum("votes"))["votes"]
    return {"type": TURNOUT, "poll": poll_id, "votes_cast": votes or 0}


class _Turnouts:
    """The polls of this process whose turnout changed since it was last sent."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.due: dict[int, int] = {}
        self.timer: threading.Timer | None = None

    def changed(self, session_id: int, poll_id: int) -> None:
        interval = settings.SOVET_TURNOUT_INTERVAL
        layer = get_channel_layer()
        if interval <= 0 or isinstance(layer, InMemoryChannelLayer):
            # Counting the turnout costs a query: not for a session nobody here watches.
            if _may_be_watched(layer, session_group(session_id)):
                _send(session_id, turnout_event(poll_id))
            return
        with self.lock:
            self.due[poll_id] = session_id
            if self.timer is None:
                self.timer = threading.Timer(interval, self.send)
                self.timer.daemon = True
                self.timer.start()

    def send(self) -> None:
        with self.lock:
            due, self.due, self.timer = self.due, {}, None
        others_turn = {}
        try:
            for poll_id, session_id in due.items():
                if _claim_turn(poll_id):
                    _send(session_id, turnout_event(poll_id))
                else:
                    others_turn[poll_id] = session_id
        finally:
            connection.close()  # the timer thread's own
        for poll_id, session_id in others_turn.items():
            self.changed(session_id, poll_id)


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0])


def _claim_turn(poll_id: int) -> bool:
    """Whether this process sends the poll's turnout now: no other did within the interval."""
    interval_ms = max(1, round(1000 * settings.SOVET_TURNOUT_INTERVAL))
    try:
        return bool(_redis().set(f"sovet:turnout:{poll_id}", 1, nx=True, px=interval_ms))
    except redis.RedisError:
        return True  # better twice than never


_turnouts = _Turnouts()
