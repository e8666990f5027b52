"""Polls over HTTP: open, cast, close, read; what shows before and after closing."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sovet.api.models import ApiToken
from sovet.councils.models import Mandate
from sovet.polls.models import Participation, Poll, SecretBallot
from sovet.record.models import RecordEntry


def _open(client, congress, **body):
    council = congress.union.council.pk
    body = {"question": "Strike on Monday?", "session": congress.session.pk, **body}
    return client.post(f"/o/union/councils/{council}/polls", body)


def test_an_organizer_opens_a_poll_of_the_session(api, congress):
    status, poll = _open(api(congress.union.organizer), congress)
    assert status == 201
    assert poll["state"] == "open" and poll["session"] == congress.session.pk
    assert poll["options"] == ["yes", "no", "abstain"]
    assert poll["majority_rule"] == "simple"
    entry = RecordEntry.objects.filter(action="poll.opened").get()
    assert entry.actor == "organizer" and entry.data["poll"] == poll["id"]


def test_a_delegate_may_not_open_a_poll(api, congress):
    status, refusal = _open(api(congress.user(0)), congress)
    assert status == 403
    assert refusal == {
        "code": "not_allowed",
        "reason": "only the organizers of Transit Union may do this",
    }
    assert not Poll.objects.exists()


def test_a_secret_ballot_cast_twice_counts_once_with_the_same_receipt(api, congress):
    _, poll = _open(api(congress.union.organizer), congress, secret=True)
    voter = api(congress.user(0))
    url = f"/o/union/polls/{poll['id']}/ballots"
    status, first = voter.post(url, {"mandate": congress.mandate(0).pk, "choice": "yes"})
    assert status == 200 and len(first["receipt"].replace("-", "")) == 32
    again = voter.post(url, {"mandate": congress.mandate(0).pk, "choice": "no"})
    assert again == (200, first)
    assert Participation.objects.get().votes == 2
    assert sorted(SecretBallot.objects.values_list("choice", flat=True)) == ["yes", "yes"]

    status, read = voter.get(f"/o/union/polls/{poll['id']}")
    assert status == 200
    assert read["turnout"] == {"ballots": 1, "votes": 2}
    assert read["tally"] is None and read["result"] is None and read["roll_call"] is None


def test_a_delegate_votes_only_with_their_own_mandate(api, congress):
    _, poll = _open(api(congress.union.organizer), congress)
    status, refusal = api(congress.user(1)).post(
        f"/o/union/polls/{poll['id']}/ballots",
        {"mandate": congress.mandate(0).pk, "choice": "yes"},
    )
    assert status == 403 and refusal["code"] == "not_allowed"
    assert not Participation.objects.exists()


def test_an_open_poll_shows_its_running_tally_and_after_closing_its_result(api, congress):
    _, poll = _open(api(congress.union.organizer), congress)
    url = f"/o/union/polls/{poll['id']}"
    for index, choice in enumerate(["yes", "yes", "no", "abstain"]):
        status, _ = api(congress.user(index)).post(
            f"{url}/ballots", {"mandate": congress.mandate(index).pk, "choice": choice}
        )
        assert status == 200
    _, read = api(congress.user(5)).get(url)
    assert read["tally"] == [
        {"choice": "yes", "votes": 3},
        {"choice": "no", "votes": 1},
        {"choice": "abstain", "votes": 1},
    ]
    assert read["result"] is None and read["roll_call"] is None

    assert api(congress.user(0)).post(f"{url}/close")[0] == 403
    status, closed = api(congress.union.organizer).post(f"{url}/close")
    assert status == 200 and closed["state"] == "closed"
    assert closed["result"]["adopted"] is True
    assert closed["turnout"] == {"ballots": 4, "votes": 5}
    assert [row["delegate"]["name"] for row in closed["roll_call"]] == [
        "Member c0",
        "Member c1",
        "Member c2",
        "Member c3",
    ]
    assert closed["roll_call"][0]["ballot"] == [{"choice": "yes", "votes": 2}]

    status, refusal = api(congress.user(4)).post(
        f"{url}/ballots", {"mandate": congress.mandate(4).pk, "choice": "no"}
    )
    assert (status, refusal) == (400, {"code": "invalid", "reason": "the poll is closed"})


def test_a_closed_secret_poll_shows_its_tally_but_no_roll_call(api, congress):
    _, poll = _open(api(congress.union.organizer), congress, secret=True)
    url = f"/o/union/polls/{poll['id']}"
    api(congress.user(1)).post(
        f"{url}/ballots", {"mandate": congress.mandate(1).pk, "choice": "no"}
    )
    _, closed = api(congress.union.organizer).post(f"{url}/close")
    assert closed["tally"][1] == {"choice": "no", "votes": 1}
    assert closed["roll_call"] is None


def test_polls_are_listed_for_members_only(api, congress, outsider):
    _open(api(congress.union.organizer), congress)
    status, polls = api(congress.user(2)).get("/o/union/polls", state="open")
    assert status == 200 and [poll["question"] for poll in polls] == ["Strike on Monday?"]
    assert api(congress.user(2)).get("/o/union/polls", state="closed") == (200, [])
    status, refusal = api(outsider).get("/o/union/polls")
    assert status == 403 and refusal["code"] == "not_allowed"


def test_a_ballot_reads_its_token_with_what_it_names_in_one_statement(api, congress):
    _, poll = _open(api(congress.union.organizer), congress)
    url = f"/o/union/polls/{poll['id']}/ballots"
    token, mandate = ApiToken._meta.db_table, Mandate._meta.db_table
    for voter, mandate_named, together in (
        (0, congress.mandate(0).pk, True),
        # A body the lookup does not read as the operation does (a number as a string): the
        # token alone, then what the ballot names.
        (1, str(congress.mandate(1).pk), False),
    ):
        client = api(congress.user(voter))
        with CaptureQueriesContext(connection) as queries:
            status, _ = client.post(url, {"mandate": mandate_named, "choice": "yes"})
        assert status == 200
        if connection.vendor == "postgresql":
            # Prepared statements are logged without their text: the read (noting the token's
            # use), then the ballot's one statement.
            assert len(queries) == (2 if together else 3)
        else:
            reads = [q["sql"] for q in queries if f'FROM "{token}"' in q["sql"]]
            assert len(reads) == 1 and (f'"{mandate}"' in reads[0]) is together
    assert Participation.objects.filter(poll=poll["id"]).count() == 2


def test_a_ballot_with_an_unknown_token_is_refused_and_changes_nothing(api, congress):
    _, poll = _open(api(congress.union.organizer), congress)
    stranger = api()
    stranger.headers = {"Authorization": "Bearer sovet_unknown"}
    status, refusal = stranger.post(
        f"/o/union/polls/{poll['id']}/ballots",
        {"mandate": congress.mandate(0).pk, "choice": "yes"},
    )
    assert status == 401 and refusal["code"] == "sign_in"
    assert not Participation.objects.exists()


def test_a_ballot_nested_too_deep_to_read_is_refused_as_input(api, congress):
    _, poll = _open(api(congress.union.organizer), congress)
    voter = api(congress.user(0))
    deep = '{"mandate": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = voter.client.post(
        f"/api/o/union/polls/{poll['id']}/ballots",
        deep,
        content_type="application/json",
        headers=voter.headers,
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    assert not Participation.objects.exists()


def test_a_ballot_to_an_organization_no_slug_could_name_is_refused_as_input(api, congress):
    """What the path names is read with the token before the operation checks its input: a
    slug that cannot be one (here with a NUL, which PostgreSQL's text refuses) is not."""
    _, poll = _open(api(congress.union.organizer), congress)
    ballot = {"mandate": congress.mandate(0).pk, "choice": "yes"}
    for slug in ("a%00b", "UNION"):
        status, refusal = api(congress.user(0)).post(
            f"/o/{slug}/polls/{poll['id']}/ballots", ballot
        )
        assert status == 400 and refusal["code"] == "invalid_input"
    assert not Participation.objects.exists()
