"""Every refusal is JSON {code, reason}: wrong input, unknown objects, refused actions."""

import pytest
from django.test import Client

from sovet.organizations.access import ONLY_ORGANIZERS


def test_unknown_objects_are_404(api, congress):
    client = api(congress.union.organizer)
    assert client.get("/o/nowhere") == (
        404,
        {"code": "not_found", "reason": "there is no organization 'nowhere'"},
    )
    status, refusal = client.get("/o/union/polls/999999")
    assert status == 404 and refusal == {
        "code": "not_found",
        "reason": "there is no poll 999999 here",
    }
    status, refusal = client.get("/no/such/operation")
    assert status == 404 and refusal["code"] == "not_found"
    assert "/api/no/such/operation" in refusal["reason"]
    root = Client().get("/api/").json()
    assert root == {"code": "not_found", "reason": "no API operation answers /api/; see /api/docs"}


def test_a_method_an_operation_does_not_take_is_405(api, union):
    response = Client().delete("/api/o/union")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json() == {"code": "method_not_allowed", "reason": "DELETE is not one of: GET"}


def test_an_object_of_another_organization_is_not_found(api, congress, union):
    from sovet.organizations.actions import create_organization

    other = create_organization(actor=None, slug="other", name="Other", levels=["Whole"])
    client = api(congress.union.organizer)
    council = congress.union.council.pk
    status, _ = client.post(f"/o/{other.slug}/councils/{council}/polls", {"question": "Q?"})
    assert status == 404


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "body question: Field required"),
        ({"question": 5}, "body question: Input should be a valid string"),
        ({"question": "Q?", "secret": "perhaps"}, "body secret: Input should be a valid boolean"),
        ({"question": "Q?", "colour": "red"}, "body colour: Extra inputs are not permitted"),
        ({"question": "Q\x00?"}, "body question: Value error, the text contains a NUL character"),
        ({"question": "Q\ud800?"}, "body question: Input should be a valid string"),
    ],
)
def test_input_that_does_not_fit_the_schema_is_400_naming_the_field(api, congress, body, reason):
    status, refusal = api(congress.union.organizer).post(
        f"/o/union/councils/{congress.union.council.pk}/polls", body
    )
    assert status == 400
    assert refusal["code"] == "invalid_input"
    assert refusal["reason"].startswith(reason)


def test_malformed_json_and_wrong_path_types_are_400(api, congress):
    client = api(congress.union.organizer)
    response = client.client.post(
        f"/api/o/union/councils/{congress.union.council.pk}/polls",
        "{nope",
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    status, refusal = client.get("/o/union/polls/first")
    assert status == 400 and refusal["reason"].startswith("path poll_id:")
    status, refusal = client.get("/o/Union!/councils")
    assert status == 400 and refusal["reason"].startswith("path slug:")
    status, refusal = client.get(f"/o/union/polls/{2**70}")
    assert status == 400 and refusal["code"] == "invalid_input"


def test_a_refused_action_says_why(api, congress):
    status, refusal = api(congress.user(1)).post(
        f"/o/union/councils/{congress.union.council.pk}/polls", {"question": "Strike?"}
    )
    assert status == 403
    assert refusal == {
        "code": "not_allowed",
        "reason": ONLY_ORGANIZERS.format(organization="Transit Union"),
    }


def test_an_invalid_action_is_400_with_the_actions_reason(api, congress):
    status, refusal = api(congress.union.organizer).post(
        f"/o/union/councils/{congress.union.council.pk}/polls",
        {"question": "Which?", "kind": "choice", "options": ["one"]},
    )
    assert (status, refusal) == (
        400,
        {"code": "invalid", "reason": "a poll offers from 2 to 100 choices"},
    )


def test_a_reference_in_the_body_to_nothing_is_400(api, congress):
    _, opened = api(congress.union.organizer).post(
        f"/o/union/councils/{congress.union.council.pk}/polls", {"question": "Q?"}
    )
    status, refusal = api(congress.user(0)).post(
        f"/o/union/polls/{opened['id']}/ballots", {"mandate": 999, "choice": "yes"}
    )
    assert (status, refusal) == (
        400,
        {"code": "invalid", "reason": "there is no mandate 999 in this organization"},
    )


def test_a_ballot_finds_its_poll_and_mandate_only_in_the_organization_it_names(api, congress):
    from sovet.councils.actions import create_council
    from sovet.organizations.actions import add_unit, create_organization
    from sovet.polls.actions import open_poll

    guild = create_organization(actor=None, slug="guild", name="Guild", levels=["Guild", "Shop"])
    shop = add_unit(actor=None, parent=guild.units.get(parent=None), code="s", name="Shop")
    council = create_council(
        actor=None, unit=shop.parent, name="Guild council", constituency_level=shop.level
    )
    theirs = open_poll(actor=None, council=council, question="Q?")
    ours = open_poll(actor=None, council=congress.union.council, question="Q?")
    delegate = api(congress.user(0))
    mandate = congress.mandate(0).pk
    ballot = {"mandate": mandate, "choice": "yes"}
    assert delegate.post(f"/o/nowhere/polls/{ours.pk}/ballots", ballot) == (
        404,
        {"code": "not_found", "reason": "there is no organization 'nowhere'"},
    )
    assert delegate.post(f"/o/guild/polls/{ours.pk}/ballots", ballot) == (
        404,
        {"code": "not_found", "reason": f"there is no poll {ours.pk} here"},
    )
    assert delegate.post(f"/o/guild/polls/{theirs.pk}/ballots", ballot) == (
        400,
        {"code": "invalid", "reason": f"there is no mandate {mandate} in this organization"},
    )
    assert delegate.post(f"/o/union/polls/{ours.pk}/ballots", ballot)[0] == 200


def test_record_reads_are_for_members_and_organizers(api, congress, outsider):
    assert api(outsider).get("/o/union/record")[0] == 403
    assert api(congress.user(3)).get("/o/union/record")[0] == 200
    assert Client().get("/api/o/union/sessions").status_code == 401
