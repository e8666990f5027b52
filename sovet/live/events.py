"""Live updates: what happened in a session, sent to everyone watching it once it is committed.

Actions call `publish` inside their transaction; the event leaves only after commit, so nobody
sees what was rolled back. The channel layer is Redis when REDIS_URL is set (every server process
delivers every event), else in memory (one process).
"""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

EVENT = "sovet.event"


def session_group(session_id: int) -> str:
    return f"session-{session_id}"


def publish(session_id: int | None, event: dict[str, Any]) -> None:
    """Send `event` to the session's watchers after the current transaction commits."""
    if session_id is None:
        return
    group = session_group(session_id)
    transaction.on_commit(lambda: _send(group, event))


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, {"type": EVENT, "event": event})
