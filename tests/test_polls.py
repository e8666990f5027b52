"""Polls and secret ballots: one ballot per vote, receipts that find their ballot, nothing that
joins a ballot to its voter (polls/RECEIPTS.md)."""

import pytest
from django.apps import apps
from django.db import connection, models

from sovet import ledger
from sovet.councils.actions import issue_mandate
from sovet.errors import Invalid, NotAllowed
from sovet.polls.actions import cast_ballot, close_poll, open_poll
from sovet.polls.models import Participation, Poll, SecretBallot
from sovet.polls.receipts import normalize, receipt_digests
from sovet.polls.selectors import receipt_check
from sovet.record import signing
from sovet.record.models import RecordEntry, TreeHead


@pytest.fixture
def council(seated):
    """Three delegates on the union council: d0 and d3 from the depot, y0 from the yard."""
    union, members, first = seated
    yard = union.organization.memberships.get(number="y0")
    second = issue_mandate(
        actor=union.organizer, council=union.council, unit=union.depot, delegate=members[3].person
    )
    third = issue_mandate(
        actor=union.organizer, council=union.council, unit=union.yard, delegate=yard.person
    )
    voters = [(union.user(members[0]), first), (union.user(members[3]), second)]
    voters.append((union.user(yard), third))
    return union, voters


def entries(organization, action):
    return list(
        RecordEntry.objects.filter(organization=organization, action=action).order_by("seq")
    )


def test_secret_poll_receipt_verifies_end_to_end(council, client):
    union, voters = council
    poll = open_poll(
        actor=union.organizer, council=union.council, question="Strike on Monday?", secret=True
    )
    receipts = [
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice=choice)
        for (user, mandate), choice in zip(voters, ["yes", "yes", "no"], strict=True)
    ]
    assert SecretBallot.objects.filter(poll=poll, published_seq=None).count() == 3
    # Before the close, nothing is published: the receipt finds nothing.
    assert client.get(f"/o/union/receipts/{receipts[2]}.json").status_code == 400
    close_poll(actor=union.organizer, poll=poll)
    poll.refresh_from_db()
    assert poll.tally == [
        {"choice": "yes", "votes": 2},
        {"choice": "no", "votes": 1},
        {"choice": "abstain", "votes": 0},
    ]

    answer = client.get(f"/o/union/receipts/{receipts[2]}.json")
    assert answer.status_code == 200
    found = answer.json()
    head = found["tree_head"]
    signing.verify_head("union", head)
    [ballot] = found["ballots"]
    assert ballot["choice"] == "no"
    assert ballot["receipt_digest"] == receipt_digests(receipts[2], 1)[0]
    inclusion = ballot["inclusion"]
    leaf = bytes.fromhex(inclusion["leaf_data"])
    ledger.verify_inclusion(
        ledger.leaf_hash(leaf),
        inclusion["leaf_index"],
        head["tree_size"],
        [bytes.fromhex(step) for step in inclusion["proof"]],
        bytes.fromhex(head["root_hash"]),
    )
    assert b'"choice":"no"' in leaf
    assert ballot["receipt_digest"].encode() in leaf


def test_ballots_equal_votes_and_are_published_in_digest_order(council):
    union, voters = council
    poll = open_poll(actor=union.organizer, council=union.council, question="Q?", secret=True)
    for user, mandate in voters:
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice="abstain")
    close_poll(actor=union.organizer, poll=poll)
    published = entries(union.organization, "poll.ballot")
    voted = entries(union.organization, "poll.voted")
    assert len(published) == len(voted) == 3
    digests = [entry.data["receipt"] for entry in published]
    assert digests == sorted(digests)
    assert [entry.seq for entry in published] == list(range(published[0].seq, published[0].seq + 3))
    closed = entries(union.organization, "poll.closed")[-1]
    assert closed.data["votes"] == 3
    head = TreeHead.objects.filter(organization=union.organization).last()
    assert head.reason == TreeHead.Reason.POLL_CLOSED
    assert head.tree_size == closed.seq


def test_voting_again_returns_the_first_receipt_and_casts_nothing(council):
    union, voters = council
    user, mandate = voters[0]
    poll = open_poll(actor=union.organizer, council=union.council, question="Q?", secret=True)
    first = cast_ballot(actor=user, poll=poll, mandate=mandate, choice="yes")
    again = cast_ballot(actor=user, poll=poll, mandate=mandate, choice="no")
    assert first == again
    assert len(normalize(first)) == 32
    assert SecretBallot.objects.filter(poll=poll).count() == 1
    assert SecretBallot.objects.get(poll=poll).choice == "yes"
    assert len(entries(union.organization, "poll.voted")) == 1


def test_a_weighted_mandate_casts_one_ballot_per_vote(union):
    members = [union.member(union.depot, f"w{i}", login=True) for i in range(15)]
    mandate = issue_mandate(
        actor=union.organizer,
        council=union.council,
        unit=union.depot,
        delegate=members[0].person,
        votes=2,
    )
    poll = open_poll(actor=union.organizer, council=union.council, question="Q?", secret=True)
    code = cast_ballot(actor=union.user(members[0]), poll=poll, mandate=mandate, choice="no")
    ballots = SecretBallot.objects.filter(poll=poll)
    assert sorted(ballot.receipt_digest for ballot in ballots) == sorted(receipt_digests(code, 2))
    close_poll(actor=union.organizer, poll=poll)
    poll.refresh_from_db()
    assert {"choice": "no", "votes": 2} in poll.tally
    assert len(receipt_check(union.organization, code)["ballots"]) == 2


def test_open_poll_keeps_the_roll_call(council):
    union, voters = council
    poll = open_poll(
        actor=union.organizer,
        council=union.council,
        question="Q?",
        options=["A", "B"],
        kind="choice",
    )
    for (user, mandate), choice in zip(voters, ["A", "B", "B"], strict=True):
        assert cast_ballot(actor=user, poll=poll, mandate=mandate, choice=choice) is None
    close_poll(actor=union.organizer, poll=poll)
    poll.refresh_from_db()
    assert poll.tally == [{"choice": "A", "votes": 1}, {"choice": "B", "votes": 2}]
    assert [entry.data["ballot"] for entry in entries(union.organization, "poll.voted")] == [
        [{"choice": "A", "votes": 1}],
        [{"choice": "B", "votes": 1}],
        [{"choice": "B", "votes": 1}],
    ]
    assert not SecretBallot.objects.exists()


def test_no_column_can_join_a_secret_ballot_to_its_voter():
    """The ballot table holds its digest, its poll and its choice: nothing else to join on."""
    ballot_fields = {field.name: field for field in SecretBallot._meta.concrete_fields}
    assert set(ballot_fields) == {"receipt_digest", "poll", "choice", "published_seq"}
    for field in ballot_fields.values():
        assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField)
        if field.is_relation:
            assert field.related_model is Poll
    # Nothing refers to a ballot, and no other table keeps a column named like its key.
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            assert field.related_model is not SecretBallot, f"{model.__name__}.{field.name}"
            if model is not SecretBallot:
                assert "receipt" not in field.name, f"{model.__name__}.{field.name}"
    participation = {field.name for field in Participation._meta.concrete_fields}
    assert participation & set(ballot_fields) == {"poll"}


def test_a_ballot_digest_appears_nowhere_but_its_row_and_its_publication(council):
    union, voters = council
    poll = open_poll(actor=union.organizer, council=union.council, question="Q?", secret=True)
    code = cast_ballot(actor=voters[0][0], poll=poll, mandate=voters[0][1], choice="yes")
    digest = receipt_digests(code, 1)[0]

    def tables_holding(text):
        holding = []
        with connection.cursor() as cursor:
            for model in apps.get_models():
                columns = [
                    field.column
                    for field in model._meta.concrete_fields
                    if isinstance(field, models.CharField | models.TextField)
                ]
                for column in columns:
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE {connection.ops.quote_name(column)} "
                        "LIKE %s",
                        [f"%{text}%"],
                    )
                    if cursor.fetchone()[0]:
                        holding.append(f"{model._meta.db_table}.{column}")
        return holding

    assert tables_holding(digest) == ["polls_secretballot.receipt_digest"]
    assert tables_holding(normalize(code)) == []
    close_poll(actor=union.organizer, poll=poll)
    assert sorted(tables_holding(digest)) == [
        "polls_secretballot.receipt_digest",
        "record_recordentry.payload",
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [(["yes"], "from 2 to"), (["a", "a"], "only once"), (["a", " "], "1 to 200")],
)
def test_open_poll_refuses_bad_choices(union, options, message):
    with pytest.raises(Invalid, match=message):
        open_poll(
            actor=union.organizer,
            council=union.council,
            question="Q?",
            options=options,
            kind="choice",
        )
    assert not Poll.objects.exists()


def test_only_the_delegate_casts_and_only_while_open(council, outsider):
    union, voters = council
    poll = open_poll(actor=union.organizer, council=union.council, question="Q?", secret=True)
    user, mandate = voters[0]
    with pytest.raises(NotAllowed, match="only the delegate"):
        cast_ballot(actor=voters[1][0], poll=poll, mandate=mandate, choice="yes")
    with pytest.raises(NotAllowed, match="only the delegate"):
        cast_ballot(actor=union.organizer, poll=poll, mandate=mandate, choice="yes")
    with pytest.raises(Invalid, match="not on the ballot"):
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice="perhaps")
    with pytest.raises(NotAllowed, match="organizers"):
        close_poll(actor=outsider, poll=poll)
    close_poll(actor=union.organizer, poll=poll)
    with pytest.raises(Invalid, match="closed"):
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice="yes")
    with pytest.raises(Invalid, match="closed"):
        close_poll(actor=union.organizer, poll=poll)
    assert not Participation.objects.exists()


@pytest.mark.parametrize("code", ["short", "x" * 40, "AAAA-" * 8])
def test_receipt_lookup_refuses_malformed_and_unknown_codes(union, client, code):
    answer = client.get(f"/o/union/receipts/{code}.json")
    assert answer.status_code == 400
    assert answer.json()["reason"]


def test_ballots_join_the_record_tree_before_any_head_or_proof_reads_it(council):
    """A ballot's entry may be written before its leaf (PostgreSQL); the next head, proof or
    action adds the leaves, and the tree is then exactly the tree of all the entries."""
    from sovet.record import log, tree

    union, voters = council
    organization = union.organization
    poll = open_poll(actor=union.organizer, council=union.council, question="Strike?")
    for user, mandate in voters[:2]:
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice="yes")
    organization.refresh_from_db()
    assert organization.tree_size <= organization.record_length
    if connection.vendor == "postgresql":
        assert organization.tree_size == organization.record_length - 2

    def rehashed(size):
        records = RecordEntry.objects.filter(organization=organization, seq__lte=size)
        return ledger.root_from_leaves(
            [ledger.leaf_hash(entry.leaf_data(organization.slug)) for entry in records]
        )

    head = log.latest_head(organization)
    organization.refresh_from_db()
    assert head.tree_size == organization.tree_size == organization.record_length
    assert bytes.fromhex(head.root_hash) == rehashed(head.tree_size)
    # Then an action after another ballot: its own append adds the waiting leaf first.
    cast_ballot(actor=voters[2][0], poll=poll, mandate=voters[2][1], choice="no")
    close_poll(actor=union.organizer, poll=poll)
    organization.refresh_from_db()
    assert organization.tree_size == organization.record_length
    assert tree.root(organization.pk, organization.record_length) == rehashed(
        organization.record_length
    )
