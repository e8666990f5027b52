"""The record over HTTP: entries a page at a time for members, the signed head for anyone."""

from django.test import Client

from sovet.record.models import RecordEntry


def test_members_page_through_the_record(api, congress):
    client = api(congress.user(2))
    total = RecordEntry.objects.count()
    status, page = client.get("/o/union/record", limit=10)
    assert status == 200 and page["record_length"] == total
    assert [entry["seq"] for entry in page["entries"]] == list(range(1, 11))
    assert page["entries"][0]["action"] == "organization.founded"
    assert page["entries"][0]["payload"]["slug"] == "union"
    assert page["next_after"] == 10
    seen = []
    after = 0
    while after is not None:
        _, page = client.get("/o/union/record", after=after, limit=40)
        seen += [entry["seq"] for entry in page["entries"]]
        after = page["next_after"]
    assert seen == list(range(1, total + 1))


def test_the_record_filters_by_action(api, congress):
    _, page = api(congress.union.organizer).get("/o/union/record", action="presence.")
    assert {entry["action"] for entry in page["entries"]} == {"presence.arrived"}
    assert len(page["entries"]) == RecordEntry.objects.filter(action="presence.arrived").count()


def test_the_signed_head_is_public_and_others_may_not_read_the_record(api, union, outsider):
    head = Client().get("/api/o/union/record/head").json()
    assert head["tree_size"] == RecordEntry.objects.count()
    assert len(head["root_hash"]) == 64 and head["signature"]
    status, refusal = api(outsider).get("/o/union/record")
    assert status == 403
    assert refusal["reason"].startswith("the record of Transit Union is open to its members")
