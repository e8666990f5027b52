"""The live view of a session over a websocket: the state on connecting, then every event."""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sovet.live.events import EVENT, session_group


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

    async def connect(self) -> None:
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        state = await _snapshot(self.session_id, self.scope.get("user"))
        if state is None:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(session_group(self.session_id), self.channel_name)
        await self.accept()
        await self.send_json(state)

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(session_group(self.session_id), self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # An event touches no database: skip the hop to the database thread that Channels makes
        # before every message to close stale connections, one per watcher and event, all of
        # a process's in one thread.
        if message["type"] == EVENT:
            await self.sovet_event(message)
        else:
            await super().dispatch(message)

    async def sovet_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
