"""Who may call the API: API tokens, the browser's session with CSRF, and JSON refusals."""

import gc
import json
import weakref

import pytest
from django.test import Client

from sovet.api import tokens
from sovet.api.api import CSRF, SIGN_IN
from sovet.api.models import ApiToken
from sovet.errors import NotAllowed
from tests.conftest import PASSWORD


def test_a_token_authenticates_and_only_its_digest_is_stored(api, organizer):
    token, secret = tokens.issue_token(actor=organizer, user=organizer, name="phone")
    assert secret.startswith("sovet_") and secret not in token.digest
    assert ApiToken.objects.get().digest == tokens.digest(secret)
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json() == {"username": "organizer", "memberships": [], "mandates": []}
    token.refresh_from_db()
    assert token.last_used is not None


def test_a_token_loads_its_user_as_the_orm_would_with_the_login_and_no_further_query(
    union, organizer, django_assert_num_queries
):
    from django.contrib.auth import get_user_model

    member = union.member(union.works, "t1", login=True)
    delegate = union.user(member)
    for user in (delegate, organizer):
        _, secret = tokens.issue_token(actor=user, user=user)
        loaded = tokens.user_for(secret)
        expected = get_user_model().objects.get(pk=user.pk)
        assert [getattr(loaded, f.attname) for f in get_user_model()._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in get_user_model()._meta.concrete_fields
        ]
        with django_assert_num_queries(0):
            if user is delegate:
                assert loaded.login.person_id == member.person_id
            else:
                with pytest.raises(get_user_model().login.RelatedObjectDoesNotExist):
                    loaded.login  # noqa: B018


def test_a_token_s_user_is_freed_once_dropped_not_left_to_the_cycle_collector(union):
    member = union.member(union.works, "t2", login=True)
    user = union.user(member)
    _, secret = tokens.issue_token(actor=user, user=user)
    gc.collect()
    gc.disable()
    try:
        loaded = tokens.user_for(secret)
        assert loaded.login.person_id == member.person_id
        user_ref, login_ref = weakref.ref(loaded), weakref.ref(loaded.login)
        del loaded
        assert user_ref() is None and login_ref() is None
    finally:
        gc.enable()


def test_a_token_notes_its_use_at_most_once_a_minute_and_never_for_an_inactive_user(
    organizer, outsider
):
    import datetime

    from django.utils import timezone

    token, secret = tokens.issue_token(actor=organizer, user=organizer)
    assert tokens.user_for(secret) == organizer
    token.refresh_from_db()
    first = token.last_used
    assert first is not None and timezone.now() - first < tokens.USE_PRECISION
    assert tokens.user_for(secret) == organizer
    token.refresh_from_db()
    assert token.last_used == first
    earlier = first - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used=earlier)
    assert tokens.user_for(secret) == organizer
    token.refresh_from_db()
    assert token.last_used > first

    theirs, their_secret = tokens.issue_token(actor=outsider, user=outsider)
    outsider.is_active = False
    outsider.save()
    assert tokens.user_for(their_secret) is None
    theirs.refresh_from_db()
    assert theirs.last_used is None


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer sovet_wrong", "Basic b3JnYW5pemVyOnB3", "sovet_x"]
)
def test_without_a_valid_token_the_answer_is_401_json(union, header):
    headers = {"Authorization": header} if header else {}
    response = Client().get("/api/o/union/record", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"code": "sign_in", "reason": SIGN_IN}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_tokens_and_inactive_users_are_refused(api, organizer, outsider):
    client = api(organizer)
    status, listed = client.get("/tokens")
    assert status == 200 and [token["name"] for token in listed] == ["tests"]
    assert client.delete(f"/tokens/{listed[0]['id']}") == (200, {"done": True})
    assert client.get("/me")[0] == 401

    client = api(outsider)
    outsider.is_active = False
    outsider.save()
    assert client.get("/me")[0] == 401


def test_tokens_are_issued_and_revoked_only_by_their_user(organizer, outsider):
    with pytest.raises(NotAllowed, match=tokens.NOT_YOURS):
        tokens.issue_token(actor=outsider, user=organizer)
    token, _ = tokens.issue_token(actor=None, user=organizer, name="installation")
    with pytest.raises(NotAllowed, match=tokens.NOT_YOURS):
        tokens.revoke_token(actor=outsider, token=token)
    assert Client().delete(f"/api/tokens/{token.pk}").status_code == 401


def test_a_session_needs_its_csrf_token_for_writes(organizer):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="organizer", password=PASSWORD)
    assert browser.get("/api/me").json()["username"] == "organizer"

    refused = browser.post("/api/tokens", {"name": "phone"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"code": "csrf", "reason": CSRF}

    page = browser.get("/api/docs")  # the docs page hands out the token, as forms do
    csrf = browser.cookies["csrftoken"].value
    assert 'data-csrf-token=""' not in page.content.decode()
    created = browser.post(
        "/api/tokens",
        json.dumps({"name": "phone"}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert created.json()["name"] == "phone"

    # A token is sent on purpose: its requests need no CSRF token.
    bearer = Client(enforce_csrf_checks=True)
    response = bearer.get("/api/tokens", headers={"Authorization": f"Bearer {secret}"})
    assert [token["name"] for token in response.json()] == ["phone"]
    token_id = response.json()[0]["id"]
    response = bearer.delete(
        f"/api/tokens/{token_id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.json() == {"done": True}


def test_only_a_session_makes_tokens(api, organizer):
    status, refusal = api(organizer).post("/tokens", {"name": "another"})
    assert status == 401 and refusal["code"] == "sign_in"
    assert ApiToken.objects.count() == 1


def test_anonymous_writes_are_told_to_sign_in_not_about_csrf(union):
    response = Client(enforce_csrf_checks=True).post(
        "/api/o/union/councils/1/polls", "{}", content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["code"] == "sign_in"


def test_the_docs_page_and_schema_need_nothing_from_elsewhere(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    page = client.get("/api/docs").content.decode()
    assert "//cdn" not in page and "http" not in page.replace("http-equiv", "")
    assert '"validatorUrl": null' in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert f"/static/ninja/{asset}" in page
        served = client.get(f"/static/ninja/{asset}")
        served.close()
        assert served.status_code == 200


def test_every_operation_declares_its_refusals(client, db):
    schema = client.get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            needs_user = bool(operation.get("security"))
            expected = {"400", "404", "401", "403"} if needs_user else {"400", "404"}
            assert expected <= codes, f"{method} {path}"
