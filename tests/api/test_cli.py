"""`sovet token create`: a token for a user, its secret printed once."""

from django.test import Client

from sovet import cli
from sovet.api.models import ApiToken


def test_token_create_prints_a_working_secret(organizer, capsys):
    assert cli.main(["token", "create", "organizer", "--name", "phone"]) == 0
    captured = capsys.readouterr()
    secret = captured.out.strip()
    assert "shown this once" in captured.err
    assert ApiToken.objects.get().name == "phone"
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.json()["username"] == "organizer"


def test_token_create_for_an_unknown_user_exits_2(db, capsys):
    assert cli.main(["token", "create", "nobody"]) == 2
    assert "sovet: no user 'nobody'" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_token_create_for_an_inactive_user_exits_2(organizer, capsys):
    organizer.is_active = False
    organizer.save()
    assert cli.main(["token", "create", "organizer"]) == 2
    assert "organizer is not an active user" in capsys.readouterr().err
