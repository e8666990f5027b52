"""The `sovet` command: help, organization list, member import with exit codes."""

import json
import os
import subprocess
import sys

import pytest

from sovet import cli
from sovet.organizations.models import Membership


def test_help_lists_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "sovet.cli", "--help"], capture_output=True, text=True, check=True
    )
    commands = ("run", "setup", "import-members", "org", "count", "ledger", "export", "verify")
    for command in (*commands, "import", "minutes", "scenario", "token"):
        assert command in result.stdout


def test_setup_creates_the_signing_key_outside_the_database(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["SOVET_VAR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "sovet.cli", "setup"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    key = tmp_path / "signing-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" in key.read_bytes()
    assert "Tree heads are signed with Ed25519 key" in result.stdout


def test_unknown_command_exits_2():
    result = subprocess.run(
        [sys.executable, "-m", "sovet.cli", "vote"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "invalid choice: 'vote'" in result.stderr


def test_org_list(union, capsys):
    assert cli.main(["org", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"slug": "union", "name": "Transit Union"}]
    assert cli.main(["org", "list"]) == 0
    assert capsys.readouterr().out.split() == ["union", "Transit", "Union"]


def test_import_members_reports_counts(union, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("number,name,unit\n1,Vera,depot\n2,Pavel,yard\n")
    assert cli.main(["import-members", "union", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rows 2, added 2, transferred 0")
    assert Membership.objects.count() == 2
    assert cli.main(["import-members", "union", str(path)]) == 0
    assert "added 0" in capsys.readouterr().out and Membership.objects.count() == 2


def test_import_with_bad_rows_exits_2_and_prints_each(union, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("number,name,unit\n1,Vera,depot\n2,,yard\n3,Lev,moon\n")
    assert cli.main(["import-members", "union", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:line 3: name is empty" in err
    assert f"{path}:line 4: no unit with the code 'moon'" in err
    assert "2 bad rows: nothing imported" in err
    assert not Membership.objects.exists()

    assert cli.main(["import-members", "union", str(path), "--skip-bad"]) == 0
    captured = capsys.readouterr()
    assert "line 3: name is empty (skipped)" in captured.err
    assert "added 1" in captured.out and "skipped 2" in captured.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import-members", "nope", "x.csv"], "no organization 'nope' (known: union)"),
        (["import-members", "union", "/nonexistent.csv"], "cannot read /nonexistent.csv"),
    ],
)
def test_import_bad_arguments_exit_2(union, capsys, argv, message):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err
