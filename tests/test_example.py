"""The example organization that `make run` loads."""

from sovet import example
from sovet.councils.models import Council, Mandate, Seats
from sovet.organizations.models import Organization
from sovet.record.models import RecordEntry


def test_loads_once_and_again_without_duplicates(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    organization = example.load()
    entries = RecordEntry.objects.count()
    assert example.load() == organization
    assert Organization.objects.count() == 1 and RecordEntry.objects.count() == entries
    council = Council.objects.get(organization=organization)
    seats = sum(Seats.objects.filter(council=council).values_list("count", flat=True))
    assert seats == Mandate.objects.filter(council=council, state="active").count() > 0
    username, password = example.organizer_login()
    assert example.organizer_login() == (username, password)
    assert (tmp_path / "example-password").read_text().strip() == password
