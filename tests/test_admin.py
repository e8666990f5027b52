"""The admin writes through the actions: adds are recorded, refusals shown, rows never edited."""

import pytest
from django.contrib.auth import get_user_model

from sovet.organizations.models import Membership, Organization, Statute
from sovet.record.models import RecordEntry


@pytest.fixture
def admin_client(client, union):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_add_organization_runs_the_action(admin_client):
    response = admin_client.post(
        "/admin/organizations/organization/add/",
        {
            "name": "Tenants' Union",
            "slug": "tenants",
            "preset": "assistance",
            "levels": "Union, Building",
        },
    )
    assert response.status_code == 302
    organization = Organization.objects.get(slug="tenants")
    assert Statute.objects.get(organization=organization).criterion == "assistance"
    assert RecordEntry.objects.get(organization=organization).action == "organization.founded"


def test_refusal_is_shown_on_the_form(admin_client):
    response = admin_client.post(
        "/admin/organizations/organization/add/",
        {"name": "Again", "slug": "union", "preset": "participation", "levels": "Union"},
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_statute_from_preset_with_overrides(admin_client, union):
    response = admin_client.post(
        "/admin/organizations/statute/add/",
        {"organization": union.organization.pk, "preset": "assistance", "recall_share": "2/3"},
    )
    assert response.status_code == 302
    statute = Statute.objects.get(organization=union.organization, version=2)
    assert statute.criterion == "assistance" and str(statute.recall_share) == "2/3"
    assert statute.delegate_ratio == 100  # from the preset, replacing the union's 5


def test_membership_list_searches_in_bounded_queries(
    admin_client, union, django_assert_max_num_queries
):
    for i in range(30):
        union.member(union.depot, f"m{i}")
    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/organizations/membership/", {"q": "m7"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Member m7" in page and "Member m17" not in page  # the number, exactly
    with django_assert_max_num_queries(12):
        page = admin_client.get("/admin/organizations/membership/", {"q": "Member m1"})
    assert "Member m17" in page.content.decode()  # no such number: names are searched
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/organizations/membership/").status_code == 200


def test_rows_are_read_only(admin_client, union):
    membership = union.member(union.depot, "m1")
    url = f"/admin/organizations/membership/{membership.pk}/change/"
    response = admin_client.post(url, {"number": "changed"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=membership.pk).number == "m1"
    entry = RecordEntry.objects.first()
    assert admin_client.post(f"/admin/record/recordentry/{entry.pk}/delete/").status_code == 403
    assert RecordEntry.objects.filter(pk=entry.pk).exists()


def test_admin_needs_staff(client, union, outsider):
    client.force_login(outsider)
    response = client.get("/admin/organizations/organization/add/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        (
            "/admin/councils/council/add/",
            lambda u: {
                "unit": u.root.pk,
                "name": "Big",
                "constituency_level": u.branch_level.pk,
                "fixed_seats": "99999999999",
            },
            "less than or equal to 1000000",
        ),
        (
            "/admin/organizations/statute/add/",
            lambda u: {"organization": u.organization.pk, "delegate_ratio": "3000000000"},
            "less than or equal to 1000000000",
        ),
        (
            "/admin/organizations/statute/add/",
            lambda u: {"organization": u.organization.pk, "recall_share": "1e-40"},
            "denominator up to 1,000,000",
        ),
        (
            "/admin/councils/mandate/add/",
            lambda u: {
                "council": u.council.pk,
                "unit": u.depot.pk,
                "delegate": "1",
                "votes": "7e4",
            },
            "Enter a whole number",
        ),
        (
            "/admin/councils/mandate/add/",
            lambda u: {
                "council": u.council.pk,
                "unit": u.depot.pk,
                "delegate": "1",
                "votes": "70000",
            },
            "less than or equal to 1000",
        ),
        (
            "/admin/organizations/unit/add/",
            lambda u: {"parent": "x", "code": "a", "name": "A"},
            "valid choice",
        ),
        (
            "/admin/organizations/unit/add/",
            lambda u: {"parent": "99999999", "code": "a", "name": "A"},
            "valid choice",
        ),
        (
            "/admin/organizations/membership/add/",
            lambda u: {"unit": u.north.pk, "number": "1", "name": "N", "status": "member"},
            "North has units below it",
        ),
    ],
)
def test_bad_admin_input_is_a_form_error(admin_client, union, path, data, message):
    entries = RecordEntry.objects.count()
    response = admin_client.post(path, data(union))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert RecordEntry.objects.count() == entries
