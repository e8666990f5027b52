"""Pages, through full requests: public reads, recall by members, refusals with reasons."""

import pytest
from django.urls import reverse

from sovet.councils.models import Mandate, Recall
from sovet.organizations.models import Organization
from tests.conftest import PASSWORD


def test_home_lists_organizations(client, union):
    response = client.get("/")
    assert response.status_code == 200
    assert "Transit Union" in response.content.decode()


def test_organization_and_council_pages(client, seated):
    union, _members, mandate = seated
    page = client.get(reverse("organization", args=["union"])).content.decode()
    assert "Union Council" in page and "Depot" in page
    page = client.get(reverse("council", args=["union", union.council.pk])).content.decode()
    assert mandate.delegate.name in page
    assert "substitutes: Member d1, Member d2" in page
    assert "1 vacant seat" in page  # the depot's second seat


def test_unknown_pages_are_404(client, union):
    assert client.get("/o/nowhere/").status_code == 404
    assert client.get(reverse("council", args=["union", 9999])).status_code == 404


def test_record_page_filters_by_action(client, union):
    client.force_login(union.organizer)
    response = client.get(reverse("record", args=["union"]), {"action": "unit."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "unit.added" in page and "organization.founded" not in page
    assert "Latest signed tree head" not in page


def test_record_page_shows_the_latest_signed_head(client, union):
    from sovet.record.log import latest_head

    head = latest_head(union.organization)
    client.force_login(union.organizer)
    page = client.get(reverse("record", args=["union"])).content.decode()
    assert head.root_hash in page
    assert "/o/union/ledger/entries/1/proof.json" in page
    assert "/o/union/minutes.pdf" in page


def test_member_recalls_through_the_page(client, seated):
    union, members, mandate = seated
    url = reverse("open-recall", args=["union", mandate.pk])
    for index, member in enumerate(members[5:13]):
        assert client.login(username=member.number, password=PASSWORD)
        if index == 0:
            response = client.post(url, {"reason": "broke the mandate"})
        else:
            recall = Recall.objects.get(mandate=mandate)
            response = client.post(reverse("support-recall", args=["union", recall.pk]))
        assert response.status_code == 302
        client.logout()
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.RECALLED
    page = client.get(reverse("council", args=["union", union.council.pk])).content.decode()
    assert "recalled" in page and "succeeded by Member d1" in page


def test_outsider_recall_is_refused_with_reason(client, seated, outsider):
    _union, _members, mandate = seated
    client.force_login(outsider)
    response = client.post(reverse("open-recall", args=["union", mandate.pk]))
    assert response.status_code == 403
    assert "only members of Depot may recall its delegate" in response.content.decode()
    assert not Recall.objects.exists()


def test_recall_needs_post_and_sign_in(client, seated):
    _union, _members, mandate = seated
    url = reverse("open-recall", args=["union", mandate.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 403 and "sign in first" in response.content.decode()


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_sign_in_pages(client, db, path):
    assert client.get(path).status_code == 200


def test_home_without_organizations(client, db):
    assert not Organization.objects.exists()
    assert "No organization yet" in client.get("/").content.decode()


def test_recall_buttons_only_for_the_members_own_delegates(client, seated):
    union, members, _mandate = seated
    url = reverse("council", args=["union", union.council.pk])
    client.force_login(union.user(members[4]))
    assert "Recall Member d0" in client.get(url).content.decode()
    client.force_login(union.user(union.organization.memberships.get(number="y0")))
    assert "Recall Member d0" not in client.get(url).content.decode()
    client.logout()
    assert "Recall Member d0" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/o/union/record/", {"action": "a\x00b"}),
        ("post", "/o/union/mandates/1/recall/", {"reason": "a\x00b"}),
        ("get", "/", {"a\x00": "b"}),
    ],
)
def test_nul_characters_are_refused_with_400(client, union, method, path, data):
    response = getattr(client, method)(path, data)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_record_is_open_to_members_and_organizers_only(client, seated, outsider):
    union, members, _ = seated
    url = reverse("record", args=["union"])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 403
    assert "open to its members and organizers" in response.content.decode()
    client.force_login(union.user(members[3]))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/o/union/motions/99999999999999999999999/",
        "/o/union/ledger/entries/99999999999999999999999/proof.json",
        "/o/union/minutes.md?to=99999999999999999",
        "/o/union/minutes.md?session=99999999999999999",
        "/o/union/receipts/%E2%98%83%E2%98%83.json",
        "/o/union/receipts/" + "A" * 5000 + ".json",
        "/o/union/councils/99999999999999999999999/",
    ],
)
def test_out_of_range_and_odd_addresses_are_refused_not_crashed(union, client, url):
    client.force_login(union.organizer)
    assert client.get(url).status_code in (400, 404)
