"""Importing members: all or nothing, every bad row named by its line, re-import changes nothing."""

import hashlib

import pytest

from sovet.errors import Invalid, NotAllowed
from sovet.organizations.importing import ImportRefused, import_members
from sovet.organizations.models import Membership, MembershipEvent, Person, Status, Unit
from sovet.record.models import RecordEntry

GOOD = """number,name,unit,email,status,since
1,Vera Zasulich,depot,vera@example.org,member,1903-07-30
2,Pavel Axelrod,depot,,assistant,
3,Yuli Martov,yard,martov@example.org,,
4,Georgi Plekhanov,works,,supporter,1903-01-01
"""


def write(tmp_path, text, name="members.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_entries(union):
    return RecordEntry.objects.filter(organization=union.organization, action="members.imported")


def test_import_adds_members_with_one_record_entry(union, tmp_path):
    path = write(tmp_path, GOOD)
    report = import_members(actor=union.organizer, organization=union.organization, path=path)
    assert (report.rows, report.added, report.bad) == (4, 4, [])
    vera = Membership.objects.select_related("person", "unit").get(number="1")
    assert (vera.person.name, vera.person.email, vera.unit.code) == (
        "Vera Zasulich",
        "vera@example.org",
        "depot",
    )
    assert str(vera.since) == "1903-07-30"
    assert Membership.objects.get(number="2").status == Status.ASSISTANT
    assert Membership.objects.get(number="3").status == Status.MEMBER
    assert MembershipEvent.objects.filter(kind="joined").count() == 4
    (entry,) = import_entries(union)
    assert entry.data == {
        "file": "members.csv",
        "sha256": hashlib.sha256(GOOD.encode()).hexdigest(),
        "rows": 4,
        "added": 4,
        "transferred": 0,
        "status_changed": 0,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    depot = Unit.objects.get(code="depot")
    assert (depot.member_count, depot.assistant_count) == (1, 1)
    assert RecordEntry.objects.filter(action="council.recomposed").exists()


def test_reimporting_the_same_file_changes_nothing(union, tmp_path):
    path = write(tmp_path, GOOD)
    import_members(actor=union.organizer, organization=union.organization, path=path)
    entries = RecordEntry.objects.count()
    people = Person.objects.count()
    report = import_members(actor=union.organizer, organization=union.organization, path=path)
    assert (report.added, report.unchanged) == (0, 4)
    assert RecordEntry.objects.count() == entries
    assert Person.objects.count() == people
    assert MembershipEvent.objects.count() == 4


def test_changed_rows_transfer_and_change_status(union, tmp_path):
    import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, GOOD)
    )
    changed = GOOD.replace("3,Yuli Martov,yard", "3,Yuli Martov,works").replace(
        "2,Pavel Axelrod,depot,,assistant", "2,Pavel Axelrod,depot,,member"
    )
    report = import_members(
        actor=union.organizer,
        organization=union.organization,
        path=write(tmp_path, changed, "b.csv"),
    )
    assert (report.transferred, report.status_changed, report.unchanged) == (1, 1, 2)
    martov = Membership.objects.get(number="3")
    assert martov.unit.code == "works"
    event = MembershipEvent.objects.get(membership=martov, kind="transferred")
    assert event.previous_unit.code == "yard"
    for unit in Unit.objects.filter(organization=union.organization):
        memberships = Membership.objects.filter(unit=unit)
        assert unit.member_count == memberships.filter(status="member").count()
        assert unit.assistant_count == memberships.filter(status="assistant").count()


BAD = """number,name,unit,email,status,since
1,Vera Zasulich,depot,vera@example.org,member,
2,,depot,,,
3,Yuli Martov,nowhere,,,
1,Vera Again,depot,,,
5,Lev Deutsch,depot,not-an-address,,
6,Nikolai Bauman,depot,,comrade,
7,Leonid Krasin,depot,,,30/07/1903
8,Too Few,depot
9,Good Row,yard,,,
"""


def test_any_bad_row_imports_nothing_and_names_every_bad_line(union, tmp_path):
    before = RecordEntry.objects.count()
    with pytest.raises(ImportRefused, match="7 bad rows: nothing imported") as refused:
        import_members(
            actor=union.organizer, organization=union.organization, path=write(tmp_path, BAD)
        )
    assert [str(row) for row in refused.value.report.bad] == [
        "line 3: name is empty",
        "line 4: no unit with the code 'nowhere'",
        "line 5: number '1' appears twice in the file",
        "line 6: 'not-an-address' is not an e-mail address",
        "line 7: status 'comrade' is not one of: member, assistant, supporter, lapsed, expelled",
        "line 8: since '30/07/1903' is not a date like 2024-05-01",
        "line 9: expected 6 fields, found 3",
    ]
    assert not Membership.objects.exists()
    assert RecordEntry.objects.count() == before


def test_skip_bad_imports_the_good_rows(union, tmp_path):
    report = import_members(
        actor=union.organizer,
        organization=union.organization,
        path=write(tmp_path, BAD),
        skip_bad=True,
    )
    assert sorted(Membership.objects.values_list("number", flat=True)) == ["1", "9"]
    assert len(report.bad) == 7
    assert import_entries(union).get().data["skipped"] == 7


def test_bad_rows_after_a_full_batch_still_import_nothing(union, tmp_path, monkeypatch):
    from sovet.organizations import importing

    monkeypatch.setattr(importing, "BATCH", 2)
    rows = "".join(f"{i},Member {i},depot,,,\n" for i in range(10))
    path = write(tmp_path, "number,name,unit,email,status,since\n" + rows + "x,,depot,,,\n")
    with pytest.raises(ImportRefused, match="1 bad row:"):
        import_members(actor=union.organizer, organization=union.organization, path=path)
    assert not Membership.objects.exists() and not Person.objects.exists()
    assert Unit.objects.get(code="depot").member_count == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"number,name\n1,x\n", "line 1: missing column\\(s\\) unit"),
        (b"number,name,unit,shoe_size\n", "line 1: unknown column\\(s\\) 'shoe_size'"),
        (b"number,name,unit,unit\n", "line 1: a column is named twice"),
        (b"number,name,unit\n1,Vera,depot\n2,\xff\xfe,depot\n", "line 3: the file is not UTF-8"),
    ],
)
def test_unreadable_files_are_refused(union, tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(Invalid, match=message):
        import_members(actor=union.organizer, organization=union.organization, path=path)


def test_missing_file_and_outsiders_are_refused(union, tmp_path, outsider):
    with pytest.raises(Invalid, match="cannot read"):
        import_members(
            actor=union.organizer, organization=union.organization, path=tmp_path / "none.csv"
        )
    with pytest.raises(NotAllowed, match="only the organizers"):
        import_members(actor=outsider, organization=union.organization, path=write(tmp_path, GOOD))
    assert not Membership.objects.exists()


def test_columns_in_any_order_with_a_bom_and_quoted_fields(union, tmp_path):
    text = '\ufeffunit,name,number\ndepot,"Ulyanov, Vladimir",42\n'
    import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, text)
    )
    assert Membership.objects.get(number="42").person.name == "Ulyanov, Vladimir"


def test_absent_columns_keep_what_is_stored(union, tmp_path):
    import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, GOOD)
    )
    from sovet.organizations.actions import change_status

    change_status(
        actor=union.organizer,
        membership=Membership.objects.get(number="2"),
        status=Status.LAPSED,
    )
    short = "number,name,unit\n1,Vera Zasulich,depot\n2,Pavel Axelrod,depot\n"
    report = import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, short, "s.csv")
    )
    assert (report.unchanged, report.status_changed, report.updated) == (2, 0, 0)
    assert Membership.objects.get(number="2").status == Status.LAPSED
    vera = Membership.objects.get(number="1")
    assert vera.person.email == "vera@example.org" and str(vera.since) == "1903-07-30"


def test_a_corrected_date_or_address_updates_the_member(union, tmp_path):
    import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, GOOD)
    )
    fixed = GOOD.replace("member,1903-07-30", "member,1903-07-17").replace(
        "martov@example.org", "yuli@example.org"
    )
    report = import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, fixed, "f.csv")
    )
    assert (report.updated, report.unchanged) == (2, 2)
    assert str(Membership.objects.get(number="1").since) == "1903-07-17"
    assert Membership.objects.get(number="3").person.email == "yuli@example.org"


def test_expulsions_and_new_lapsed_members_are_bad_rows(union, tmp_path):
    import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, GOOD)
    )
    text = "number,name,unit,status\n1,Vera Zasulich,depot,expelled\n9,New,depot,lapsed\n"
    with pytest.raises(ImportRefused) as refused:
        import_members(
            actor=union.organizer,
            organization=union.organization,
            path=write(tmp_path, text, "e.csv"),
        )
    assert [str(row) for row in refused.value.report.bad] == [
        "line 2: an expulsion states its reason: expel members one by one, not by file",
        "line 3: a new membership is member, assistant or supporter, not lapsed",
    ]


def test_a_broken_quote_refuses_the_whole_file_even_when_skipping(union, tmp_path):
    text = 'number,name,unit\n1,Vera,depot\n2,"Pavel,depot\n3,Lev,depot\n'
    for skip_bad in (False, True):
        with pytest.raises(Invalid, match=r"unreadable CSV .*nothing imported"):
            import_members(
                actor=union.organizer,
                organization=union.organization,
                path=write(tmp_path, text),
                skip_bad=skip_bad,
            )
    assert not Membership.objects.exists()


def test_nul_characters_and_parent_units_are_refused(union, tmp_path):
    with pytest.raises(Invalid, match="line 3: the file contains a NUL character"):
        import_members(
            actor=union.organizer,
            organization=union.organization,
            path=write(tmp_path, "number,name,unit\n1,Vera,depot\n2,Pa\x00vel,depot\n"),
        )
    with pytest.raises(ImportRefused) as refused:
        import_members(
            actor=union.organizer,
            organization=union.organization,
            path=write(tmp_path, "number,name,unit\n1,Vera,north\n"),
        )
    assert str(refused.value.report.bad[0]) == (
        "line 2: unit 'north' has units below it; members belong to a base unit"
    )


def test_crlf_blank_lines_and_header_only(union, tmp_path):
    text = "number,name,unit\r\n1,Vera,depot\r\n\r\n   \r\n2,Pavel,yard\r\n"
    report = import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, text)
    )
    assert (report.rows, report.added) == (2, 2)
    report = import_members(
        actor=union.organizer,
        organization=union.organization,
        path=write(tmp_path, "number,name,unit\n", "h.csv"),
    )
    assert (report.rows, report.changed) == (0, False)


def test_import_that_moves_a_delegate_away_seats_the_substitute(seated, tmp_path):
    union, members, mandate = seated
    from sovet.councils.models import Mandate

    text = "number,name,unit\nd0,Member d0,yard\n"
    report = import_members(
        actor=union.organizer, organization=union.organization, path=write(tmp_path, text)
    )
    assert report.transferred == 1
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.LAPSED
    assert mandate.successor.delegate == members[1].person


def test_batches_give_each_new_member_one_joined_event(union, tmp_path, monkeypatch):
    from sovet.organizations import importing

    monkeypatch.setattr(importing, "BATCH", 3)
    union.member(union.yard, "before")
    rows = "".join(f"{i},Member {i},depot,,assistant,\n" for i in range(10))
    path = write(tmp_path, "number,name,unit,email,status,since\n" + rows)
    import_members(actor=union.organizer, organization=union.organization, path=path)
    for membership in Membership.objects.filter(organization=union.organization):
        (event,) = MembershipEvent.objects.filter(membership=membership)
        assert (event.kind, event.unit_id, event.status) == (
            "joined",
            membership.unit_id,
            membership.status,
        )
    assert Unit.objects.get(code="depot").assistant_count == 10
