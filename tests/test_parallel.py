"""Actions run in parallel: record numbering and recalls under concurrent writers (PostgreSQL).

SQLite takes one writer at a time, so these run where writers truly overlap; CI runs the suite
on PostgreSQL too.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from sovet.councils import actions
from sovet.councils.models import Mandate, RecallSupport
from sovet.errors import Invalid
from sovet.organizations.models import Membership, Unit
from sovet.record.models import RecordEntry

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="parallel writers need PostgreSQL (SQLite serializes them); CI runs this there",
    ),
    pytest.mark.django_db(transaction=True),
]


def in_threads(function, arguments, workers=8):
    def run(argument):
        try:
            return function(argument)
        finally:
            connection.close()

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, arguments))


def test_parallel_admissions_number_the_record_without_gaps(union):
    depot = Unit.objects.get(code="depot")
    in_threads(lambda i: union.member(depot, f"p{i}"), range(40))
    seqs = list(
        RecordEntry.objects.filter(organization=union.organization)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    depot.refresh_from_db()
    assert depot.member_count == Membership.objects.filter(unit=depot).count() == 40


def test_parallel_supports_end_the_mandate_once(seated):
    union, members, mandate = seated
    recall = actions.open_recall(actor=union.user(members[3]), mandate=mandate)

    def support(member):
        try:
            actions.support_recall(actor=union.user(member), recall=recall)
        except Invalid as refusal:
            return refusal.message
        return "ok"

    outcomes = in_threads(support, members[4:15])
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.RECALLED
    assert Mandate.objects.filter(predecessor=mandate).count() == 1
    supports = RecallSupport.objects.filter(recall=recall).count()
    assert supports == 8  # the threshold; later supporters find the recall closed
    assert outcomes.count("ok") == 7
    assert all(
        o == "ok"
        or o.startswith("the recall is succeeded")
        or o.startswith("the mandate is recalled")
        for o in outcomes
    )
    assert RecordEntry.objects.filter(action="mandate.recalled").count() == 1


def test_crossing_transfers_do_not_deadlock(union):
    depot, works = Unit.objects.get(code="depot"), Unit.objects.get(code="works")
    at_depot = [union.member(depot, f"d{i}") for i in range(10)]
    at_works = [union.member(works, f"w{i}") for i in range(10)]
    moves = [(m, works) for m in at_depot] + [(m, depot) for m in at_works]

    def move(pair):
        from sovet.organizations.actions import transfer_member

        membership, unit = pair
        transfer_member(actor=union.organizer, membership=membership, unit=unit)

    in_threads(move, moves)
    depot.refresh_from_db()
    works.refresh_from_db()
    assert depot.member_count == works.member_count == 10
    assert Membership.objects.filter(unit=depot, number__startswith="w").count() == 10


def test_parallel_ballots_one_per_mandate_and_repeats_get_the_first_receipt(union):
    from sovet.councils.actions import issue_mandate
    from sovet.polls.actions import cast_ballot, close_poll, open_poll
    from sovet.polls.models import Participation, SecretBallot

    depot = Unit.objects.get(code="depot")
    members = [union.member(depot, f"v{i}", login=True) for i in range(50)]
    mandates = [
        issue_mandate(
            actor=union.organizer, council=union.council, unit=depot, delegate=member.person
        )
        for member in members[:10]
    ]
    poll = open_poll(actor=union.organizer, council=union.council, question="Q?", secret=True)
    attempts = list(zip(members[:10], mandates, strict=True)) * 3

    def vote(pair):
        member, mandate = pair
        return mandate.pk, cast_ballot(
            actor=union.user(member), poll=poll, mandate=mandate, choice="yes"
        )

    receipts = in_threads(vote, attempts)
    by_mandate = {}
    for mandate_id, code in receipts:
        by_mandate.setdefault(mandate_id, set()).add(code)
    assert all(len(codes) == 1 for codes in by_mandate.values())
    assert SecretBallot.objects.filter(poll=poll).count() == 10
    assert Participation.objects.filter(poll=poll).count() == 10
    assert RecordEntry.objects.filter(action="poll.voted").count() == 10
    close_poll(actor=union.organizer, poll=poll)
    poll.refresh_from_db()
    assert poll.tally[0] == {"choice": "yes", "votes": 10}


def test_a_poll_closing_while_ballots_arrive_counts_exactly_the_ballots_it_accepted(union):
    import threading

    from sovet.councils.actions import issue_mandate, resign_mandate
    from sovet.polls.actions import POLL_CLOSED, cast_ballot, close_poll, open_poll
    from sovet.polls.models import Participation, Poll

    depot = Unit.objects.get(code="depot")
    members = [union.member(depot, f"w{i}", login=True) for i in range(400)][:60]
    mandates = [
        issue_mandate(
            actor=union.organizer, council=union.council, unit=depot, delegate=member.person
        )
        for member in members
    ]
    poll = open_poll(actor=union.organizer, council=union.council, question="Strike?")
    some_voted, closed = threading.Event(), threading.Event()

    def act(index):
        member, mandate = members[index], mandates[index]
        if index == 4:
            some_voted.wait(timeout=30)
            close_poll(actor=union.organizer, poll=Poll.objects.get(pk=poll.pk))
            closed.set()
            return "closed"
        if index % 7 == 6:
            # Resigning locks the mandate while ballots hold it for their foreign key checks.
            resign_mandate(actor=union.user(member), mandate=mandate)
            return "resigned"
        if index >= 50:
            # The last come after the close, for certain; the others race it.
            closed.wait(timeout=30)
        try:
            cast_ballot(actor=union.user(member), poll=poll, mandate=mandate, choice="yes")
        except Invalid as refusal:
            assert refusal.message == POLL_CLOSED
            return "refused"
        if index == 2:
            some_voted.set()
        return "accepted"

    outcomes = in_threads(act, range(len(members)), workers=12)
    assert outcomes.count("closed") == 1
    assert outcomes.count("refused") > 0 and outcomes.count("accepted") > 0
    poll.refresh_from_db()
    accepted = outcomes.count("accepted")
    assert Participation.objects.filter(poll=poll).count() == accepted
    assert poll.tally[0] == {"choice": "yes", "votes": accepted}
    closed = RecordEntry.objects.get(action="poll.closed").seq
    voted = RecordEntry.objects.filter(action="poll.voted").values_list("seq", flat=True)
    assert len(voted) == accepted and all(seq < closed for seq in voted)


def test_parallel_motions_are_numbered_without_gaps_or_duplicates(union):
    import datetime

    from sovet.congress import motions, sessions
    from sovet.congress.models import Motion
    from sovet.councils.actions import issue_mandate

    depot = Unit.objects.get(code="depot")
    members = [union.member(depot, f"m{i}", login=True) for i in range(30)]
    mandates = [
        issue_mandate(
            actor=union.organizer, council=union.council, unit=depot, delegate=member.person
        )
        for member in members[:6]
    ]
    session = sessions.convene_session(
        actor=union.organizer, council=union.council, title="S", opens_on=datetime.date.today()
    )
    sessions.decide_credentials(actor=union.organizer, session=session, mandates=mandates)
    pairs = list(zip(members[:6], mandates, strict=True)) * 4

    def submit(pair):
        member, mandate = pair
        return motions.submit_motion(
            actor=union.user(member), session=session, mandate=mandate, title="T", text="x"
        ).number

    numbers = in_threads(submit, pairs)
    assert sorted(numbers) == list(range(1, 25))
    assert sorted(Motion.objects.values_list("number", flat=True)) == list(range(1, 25))
