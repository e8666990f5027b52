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
    historical, practice = Session.objects.filter(organization=organization).order_by("pk")
    assert historical.state == "closed" and practice.state == "open"
    assert practice.title.startswith("Practice session (not historical)")
    username, password = example.organizer_login()
    assert example.organizer_login() == (username, password)
    assert (tmp_path / "example-password").read_text().strip() == password
    assert organization.organizers.filter(username=username).exists()
    # The best-known delegates sign in with the example password; the organizer chaired.
    from django.contrib.auth import authenticate

    assert authenticate(username="lenin", password=password) is not None
    assert RecordEntry.objects.filter(organization=organization, actor="organizer").exists()
    assert RecordEntry.objects.filter(organization=organization, actor="martov").exists()


def test_a_delegate_of_the_example_can_vote_in_the_practice_poll(db, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from sovet.councils.models import Mandate
    from sovet.polls.actions import cast_ballot
    from sovet.polls.models import Poll

    settings.VAR_DIR = tmp_path
    organization = example.load()
    poll = Poll.objects.get(organization=organization, state="open")
    assert poll.question == example.PRACTICE_POLL
    lenin = get_user_model().objects.get(username="lenin")
    mandate = Mandate.objects.get(delegate=lenin.login.person, state="active")
    cast_ballot(actor=lenin, poll=poll, mandate=mandate, choice="yes")
    assert poll.participations.count() == 1
