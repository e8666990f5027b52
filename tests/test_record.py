"""Every action appends its record entry in its own transaction; entries are never altered."""

import datetime

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from sovet import canonical
from sovet.errors import Invalid
from sovet.organizations.actions import add_unit, admit_member
from sovet.organizations.models import Membership, Unit
from sovet.record.models import AppendOnly, RecordEntry


def entries(organization):
    return list(RecordEntry.objects.filter(organization=organization).order_by("seq"))


def test_each_action_appends_one_entry_numbered_without_gaps(union):
    before = entries(union.organization)
    assert [e.seq for e in before] == list(range(1, len(before) + 1))
    assert before[0].action == "organization.founded"
    assert before[0].actor == "admin"

    union.member(union.depot, "m1")

    after = entries(union.organization)
    new = after[len(before) :]
    assert [e.action for e in new] == ["membership.admitted", "council.recomposed"]
    assert [e.seq for e in new] == [len(before) + 1, len(before) + 2]
    assert all(e.actor == "organizer" for e in new)
    admitted = new[0].data
    assert admitted["membership"]["number"] == "m1"
    assert admitted["membership"]["unit"]["code"] == "depot"
    union.organization.refresh_from_db()
    assert union.organization.record_length == len(after)


def test_entries_say_which_statute_version_was_in_force(union):
    from sovet.organizations.actions import amend_statute

    union.member(union.depot, "m1")
    amend_statute(
        actor=union.organizer, organization=union.organization, changes={"delegate_ratio": 1}
    )
    union.member(union.depot, "m2")
    versions = {e.action: e.statute_version for e in entries(union.organization)}
    assert versions["membership.admitted"] == 2
    first = RecordEntry.objects.get(organization=union.organization, action="organization.founded")
    assert first.statute_version == 1


def test_failed_action_leaves_neither_data_nor_entry(union):
    length = len(entries(union.organization))
    units = Unit.objects.count()
    with pytest.raises(Invalid, match="already exists"):
        add_unit(actor=union.organizer, parent=union.north, code="depot", name="Second depot")
    assert Unit.objects.count() == units
    assert len(entries(union.organization)) == length


def test_failure_after_the_entry_rolls_the_entry_back(union, monkeypatch):
    """An error raised late in an action, after its entry was appended, undoes both."""
    from sovet.councils import composition

    def broken(*args, **kwargs):
        raise RuntimeError("recomposition failed")

    monkeypatch.setattr(composition, "recompose_all", broken)
    length = len(entries(union.organization))
    with pytest.raises(RuntimeError):
        admit_member(actor=union.organizer, unit=union.depot, number="m1", name="Member")
    assert not Membership.objects.filter(number="m1").exists()
    assert len(entries(union.organization)) == length
    union.organization.refresh_from_db()
    assert union.organization.record_length == length


def test_entries_cannot_be_changed_through_the_application(union):
    entry = entries(union.organization)[0]
    entry.action = "organization.rewritten"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        RecordEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnly):
        RecordEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE record_recordentry SET action = 'rewritten' WHERE id = %s",
        "UPDATE record_recordentry SET payload = '{}' WHERE id = %s",
        "DELETE FROM record_recordentry WHERE id = %s",
    ],
)
def test_database_refuses_update_and_delete(union, statement):
    entry = entries(union.organization)[0]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "organization.founded"


def test_leaf_is_documented_canonical_json(union):
    entry = entries(union.organization)[0]
    form = entry.leaf(union.organization.slug)
    assert set(form) == {
        "organization",
        "seq",
        "at",
        "actor",
        "action",
        "statute_version",
        "payload",
    }
    assert form["at"].endswith("Z")
    assert datetime.datetime.fromisoformat(form["at"]) == entry.at
    assert canonical.loads(canonical.dumps(form)) == form
    assert entry.payload == canonical.dumps(entry.data)
    assert entry.leaf_data(union.organization.slug) == canonical.dumps(form).encode()


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="TRUNCATE has no trigger on SQLite, whose DELETE trigger covers it",
)
def test_postgresql_refuses_truncate(union):
    with (
        pytest.raises(DatabaseError, match="TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Check the fixture's deferred foreign keys now, or PostgreSQL refuses for that reason.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL sovet.allow_truncate = 'off'")
        cursor.execute("TRUNCATE record_recordentry CASCADE")
    assert RecordEntry.objects.filter(organization=union.organization).exists()


def test_every_action_leaves_its_entry(every_action):
    """Run each action once; each names itself in the record, with the actor who ran it."""
    organization, start = every_action
    entries = RecordEntry.objects.filter(organization=organization, seq__gt=start)
    done = {(entry.action, entry.actor) for entry in entries}
    expected = {
        ("organizer.appointed", "organizer"),
        ("statute.amended", "organizer"),
        ("level.added", "organizer"),
        ("unit.added", "organizer"),
        ("membership.admitted", "organizer"),
        ("membership.login_granted", "organizer"),
        ("membership.transferred", "organizer"),
        ("membership.lapsed", "organizer"),
        ("members.imported", "organizer"),
        ("council.formed", "organizer"),
        ("council.recomposed", "organizer"),
        ("mandate.issued", "organizer"),
        ("mandate.resigned", "n1"),
        ("recall.opened", "d4"),
        ("recall.supported", "d4"),
        ("recall.supported", "d5"),
        ("poll.opened", "organizer"),
        ("poll.voted", "d0"),
        ("poll.ballot", "organizer"),
        ("poll.closed", "organizer"),
    }
    assert expected <= done
    seqs = [entry.seq for entry in entries.order_by("seq")]
    assert seqs == list(range(start + 1, start + 1 + len(seqs)))
