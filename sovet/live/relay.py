"""Each server process's watchers of each session, given every event of the session at once.

Channels would give each watcher a channel of its own in the session's group: with the Redis
layer a subscription each, and every event decoded, queued, dispatched and encoded as JSON once
per watcher. In a congress of 5,000 that was half of a server process's time while it also took
ballots (bench/congress_load). Here the process has one channel, in the group of every session
watched from it; an event is decoded and encoded once, and its text written to each watcher.

Writing a message to a watcher costs the process about 40 µs, most of it the kernel's send; a
turnout each second to 2,500 watchers took a tenth of a core from the ballots that moved it.
So an open poll's turnouts are written to a session's watchers at most
TURNOUT_WRITES_PER_SECOND times a second in all: the larger the audience here, the longer the
gap between them (2,500 watchers: 2 s; a handful: milliseconds). A turnout that comes within the
gap is held, a later one of its poll replacing it, and written when the gap has passed, or
before the session's next event: the last count always goes out, and never after what
followed it.
"""

import asyncio
import json
import logging
import math
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

from sovet.live.events import TURNOUT, session_group

log = logging.getLogger(__name__)

# Writing to a watcher does not wait on the network: after this many, let requests run too.
_WRITES_BETWEEN_PAUSES = 256
# About a twentieth of a core, at 40 µs a write.
TURNOUT_WRITES_PER_SECOND = 1_250


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
        # One event at a time is written, in the order it came: held turnouts go out meanwhile.
        self.writing = asyncio.Lock()
        self.held: dict[int, dict[int, dict[str, Any]]] = {}  # session: poll: its last turnout
        self.turnout_written: dict[int, float] = {}  # session: when (loop time)
        self.later: dict[int, asyncio.Task[None]] = {}  # session: writes its held turnouts

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
                self.held.pop(session_id, None)
                self.turnout_written.pop(session_id, None)
                if (later := self.later.pop(session_id, None)) is not None:
                    later.cancel()
                if self.channel is not None:  # None if it left before its join took the lock
                    await self.layer.group_discard(session_group(session_id), self.channel)
            if not self.watchers and self.reader is not None:
                self.reader.cancel()
                self.reader = self.channel = None

    async def _read(self, channel: str) -> None:
        while True:
            message = await self.layer.receive(channel)
            try:
                await self._give(message["session"], message["event"])
            except Exception:
                log.exception("a live event could not be given to the watchers of its session")

    async def _give(self, session_id: int, event: dict[str, Any]) -> None:
        """Write the event to the session's watchers, after its held turnouts; or hold it, if it
        is a turnout within the gap."""
        if not self.watchers.get(session_id):
            return  # its last watcher here left as it came
        turnout = event.get("type") == TURNOUT
        if turnout:
            self.held.setdefault(session_id, {})[event["poll"]] = event
            if self._turnout_wait(session_id) > 0:
                if session_id not in self.later:
                    self.later[session_id] = asyncio.create_task(self._write_later(session_id))
                return
        async with self.writing:
            await self._write_held(session_id)  # a turnout among them
            if not turnout:
                await self._fan_out(session_id, event)

    def _turnout_wait(self, session_id: int) -> float:
        """How long until the session's watchers here may be written a turnout again."""
        gap = len(self.watchers.get(session_id, ())) / TURNOUT_WRITES_PER_SECOND
        written = self.turnout_written.get(session_id, -math.inf)
        return written + gap - asyncio.get_running_loop().time()

    async def _write_later(self, session_id: int) -> None:
        # Again after each wait: an event may have written the held turnouts meanwhile.
        while (wait := self._turnout_wait(session_id)) > 0:
            await asyncio.sleep(wait)
        del self.later[session_id]  # a turnout held from now on waits for a task of its own
        try:
            async with self.writing:
                await self._write_held(session_id)
        except Exception:
            log.exception("a turnout could not be given to the watchers of its session")

    async def _write_held(self, session_id: int) -> None:
        held = self.held.pop(session_id, None)
        if held:
            self.turnout_written[session_id] = asyncio.get_running_loop().time()
            for event in held.values():
                await self._fan_out(session_id, event)

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
