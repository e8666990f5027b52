"""The live view of a session over a websocket: the state on connecting, then every event."""

import contextlib
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sovet.live.relay import relay


@database_sync_to_async
def _snapshot(session_id: int, user: Any) -> dict[str, Any] | None:
    """Return the session's state now, or None if it does not exist or the user may not see it."""
    from sovet.congress.models import Session
    from sovet.congress.sessions import quorum
    from sovet.errors import NotAllowed
    from sovet.organizations.access import require_record_reader
    from sovet.polls.models import Participation, Poll

    session = Session.objects.select_related("organization").filter(pk=session_id).first()
    if session is None:
        return None
    try:
        require_record_reader(user, session.organization)
    except NotAllowed:
        return None
    polls = []
    for poll in Poll.objects.filter(session=session).order_by("opened_at"):
        votes = sum(Participation.objects.filter(poll=poll).values_list("votes", flat=True))
        entry: dict[str, Any] = {"poll": poll.pk, "state": poll.state, "votes_cast": votes}
        if poll.state == Poll.State.CLOSED:
            entry |= {"tally": poll.tally, "result": poll.result}
        polls.append(entry)
    return {
        "type": "state",
        "session": session.pk,
        "state": session.state,
        "quorum": quorum(session).to_json(),
        "polls": polls,
        "record_length": session.organization.record_length,
    }


class SessionConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Everyone in a session: on (re)connecting the whole state, so no result is missed."""

    # No channel of its own (an alias not configured): events come through the relay.
    channel_layer_alias = None

    async def connect(self) -> None:
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.relay = relay()
        # Events are taken from before the state is read, and held until it is sent: what
        # happens meanwhile reaches this watcher after the state, never before it or not at all.
        self.held: deque[str] | None = deque()
        await self.relay.join(self.session_id, self)
        state = await _snapshot(self.session_id, self.scope.get("user"))
        if state is None:
            await self.relay.leave(self.session_id, self)
            await self.close(code=4403)
            return
        await self.accept()
        await self.send_json(state)
        while self.held:
            await self._write(self.held.popleft())
        self.held = None

    async def disconnect(self, code: int) -> None:
        await self.relay.leave(self.session_id, self)

    async def deliver(self, text: str) -> None:
        """Send an event's text (called by the relay)."""
        if self.held is not None:
            self.held.append(text)
        else:
            await self._write(text)

    async def _write(self, text: str) -> None:
        with contextlib.suppress(OSError):  # gone: its disconnect makes it leave
            await self.base_send({"type": "websocket.send", "text": text})
