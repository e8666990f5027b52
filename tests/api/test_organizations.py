"""Organizations and councils over HTTP: public reads, organizers' actions, members' recalls."""

from django.test import Client

from sovet.councils.models import Mandate
from sovet.organizations.models import Membership
from sovet.record.models import RecordEntry


def test_organizations_units_and_statutes_are_public(union):
    client = Client()
    assert [o["slug"] for o in client.get("/api/o").json()] == ["union"]
    detail = client.get("/api/o/union").json()
    assert [level["name"] for level in detail["levels"]] == ["Union", "District", "Branch"]
    assert detail["statute"]["version"] == 1
    assert detail["statute"]["rules"]["delegate_ratio"] == 5
    units = client.get("/api/o/union/units").json()
    assert [unit["code"] for unit in units["units"]] == [
        "union",
        "north",
        "south",
        "depot",
        "works",
        "yard",
    ]
    assert units["next_offset"] is None
    below = client.get("/api/o/union/units", {"parent": union.north.pk}).json()["units"]
    assert [unit["code"] for unit in below] == ["depot", "yard"]
    assert [s["version"] for s in client.get("/api/o/union/statutes").json()] == [1]


def test_an_organizer_admits_transfers_and_lapses_a_member(api, union):
    client = api(union.organizer)
    status, member = client.post(
        "/o/union/members", {"unit": union.depot.pk, "number": "42", "name": "Vera Zasulich"}
    )
    assert status == 201 and member["unit"]["code"] == "depot" and member["status"] == "member"
    url = f"/o/union/members/{member['id']}"
    status, moved = client.post(f"{url}/transfer", {"unit": union.yard.pk, "reason": "moved"})
    assert status == 200 and moved["unit"]["code"] == "yard"
    status, lapsed = client.post(f"{url}/status", {"status": "lapsed"})
    assert status == 200 and lapsed["status"] == "lapsed"
    assert Membership.objects.get().status == "lapsed"
    actions = RecordEntry.objects.filter(actor="organizer", action__startswith="membership.")
    assert list(actions.values_list("action", flat=True)) == [
        "membership.admitted",
        "membership.transferred",
        "membership.lapsed",
    ]


def test_an_outsider_may_not_admit_members_or_amend_the_statute(api, union, outsider):
    client = api(outsider)
    status, refusal = client.post(
        "/o/union/members", {"unit": union.depot.pk, "number": "1", "name": "Nobody"}
    )
    assert status == 403 and refusal["code"] == "not_allowed"
    status, refusal = client.post("/o/union/statutes", {"changes": {"delegate_ratio": 10}})
    assert status == 403
    assert not Membership.objects.exists()


def test_an_organizer_adds_a_unit_and_amends_the_statute(api, union):
    client = api(union.organizer)
    status, unit = client.post(
        "/o/union/units", {"parent": union.south.pk, "code": "mill", "name": "Mill"}
    )
    assert status == 201 and unit["level"] == "Branch" and unit["parent"] == union.south.pk
    status, statute = client.post(
        "/o/union/statutes",
        {"changes": {"delegate_ratio": 10, "recall_share": "2/3"}, "note": "fewer delegates"},
    )
    assert status == 201 and statute["version"] == 2
    assert statute["rules"]["recall_share"] == "2/3"
    status, refusal = client.post("/o/union/statutes", {"changes": {"delegate_ratio": 10}})
    assert (status, refusal) == (
        400,
        {"code": "invalid", "reason": "the amendment changes nothing"},
    )


def test_a_council_shows_its_composition(seated):
    union, _members, mandate = seated
    councils = Client().get("/api/o/union/councils").json()
    assert [(c["name"], c["seats"]) for c in councils] == [("Union Council", 3)]
    council = Client().get(f"/api/o/union/councils/{union.council.pk}").json()
    depot = next(c for c in council["constituencies"] if c["unit"]["code"] == "depot")
    assert depot["seats"] == 2 and depot["members"] == 15 and depot["vacant"] == 1
    assert depot["mandates"][0]["delegate"]["name"] == mandate.delegate.name
    assert [s["name"] for s in depot["mandates"][0]["substitutes"]] == ["Member d1", "Member d2"]


def test_an_organizer_issues_a_mandate(api, seated):
    union, members, _mandate = seated
    status, mandate = api(union.organizer).post(
        f"/o/union/councils/{union.council.pk}/mandates",
        {"unit": union.depot.pk, "delegate": members[3].person_id, "substitutes": []},
    )
    assert status == 201 and mandate["delegate"]["name"] == "Member d3"
    status, refusal = api(union.organizer).post(
        f"/o/union/councils/{union.council.pk}/mandates",
        {"unit": union.depot.pk, "delegate": members[4].person_id},
    )
    assert status == 400 and "no room" in refusal["reason"]


def test_members_recall_their_delegate(api, seated):
    union, members, mandate = seated
    status, recall = api(union.user(members[5])).post(
        f"/o/union/mandates/{mandate.pk}/recalls", {"reason": "broke the mandate"}
    )
    assert status == 201 and recall["supports"] == 1 and recall["needed"] == 8
    status, refusal = api(union.user(members[5])).post(f"/o/union/recalls/{recall['id']}/supports")
    assert (status, refusal["reason"]) == (400, "you already support this recall")
    for member in members[6:13]:
        status, recall = api(union.user(member)).post(f"/o/union/recalls/{recall['id']}/supports")
        assert status == 200
    assert recall["state"] == "succeeded"
    assert Mandate.objects.get(pk=mandate.pk).state == Mandate.State.RECALLED


def test_a_delegate_resigns_and_the_first_substitute_takes_the_seat(api, seated):
    union, members, mandate = seated
    status, refusal = api(union.user(members[5])).post(
        f"/o/union/mandates/{mandate.pk}/resignation"
    )
    assert status == 403 and refusal["code"] == "not_allowed"
    status, resigned = api(union.user(members[0])).post(
        f"/o/union/mandates/{mandate.pk}/resignation", {"reason": "ill"}
    )
    assert status == 200 and resigned["successor"]["delegate"]["name"] == "Member d1"


def test_a_member_sees_their_memberships_and_mandates(api, seated):
    union, members, mandate = seated
    status, me = api(union.user(members[0])).get("/me")
    assert status == 200 and me["username"] == "d0"
    assert [(m["organization"], m["number"]) for m in me["memberships"]] == [("union", "d0")]
    assert [m["id"] for m in me["mandates"]] == [mandate.pk]
