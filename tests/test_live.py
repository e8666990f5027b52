"""Live session updates over websockets: the state on connecting, then every committed event.

Channels' in-memory layer here; with REDIS_URL the Redis layer carries the same events between
server processes (the last test checks that layer against the real Redis).
"""

import asyncio
import json
import os

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.db import connection
from django.test import Client

from sovet.asgi import application
from sovet.congress import bodies, sessions
from sovet.polls.actions import cast_ballot, close_poll, open_poll

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="live tests commit for real; the record's triggers keep SQLite from emptying the "
        "test database after them, so they run on PostgreSQL (CI's second pass)",
    ),
    pytest.mark.django_db(transaction=True),
]
REDIS_URL = os.environ.get("SOVET_TEST_REDIS", "redis://127.0.0.1:6379/15")


class WebsocketCommunicator(ApplicationCommunicator):
    """A websocket client for an ASGI application, in the test's event loop.

    (channels.testing has one, but importing it needs the daphne server, which Sovet does not use.)
    """

    def __init__(self, app, path, headers=()):
        scope = {"type": "websocket", "path": path, "headers": list(headers), "subprotocols": []}
        super().__init__(app, scope)

    async def connect(self, timeout=5):
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        return answer["type"] == "websocket.accept", answer.get("code")

    async def receive_json_from(self, timeout=5):
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def disconnect(self, code=1000, timeout=5):
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def _headers(client, user):
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return [(b"cookie", cookie), (b"origin", b"http://testserver")]


def _communicator(congress, headers):
    return WebsocketCommunicator(application, f"/ws/sessions/{congress.session.pk}/", headers)


def test_watchers_get_the_state_then_each_event_after_commit(congress, client):
    union = congress.union
    headers = _headers(client, congress.user(5))
    watcher = _communicator(congress, headers)

    async def scenario():
        connected, _ = await watcher.connect()
        assert connected
        state = await watcher.receive_json_from(timeout=5)
        assert state["type"] == "state" and state["quorum"]["present"] == 7
        await database_sync_to_async(sessions.check_out)(
            actor=union.organizer, session=congress.session, mandate=congress.mandate(4)
        )
        assert (await watcher.receive_json_from(timeout=5))["present"] == 6
        poll = await database_sync_to_async(open_poll)(
            actor=union.organizer,
            council=union.council,
            session=congress.session,
            question="Strike?",
            secret=True,
        )
        opened = await watcher.receive_json_from(timeout=5)
        assert (opened["type"], opened["poll"]) == ("poll.opened", poll.pk)
        await database_sync_to_async(cast_ballot)(
            actor=congress.user(0), poll=poll, mandate=congress.mandate(0), choice="no"
        )
        voted = await watcher.receive_json_from(timeout=5)
        # A secret poll's turnout moves; what was voted does not travel before it closes.
        assert voted == {"type": "poll.turnout", "poll": poll.pk, "votes_cast": 2}
        await database_sync_to_async(close_poll)(actor=union.organizer, poll=poll)
        closed = await watcher.receive_json_from(timeout=5)
        assert closed["type"] == "poll.closed" and closed["result"]["adopted"] is False
        await watcher.disconnect()

        # A watcher who connects again catches up from the state: no result is missed.
        again = _communicator(congress, headers)
        assert (await again.connect())[0]
        state = await again.receive_json_from(timeout=5)
        assert state["polls"][-1]["result"]["adopted"] is False
        await again.disconnect()

    async_to_sync(scenario)()


def test_an_election_tells_watchers_of_each_nomination_and_answer(congress, client):
    """Calling an election, nominating and the nominee's answer each reach the open pages,
    which fetch the election's candidates again (data-live-on="... election")."""
    union = congress.union
    watcher = _communicator(congress, _headers(client, congress.user(5)))
    nominee = congress.mandate(1).delegate

    async def scenario():
        assert (await watcher.connect())[0]
        assert (await watcher.receive_json_from(timeout=5))["type"] == "state"
        election = await database_sync_to_async(bodies.call_election)(
            actor=union.organizer, session=congress.session, body_name="Editorial board", seats=1
        )
        told = {"type": "election", "election": election.pk}
        assert await watcher.receive_json_from(timeout=5) == told
        candidate = await database_sync_to_async(bodies.nominate)(
            actor=union.organizer, election=election, person=nominee
        )
        assert await watcher.receive_json_from(timeout=5) == told
        await database_sync_to_async(bodies.answer_nomination)(
            actor=congress.user(1), candidate=candidate, accept=True
        )
        assert await watcher.receive_json_from(timeout=5) == told
        await watcher.disconnect()

    async_to_sync(scenario)()


def _session_poll(congress):
    union = congress.union
    return open_poll(
        actor=union.organizer, council=union.council, session=congress.session, question="Go?"
    )


def _vote_yes(congress, poll, delegates):
    """The delegates (by index) vote yes, each ballot in a transaction of its own."""
    for i in delegates:
        cast_ballot(actor=congress.user(i), poll=poll, mandate=congress.mandate(i), choice="yes")


def test_a_burst_of_ballots_sends_one_turnout_within_the_interval(
    congress, client, settings, redis_layer
):
    settings.SOVET_TURNOUT_INTERVAL = 1.0
    watcher = _communicator(congress, _headers(client, congress.user(5)))
    poll = _session_poll(congress)

    async def scenario():
        assert (await watcher.connect())[0]
        await watcher.receive_json_from(timeout=5)
        await database_sync_to_async(_vote_yes)(congress, poll, range(4))
        turnout = await watcher.receive_json_from(timeout=5)
        assert turnout == {"type": "poll.turnout", "poll": poll.pk, "votes_cast": 5}
        assert await watcher.receive_nothing(timeout=1.2)
        await watcher.disconnect()

    async_to_sync(scenario)()


def test_a_large_audience_gets_turnouts_less_often_but_always_the_last(
    congress, client, monkeypatch
):
    """A process spaces the turnouts it writes by its audience (here one watcher at half a write
    a second: two seconds apart); the turnouts in between are held, and the last goes out."""
    from sovet.live import relay

    monkeypatch.setattr(relay, "TURNOUT_WRITES_PER_SECOND", 0.5)
    watcher = _communicator(congress, _headers(client, congress.user(5)))
    poll = _session_poll(congress)

    async def scenario():
        assert (await watcher.connect())[0]
        await watcher.receive_json_from()
        # The in-memory layer sends a turnout with each ballot: the first goes out at once.
        await database_sync_to_async(_vote_yes)(congress, poll, range(4))
        first = await watcher.receive_json_from()
        assert first == {"type": "poll.turnout", "poll": poll.pk, "votes_cast": 2}
        assert await watcher.receive_nothing(timeout=1.0)
        last = await watcher.receive_json_from(timeout=5)
        assert last == {"type": "poll.turnout", "poll": poll.pk, "votes_cast": 5}
        assert await watcher.receive_nothing(timeout=2.5)
        await watcher.disconnect()

    async_to_sync(scenario)()


def test_a_held_turnout_goes_out_before_the_event_after_it(congress, client, monkeypatch):
    """Closing the poll does not wait for the gap, nor overtake the count before it."""
    from sovet.live import relay

    monkeypatch.setattr(relay, "TURNOUT_WRITES_PER_SECOND", 0.01)  # 100 s apart
    union = congress.union
    watcher = _communicator(congress, _headers(client, congress.user(5)))
    poll = _session_poll(congress)

    async def scenario():
        assert (await watcher.connect())[0]
        await watcher.receive_json_from()
        await database_sync_to_async(_vote_yes)(congress, poll, [0])
        assert (await watcher.receive_json_from())["votes_cast"] == 2
        await database_sync_to_async(_vote_yes)(congress, poll, [1, 2])
        assert await watcher.receive_nothing(timeout=0.5)
        await database_sync_to_async(close_poll)(actor=union.organizer, poll=poll)
        held = await watcher.receive_json_from()
        assert held == {"type": "poll.turnout", "poll": poll.pk, "votes_cast": 4}
        closed = await watcher.receive_json_from()
        assert (closed["type"], closed["votes"]) == ("poll.closed", 4)
        await watcher.disconnect()  # the last watcher: the relay stops waiting to write

    async_to_sync(scenario)()


def test_server_processes_take_turns_sending_the_turnout(
    congress, client, settings, redis_layer, monkeypatch
):
    """Two processes whose delegates voted: one sends the turnout, the other one interval later
    (without the turn in Redis both would send it at once, to every watcher)."""
    import redis

    from sovet.live import events

    settings.SOVET_TURNOUT_INTERVAL = 0.5
    one, two = events._Turnouts(), events._Turnouts()
    monkeypatch.setattr(events, "_turnouts", one)
    watcher = _communicator(congress, _headers(client, congress.user(5)))
    poll = _session_poll(congress)
    redis.Redis.from_url(REDIS_URL).delete(f"sovet:turnout:{poll.pk}")

    def vote():
        _vote_yes(congress, poll, range(3))
        two.changed(congress.session.pk, poll.pk)

    async def scenario():
        assert (await watcher.connect())[0]
        await watcher.receive_json_from(timeout=5)
        await database_sync_to_async(vote)()
        votes = sum(congress.mandate(i).votes for i in range(3))
        expected = {"type": "poll.turnout", "poll": poll.pk, "votes_cast": votes}
        assert await watcher.receive_json_from(timeout=5) == expected
        assert await watcher.receive_nothing(timeout=0.3)
        assert await watcher.receive_json_from(timeout=5) == expected
        assert await watcher.receive_nothing(timeout=1.2)
        await watcher.disconnect()

    async_to_sync(scenario)()


def test_a_process_is_in_a_session_group_once_however_many_watch(congress):
    """The relay: one channel of the process in the group, each event given to every watcher;
    the group left with the last watcher, so no event is sent for nobody."""
    from channels.layers import get_channel_layer

    from sovet.live.events import session_group

    union = congress.union
    group = session_group(congress.session.pk)
    watchers = [_communicator(congress, _headers(Client(), congress.user(i))) for i in (3, 4, 5)]

    async def scenario():
        layer = get_channel_layer()
        for watcher in watchers:
            assert (await watcher.connect())[0]
            assert (await watcher.receive_json_from())["type"] == "state"
        assert len(layer.groups[group]) == 1
        await database_sync_to_async(sessions.check_out)(
            actor=union.organizer, session=congress.session, mandate=congress.mandate(4)
        )
        for watcher in watchers:
            assert (await watcher.receive_json_from())["present"] == 6
        for watcher in watchers[:2]:
            await watcher.disconnect()
        assert len(layer.groups[group]) == 1
        await watchers[2].disconnect()
        assert group not in layer.groups

    async_to_sync(scenario)()


def test_an_event_while_the_state_is_read_comes_after_the_state(congress, client, monkeypatch):
    """A watcher connecting as something happens misses nothing and never sees it undone."""
    from sovet.live import consumers

    union = congress.union
    read_state = consumers._snapshot

    async def snapshot_then_check_out(session_id, user):
        state = await read_state(session_id, user)
        await database_sync_to_async(sessions.check_out)(
            actor=union.organizer, session=congress.session, mandate=congress.mandate(4)
        )
        await asyncio.sleep(0.1)  # the event reaches the relay before the state is sent
        return state

    monkeypatch.setattr(consumers, "_snapshot", snapshot_then_check_out)
    watcher = _communicator(congress, _headers(client, congress.user(5)))

    async def scenario():
        assert (await watcher.connect())[0]
        state = await watcher.receive_json_from()
        assert (state["type"], state["quorum"]["present"]) == ("state", 7)
        assert (await watcher.receive_json_from())["present"] == 6
        await watcher.disconnect()

    async_to_sync(scenario)()


def test_a_refused_action_sends_nothing(congress, client):
    union = congress.union
    watcher = _communicator(congress, _headers(client, congress.user(5)))

    async def scenario():
        assert (await watcher.connect())[0]
        await watcher.receive_json_from(timeout=5)
        with pytest.raises(Exception, match="present already"):
            await database_sync_to_async(sessions.check_in)(
                actor=union.organizer, session=congress.session, mandate=congress.mandate(1)
            )
        assert await watcher.receive_nothing(timeout=0.3)
        await watcher.disconnect()

    async_to_sync(scenario)()


def test_outsiders_and_strangers_are_refused(congress, client, outsider):
    refused = _communicator(congress, _headers(client, outsider))

    async def scenario():
        connected, code = await refused.connect()
        assert not connected and code == 4403
        foreign = WebsocketCommunicator(
            application,
            f"/ws/sessions/{congress.session.pk}/",
            headers=[(b"origin", b"http://evil.example")],
        )
        assert not (await foreign.connect())[0]
        # Nobody signed in: no cookie, or a session that does not exist.
        for cookie in ([], [(b"cookie", b"sessionid=nosuchsession")]):
            anonymous = _communicator(congress, [(b"origin", b"http://testserver"), *cookie])
            assert await anonymous.connect() == (False, 4403)

    async_to_sync(scenario)()


def require_redis():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not running at {REDIS_URL} ({error}); CI runs this test")


@pytest.fixture
def redis_layer(settings):
    """The Redis channel layer, as a server behind Redis has it."""
    require_redis()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_redis_layer_carries_events_between_processes():
    """Two layer instances stand for two server processes behind one Redis."""
    require_redis()
    from channels_redis.pubsub import RedisPubSubChannelLayer as Layer

    async def scenario():
        one, two = Layer(hosts=[REDIS_URL]), Layer(hosts=[REDIS_URL])
        channel = await two.new_channel()
        await two.group_add("session-test", channel)
        await one.group_send("session-test", {"type": "sovet.event", "event": {"n": 1}})
        message = await asyncio.wait_for(two.receive(channel), timeout=5)
        assert message["event"] == {"n": 1}
        await two.group_discard("session-test", channel)
        await one.flush()  # and closes its connections
        await two.flush()

    async_to_sync(scenario)()
