"""Each server process's watchers of each session, given every event of the session at once.

Channels would give each watcher a channel of its own in the session's group: with the Redis
layer a subscription each, and every event decoded, queued, dispatched and encoded as JSON once
per watcher. In a congress of 5,000 that was half of a server process's time while it also took
ballots (bench/congress_load). Here the process has one channel, in the group of every session
watched from it; an event is decoded and encoded once, and its text written to each watcher.
"""

import asyncio
import json
import logging
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

from sovet.live.events import session_group

log = logging.getLogger(__name__)

# Writing to a watcher does not wait on the network: after this many, let requests run too.
_WRITES_BETWEEN_PAUSES = 256


class Watcher(Protocol):
    async def deliver(self, text: str) -> None: ...


class Relay:
    """The watchers of this process and event loop, by session; one channel in their groups."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.watchers: dict[int, set[Watcher]] = {}
        # Joining and leaving a group wait on Redis: one at a time, each deciding on the
        # watchers as they are when its turn comes.
        self.lock = asyncio.Lock()
        self.channel: str | None = None
        self.reader: asyncio.Task[None] | None = None

    async def join(self, session_id: int, watcher: Watcher) -> None:
        """Give `watcher` every event of the session sent from now on."""
        self.watchers.setdefault(session_id, set()).add(watcher)
        async with self.lock:
            if watcher not in self.watchers.get(session_id, ()):
                return  # it left while waiting
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                self.reader = asyncio.create_task(self._read(self.channel))
            # Again for each watcher: the in-memory layer forgets a membership after a day.
            await self.layer.group_add(session_group(session_id), self.channel)

    async def leave(self, session_id: int, watcher: Watcher) -> None:
        """Stop giving `watcher` events; leave the group when it was the last watcher here."""
        watchers = self.watchers.get(session_id)
        if watchers is None or watcher not in watchers:
            return
        watchers.discard(watcher)
        async with self.lock:
            if self.watchers.get(session_id) == set():
                del self.watchers[session_id]
                if self.channel is not None:  # None if it left before its join took the lock
                    await self.layer.group_discard(session_group(session_id), self.channel)
            if not self.watchers and self.reader is not None:
                self.reader.cancel()
                self.reader = self.channel = None

    async def _read(self, channel: str) -> None:
        while True:
            message = await self.layer.receive(channel)
            try:
                await self._fan_out(message["session"], message["event"])
            except Exception:
                log.exception("a live event could not be given to the watchers of its session")

    async def _fan_out(self, session_id: int, event: dict[str, Any]) -> None:
        text = json.dumps(event)
        for written, watcher in enumerate(list(self.watchers.get(session_id, ())), start=1):
            await watcher.deliver(text)
            if written % _WRITES_BETWEEN_PAUSES == 0:
                await asyncio.sleep(0)


_relays: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Relay] = weakref.WeakKeyDictionary()


def relay() -> Relay:
    """This event loop's relay, on the channel layer configured now."""
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    found = _relays.get(loop)
    if found is None or found.layer is not layer:
        found = _relays[loop] = Relay(layer)
    return found
