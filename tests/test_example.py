"""The example that `make run` loads: the 1903 congress."""

from sovet import example
from sovet.congress.models import Session
from sovet.organizations.models import Organization
from sovet.record.models import RecordEntry


def test_loads_once_and_again_without_duplicates(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    organization = example.load()
    entries = RecordEntry.objects.count()
    assert example.load() == organization
    assert Organization.objects.count() == 1 and RecordEntry.objects.count() == entries
    assert Session.objects.get(organization=organization).state == "closed"
    username, password = example.organizer_login()
    assert example.organizer_login() == (username, password)
    assert (tmp_path / "example-password").read_text().strip() == password
    assert organization.organizers.filter(username=username).exists()
    # The best-known delegates sign in with the example password; the organizer chaired.
    from django.contrib.auth import authenticate

    assert authenticate(username="lenin", password=password) is not None
    assert RecordEntry.objects.filter(organization=organization, actor="organizer").exists()
    assert RecordEntry.objects.filter(organization=organization, actor="martov").exists()
