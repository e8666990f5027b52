"""Council composition follows membership; mandates, substitutes and recalls."""

import pytest
from django.contrib.auth.models import AnonymousUser

from sovet import apportionment
from sovet.councils import actions, composition
from sovet.councils.models import Mandate, Recall, Seats
from sovet.errors import Invalid, NotAllowed
from sovet.organizations.actions import (
    amend_statute,
    change_status,
    current_statute,
    transfer_member,
)
from sovet.organizations.models import Status
from sovet.record.models import RecordEntry


def seats(union):
    return dict(Seats.objects.filter(council=union.council).values_list("unit__code", "count"))


def last_entry(union, action):
    return RecordEntry.objects.filter(organization=union.organization, action=action).last()


def test_composition_follows_membership_and_says_who_gains(union):
    assert seats(union) == {}  # nobody counts yet
    for i in range(10):
        union.member(union.depot, f"d{i}")
    for i in range(5):
        union.member(union.works, f"w{i}")
    # 15 members, one delegate per 5: 3 seats; the empty yard elects nobody.
    assert seats(union) == {"depot": 2, "works": 1}
    for i in range(5, 10):
        union.member(union.works, f"w{i}")
    assert seats(union) == {"depot": 2, "works": 2}
    change = last_entry(union, "council.recomposed").data
    assert change["changes"] == {"works": [1, 2]}
    assert change["seats"] == 4
    union.member(union.yard, "y0")
    # 21 members: 4 seats, and the yard's minimum of one is taken from the works.
    assert seats(union) == {"depot": 2, "works": 1, "yard": 1}
    change = last_entry(union, "council.recomposed").data
    assert change["changes"] == {"works": [2, 1], "yard": [0, 1]}


def test_losing_members_loses_seats(union):
    members = [union.member(union.depot, f"d{i}") for i in range(20)]
    union.member(union.works, "w0")
    # 21 members, 4 seats; Sainte-Laguë after the minimums: depot 20/3 > works 1/3, then 20/5.
    assert seats(union) == {"depot": 3, "works": 1}
    first = RecordEntry.objects.filter(action="council.recomposed").count()
    for membership in members[:10]:
        transfer_member(actor=union.organizer, membership=membership, unit=union.works)
    # 10 against 11: works 11/3 takes the third seat, depot 10/3 the fourth.
    assert seats(union) == {"depot": 2, "works": 2}
    net = {}
    for entry in RecordEntry.objects.filter(action="council.recomposed").order_by("seq")[first:]:
        for unit, (old, new) in entry.data["changes"].items():
            net.setdefault(unit, [old, new])[1] = new
    assert net == {"depot": [3, 2], "works": [1, 2]}


def test_criterion_decides_who_counts(union):
    for i in range(20):
        union.member(union.depot, f"d{i}", status=Status.ASSISTANT)
    union.member(union.works, "w0")
    assert seats(union) == {"works": 1}  # assistants are not members under participation
    amend_statute(
        actor=union.organizer, organization=union.organization, changes={"criterion": "assistance"}
    )
    assert seats(union) == {"depot": 3, "works": 1}


def test_stored_seats_equal_a_fresh_apportionment(union):
    for i, unit in enumerate([union.depot] * 13 + [union.yard] * 7 + [union.works] * 3):
        union.member(unit, f"m{i}")
    statute = current_statute(union.organization)
    stored = dict(Seats.objects.filter(council=union.council).values_list("unit_id", "count"))
    fresh = composition.apportion(union.council, statute)
    assert stored == {unit: count for unit, count in fresh.items() if count}
    populations = composition.populations(union.council, statute.criterion)
    assert populations == {union.depot.pk: 13, union.yard.pk: 7, union.works.pk: 3}
    assert fresh == apportionment.apportion(
        populations, 4, apportionment.Method.SAINTE_LAGUE, minimum=1
    )


def test_fixed_seats_too_few_for_the_minimum_lower_it_rather_than_refuse(union):
    for unit in (union.depot, union.yard):
        union.member(unit, f"m-{unit.code}")
    union.member(union.depot, "m-depot-2")
    union.member(union.depot, "m-depot-3")
    board = actions.create_council(
        actor=union.organizer,
        unit=union.root,
        name="Board",
        constituency_level=union.branch_level,
        fixed_seats=2,
    )
    assert dict(Seats.objects.filter(council=board).values_list("unit__code", "count")) == {
        "depot": 1,
        "yard": 1,
    }
    # A third unit with members: two seats cannot give three units one each, so the minimum
    # falls to none and Sainte-Laguë gives both to the depot (3/1, then 3/3 beats 1/1 on size).
    union.member(union.works, "m-works")
    assert dict(Seats.objects.filter(council=board).values_list("unit__code", "count")) == {
        "depot": 2
    }
    recomposed = RecordEntry.objects.filter(action="council.recomposed").order_by("-seq")
    entry = next(e.data for e in recomposed if e.data["council"]["name"] == "Board")
    assert entry["minimum_per_unit"] == 0
    assert entry["changes"] == {"depot": [1, 2], "yard": [1, 0]}


def test_council_level_must_lie_below(union):
    with pytest.raises(Invalid, match="must lie below"):
        actions.create_council(
            actor=union.organizer,
            unit=union.depot,
            name="Depot council",
            constituency_level=union.branch_level,
        )


def test_mandates_fit_the_unit_seats(seated):
    union, members, _mandate = seated
    assert seats(union)["depot"] == 2
    with pytest.raises(Invalid, match="holds 2 seat\\(s\\) on Union Council, 1 taken"):
        actions.issue_mandate(
            actor=union.organizer,
            council=union.council,
            unit=union.depot,
            delegate=members[3].person,
            votes=2,
        )
    with pytest.raises(Invalid, match="already holds a mandate"):
        actions.issue_mandate(
            actor=union.organizer,
            council=union.council,
            unit=union.depot,
            delegate=members[0].person,
        )
    yard_member = union.member(union.yard, "y1")
    with pytest.raises(Invalid, match="is not a counted member of Depot"):
        actions.issue_mandate(
            actor=union.organizer,
            council=union.council,
            unit=union.depot,
            delegate=yard_member.person,
        )
    second = actions.issue_mandate(
        actor=union.organizer, council=union.council, unit=union.depot, delegate=members[3].person
    )
    assert second.votes == 1 and second.state == Mandate.State.ACTIVE


def test_recall_by_the_units_members_seats_the_substitute(seated):
    union, members, mandate = seated
    recall = actions.open_recall(
        actor=union.user(members[5]), mandate=mandate, reason="voted wrong"
    )
    for supporter in members[6:12]:
        actions.support_recall(actor=union.user(supporter), recall=recall)
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE  # 7 of 15: the statute asks for half, 8
    actions.support_recall(actor=union.user(members[12]), recall=recall)

    mandate.refresh_from_db()
    recall.refresh_from_db()
    assert recall.state == Recall.State.SUCCEEDED
    assert mandate.state == Mandate.State.RECALLED and mandate.ended_at is not None
    successor = mandate.successor
    assert successor.delegate == members[1].person and successor.state == Mandate.State.ACTIVE
    assert [s.person for s in successor.substitutes.all()] == [members[2].person]
    entry = last_entry(union, "mandate.recalled").data
    assert entry["supports"] == 8 and entry["needed"] == 8 and entry["eligible"] == 15
    assert entry["seat"] == "filled"
    assert entry["successor"]["delegate"]["id"] == members[1].person.pk


def test_without_substitutes_the_seat_falls_vacant(seated):
    union, members, _ = seated
    mandate = actions.issue_mandate(
        actor=union.organizer, council=union.council, unit=union.depot, delegate=members[4].person
    )
    recall = actions.open_recall(actor=union.user(members[5]), mandate=mandate)
    for supporter in members[6:13]:
        actions.support_recall(actor=union.user(supporter), recall=recall)
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.RECALLED
    assert not Mandate.objects.filter(predecessor=mandate).exists()
    entry = last_entry(union, "mandate.recalled").data
    assert entry["seat"] == "vacant" and entry["by_election"] is True


def test_substitute_no_longer_a_member_is_passed_over(seated):
    union, members, mandate = seated
    change_status(actor=union.organizer, membership=members[1], status=Status.LAPSED)
    successor = actions.resign_mandate(actor=union.user(members[0]), mandate=mandate)
    assert successor.delegate == members[2].person
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.RESIGNED


def test_only_the_units_members_may_recall(seated, outsider):
    union, members, mandate = seated
    yard_user = union.user(union.organization.memberships.get(number="y0"))
    with pytest.raises(NotAllowed, match="only members of Depot may recall its delegate"):
        actions.open_recall(actor=yard_user, mandate=mandate)
    with pytest.raises(NotAllowed, match="only members of Depot"):
        actions.open_recall(actor=outsider, mandate=mandate)
    with pytest.raises(NotAllowed, match="sign in first"):
        actions.open_recall(actor=AnonymousUser(), mandate=mandate)
    with pytest.raises(NotAllowed, match="only members of Depot"):
        actions.open_recall(actor=union.organizer, mandate=mandate)
    assert not Recall.objects.exists()

    recall = actions.open_recall(actor=union.user(members[5]), mandate=mandate)
    with pytest.raises(NotAllowed, match="only members of Depot may support a recall"):
        actions.support_recall(actor=yard_user, recall=recall)
    change_status(actor=union.organizer, membership=members[6], status=Status.LAPSED)
    with pytest.raises(NotAllowed, match="your membership is lapsed"):
        actions.support_recall(actor=union.user(members[6]), recall=recall)
    with pytest.raises(Invalid, match="already support"):
        actions.support_recall(actor=union.user(members[5]), recall=recall)
    with pytest.raises(Invalid, match="already open"):
        actions.open_recall(actor=union.user(members[7]), mandate=mandate)
    assert recall.supports.count() == 1


def test_resignation_by_someone_else_is_refused(seated, outsider):
    union, members, mandate = seated
    with pytest.raises(NotAllowed, match="only the organizers"):
        actions.resign_mandate(actor=union.user(members[3]), mandate=mandate)
    with pytest.raises(NotAllowed, match="only the organizers"):
        actions.resign_mandate(actor=outsider, mandate=mandate)
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE


def test_mandates_expire_at_the_end_of_their_term(seated, outsider):
    import datetime

    union, members, mandate = seated
    short = actions.issue_mandate(
        actor=union.organizer,
        council=union.council,
        unit=union.depot,
        delegate=members[3].person,
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2026, 6, 30),
    )
    recall = actions.open_recall(actor=union.user(members[5]), mandate=short)
    with pytest.raises(NotAllowed):
        actions.expire_mandates(actor=outsider, council=union.council)
    on_last_day = actions.expire_mandates(
        actor=union.organizer, council=union.council, today=datetime.date(2026, 6, 30)
    )
    assert on_last_day == 0
    assert (
        actions.expire_mandates(
            actor=union.organizer, council=union.council, today=datetime.date(2026, 7, 1)
        )
        == 1
    )
    short.refresh_from_db()
    recall.refresh_from_db()
    mandate.refresh_from_db()
    assert short.state == Mandate.State.EXPIRED and recall.state == Recall.State.ABANDONED
    assert mandate.state == Mandate.State.ACTIVE  # no term end: runs on
    assert not Mandate.objects.filter(predecessor=short).exists()  # an election fills it
    entry = last_entry(union, "mandates.expired").data
    assert [m["id"] for m in entry["mandates"]] == [short.pk]


def test_a_delegate_who_stops_counting_hands_the_seat_on(seated):
    union, members, mandate = seated
    change_status(
        actor=union.organizer, membership=members[0], status=Status.EXPELLED, reason="scab"
    )
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.LAPSED
    assert mandate.successor.delegate == members[1].person
    entry = last_entry(union, "mandate.lapsed").data
    assert entry["reason"] == "Member d0 is not a counted member of Depot"
    assert entry["seat"] == "filled"
    transfer_member(actor=union.organizer, membership=members[1], unit=union.yard)
    successor = Mandate.objects.get(pk=mandate.successor.pk)
    assert successor.state == Mandate.State.LAPSED
    assert successor.successor.delegate == members[2].person


def test_supports_of_people_who_left_no_longer_count(seated):
    union, members, mandate = seated
    recall = actions.open_recall(actor=union.user(members[5]), mandate=mandate)
    for supporter in members[6:12]:
        actions.support_recall(actor=union.user(supporter), recall=recall)
    # 7 of the 8 needed; two supporters leave the depot, so 5 of the 13 left count.
    for gone in members[6:8]:
        transfer_member(actor=union.organizer, membership=gone, unit=union.yard)
    actions.support_recall(actor=union.user(members[12]), recall=recall)
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE
    entry = last_entry(union, "recall.supported").data
    assert (entry["supports"], entry["eligible"], entry["needed"]) == (6, 13, 7)
    actions.support_recall(actor=union.user(members[13]), recall=recall)
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.RECALLED


def test_units_losing_seats_keep_their_mandates_and_say_so(seated, client):
    union, members, _ = seated
    actions.issue_mandate(
        actor=union.organizer, council=union.council, unit=union.depot, delegate=members[3].person
    )
    for gone in members[8:15]:
        change_status(actor=union.organizer, membership=gone, status=Status.LAPSED)
    assert seats(union)["depot"] == 1
    entry = RecordEntry.objects.filter(action="council.recomposed").last().data
    assert entry["over_seated"] == {"depot": 1}
    page = client.get(f"/o/union/councils/{union.council.pk}/").content.decode()
    assert "1 vote over the unit's seats until a mandate ends" in page
