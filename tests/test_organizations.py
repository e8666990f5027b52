"""Organizations, statute versions, units and the membership history, through the actions."""

from fractions import Fraction

import pytest
from django.contrib.auth.models import AnonymousUser

from sovet.errors import Invalid, NotAllowed
from sovet.organizations import actions
from sovet.organizations.models import Membership, MembershipEvent, Status, Statute, Unit
from sovet.record.models import RecordEntry


def test_founding_creates_statute_levels_and_root(union):
    statute = Statute.objects.get(organization=union.organization)
    assert statute.version == 1
    assert statute.criterion == "participation"
    assert statute.delegate_ratio == 5
    assert statute.recall_share == Fraction(1, 2)
    assert [level.name for level in union.organization.levels.all()] == [
        "Union",
        "District",
        "Branch",
    ]
    assert union.root.level.depth == 0 and union.depot.level.name == "Branch"


def test_only_installation_admins_found_organizations(organizer):
    with pytest.raises(NotAllowed, match="only an administrator"):
        actions.create_organization(actor=organizer, slug="x", name="X", levels=["Org"])
    with pytest.raises(NotAllowed, match="sign in first"):
        actions.create_organization(actor=AnonymousUser(), slug="x", name="X", levels=["Org"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"slug": "Bad Slug"}, "use lowercase letters"),
        ({"name": "  "}, "name must not be empty"),
        ({"levels": []}, "at least one unit level"),
        ({"levels": ["A", "A"]}, "level names must differ"),
        ({"preset": "anarchy"}, "unknown statute preset"),
        ({"rules": {"delegate_ratio": 0}}, "delegate_ratio must be a whole number from 1 to"),
        ({"rules": {"delegate_ratio": 10**30}}, "from 1 to 1000000000"),
        ({"rules": {"delegate_ratio": "5.5"}}, "not '5.5'"),
        ({"rules": {"min_delegates_per_unit": -1}}, "from 0 to 1000"),
        ({"rules": {"recall_share": "1/7777777"}}, "denominator up to 1,000,000"),
        ({"rules": {"recall_share": "1" * 40}}, "at most 32 characters"),
        ({"rules": {"quorum_share": "0"}}, "quorum_share must be more than 0"),
        ({"rules": {"recall_share": "3/2"}}, "not between 0 and 1"),
        ({"rules": {"recall_share": "half"}}, "not a fraction"),
        ({"rules": {"majority_rule": "loudest"}}, "majority_rule 'loudest' is not one of"),
        ({"rules": {"veto": True}}, "unknown statute rule 'veto'"),
        ({"slug": "union"}, "already exists"),
    ],
)
def test_founding_refuses_bad_input(union, kwargs, message):
    arguments = {"slug": "new", "name": "New", "levels": ["Org"]} | kwargs
    with pytest.raises(Invalid, match=message):
        actions.create_organization(actor=None, **arguments)


def test_statute_amendment_makes_a_new_version_and_keeps_the_old(union):
    statute = actions.amend_statute(
        actor=union.organizer,
        organization=union.organization,
        changes={"criterion": "assistance", "recall_share": "2/3"},
        note="Paragraph 1",
    )
    assert statute.version == 2
    assert statute.criterion == "assistance" and statute.recall_share == Fraction(2, 3)
    assert statute.delegate_ratio == 5  # carried over
    old = Statute.objects.get(organization=union.organization, version=1)
    assert old.criterion == "participation" and old.recall_share == Fraction(1, 2)
    entry = RecordEntry.objects.get(organization=union.organization, action="statute.amended")
    assert entry.data["changes"] == {"criterion": "assistance", "recall_share": "2/3"}
    assert entry.statute_version == 2
    union.organization.refresh_from_db()
    assert union.organization.statute_version == 2
    with pytest.raises(Invalid, match="changes nothing"):
        actions.amend_statute(
            actor=union.organizer, organization=union.organization, changes={"delegate_ratio": 5}
        )


def test_statute_amendment_needs_an_organizer(union, outsider):
    with pytest.raises(NotAllowed, match="only the organizers of Transit Union"):
        actions.amend_statute(
            actor=outsider, organization=union.organization, changes={"delegate_ratio": 1}
        )
    assert Statute.objects.filter(organization=union.organization).count() == 1


def test_units_go_one_level_down(union):
    with pytest.raises(Invalid, match="Depot is at the lowest level"):
        actions.add_unit(actor=union.organizer, parent=union.depot, code="cell", name="Cell")
    level = actions.add_level(actor=union.organizer, organization=union.organization, name="Cell")
    cell = actions.add_unit(actor=union.organizer, parent=union.depot, code="cell", name="Cell")
    assert cell.level == level and level.depth == 3


def test_membership_history_is_kept(union):
    membership = union.member(union.depot, "m1")
    actions.transfer_member(
        actor=union.organizer, membership=membership, unit=union.works, reason="moved"
    )
    actions.change_status(actor=union.organizer, membership=membership, status=Status.LAPSED)
    actions.change_status(actor=union.organizer, membership=membership, status=Status.MEMBER)
    actions.change_status(
        actor=union.organizer,
        membership=membership,
        status=Status.EXPELLED,
        reason="strikebreaking",
    )
    events = list(MembershipEvent.objects.filter(membership=membership).order_by("id"))
    assert [(e.kind, e.previous_status, e.status) for e in events] == [
        ("joined", "", "member"),
        ("transferred", "", "member"),
        ("status_changed", "member", "lapsed"),
        ("status_changed", "lapsed", "member"),
        ("status_changed", "member", "expelled"),
    ]
    assert events[1].previous_unit == union.depot and events[1].unit == union.works
    actions_recorded = RecordEntry.objects.filter(
        organization=union.organization, action__startswith="membership."
    ).values_list("action", flat=True)
    assert list(actions_recorded) == [
        "membership.admitted",
        "membership.transferred",
        "membership.lapsed",
        "membership.status_changed",
        "membership.expelled",
    ]


def test_unit_counts_follow_every_change(union):
    a = union.member(union.depot, "a")
    b = union.member(union.depot, "b", status=Status.ASSISTANT)
    union.member(union.depot, "c", status=Status.SUPPORTER)
    actions.transfer_member(actor=union.organizer, membership=a, unit=union.yard)
    actions.change_status(actor=union.organizer, membership=b, status=Status.MEMBER)
    actions.change_status(actor=union.organizer, membership=a, status=Status.LAPSED)
    for unit in Unit.objects.filter(organization=union.organization):
        memberships = Membership.objects.filter(unit=unit)
        assert unit.member_count == memberships.filter(status=Status.MEMBER).count()
        assert unit.assistant_count == memberships.filter(status=Status.ASSISTANT).count()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"number": ""}, "membership number must not be empty"),
        ({"name": ""}, "name must not be empty"),
        ({"email": "not-mail"}, "is not an e-mail address"),
        ({"status": "lapsed"}, "a new membership is member, assistant or supporter"),
    ],
)
def test_admission_refuses_bad_input(union, kwargs, message):
    arguments = {"unit": union.depot, "number": "m1", "name": "Vera"} | kwargs
    with pytest.raises(Invalid, match=message):
        actions.admit_member(actor=union.organizer, **arguments)
    assert not Membership.objects.exists()


def test_numbers_are_unique_and_changes_are_checked(union, outsider):
    membership = union.member(union.depot, "m1")
    with pytest.raises(Invalid, match="already in use"):
        union.member(union.yard, "m1")
    with pytest.raises(Invalid, match="already belongs to Depot"):
        actions.transfer_member(actor=union.organizer, membership=membership, unit=union.depot)
    with pytest.raises(Invalid, match="already member"):
        actions.change_status(actor=union.organizer, membership=membership, status="member")
    with pytest.raises(Invalid, match="must state its reason"):
        actions.change_status(actor=union.organizer, membership=membership, status="expelled")
    with pytest.raises(NotAllowed, match="only the organizers"):
        actions.transfer_member(actor=outsider, membership=membership, unit=union.yard)


def test_members_belong_to_base_units(union):
    with pytest.raises(Invalid, match="North has units below it"):
        union.member(union.north, "m1")
    membership = union.member(union.depot, "m1")
    with pytest.raises(Invalid, match="North has units below it"):
        actions.transfer_member(actor=union.organizer, membership=membership, unit=union.north)
    actions.add_level(actor=union.organizer, organization=union.organization, name="Cell")
    with pytest.raises(Invalid, match="Depot has members: transfer them"):
        actions.add_unit(actor=union.organizer, parent=union.depot, code="cell", name="Cell")
