"""Export, verify, import: every byte of an export is checked, and a kept head catches a rewrite."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from sovet import cli, ledger
from sovet.archive.export import export_organization
from sovet.archive.verify import ExportInvalid, verify_export
from sovet.polls.actions import cast_ballot, close_poll, open_poll
from sovet.record import log
from sovet.record.models import LogNode, RecordEntry, TreeHead

POSTGRES = "postgresql"


@pytest.fixture
def busy(seated):
    """The seated union with a closed secret poll and a recall in its record."""
    union, members, mandate = seated
    poll = open_poll(actor=union.organizer, council=union.council, question="Q?", secret=True)
    cast_ballot(actor=union.user(members[0]), poll=poll, mandate=mandate, choice="no")
    close_poll(actor=union.organizer, poll=poll)
    return union


def export(union, tmp_path, name="union.jsonl"):
    path = tmp_path / name
    export_organization(actor=union.organizer, organization=union.organization, path=path)
    return path


def test_export_verifies_and_is_itself_recorded(busy, tmp_path, capsys):
    path = export(busy, tmp_path)
    verified = verify_export(path)
    entry = RecordEntry.objects.filter(organization=busy.organization).order_by("seq").last()
    assert entry.action == "organization.exported"
    assert entry.data["rows"] == verified.rows > 0
    assert verified.entries == entry.seq
    head = TreeHead.objects.filter(organization=busy.organization).last()
    assert (head.reason, head.tree_size, head.root_hash) == (
        TreeHead.Reason.EXPORTED,
        entry.seq,
        verified.root_hash,
    )
    assert cli.main(["verify", str(path)]) == 0
    assert "verified" in capsys.readouterr().out


def _change_byte(data: bytes, position: int) -> bytes:
    old = data[position]
    new = next(c for c in b'1a0b "{}:,x' if c != old)
    return data[:position] + bytes([new]) + data[position + 1 :]


def test_changing_any_byte_is_detected_and_named(busy, tmp_path):
    original = export(busy, tmp_path).read_bytes()
    lines = original.split(b"\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    rng = random.Random(1917)
    # Every line at a random position, plus its first and last byte and its newline.
    positions = set()
    for number, start in enumerate(starts[:-1]):
        length = len(lines[number])
        positions |= {start, start + length - 1, start + length, start + rng.randrange(length)}
    tampered = tmp_path / "tampered.jsonl"
    for position in sorted(positions):
        tampered.write_bytes(_change_byte(original, position))
        with pytest.raises(ExportInvalid) as failure:
            verify_export(tampered)
        line = original[:position].count(b"\n") + 1
        message = str(failure.value)
        assert message.startswith("line ") or "ends early" in message, message
        if message.startswith("line "):
            named = int(message.split()[1].rstrip(":"))
            # A newline changed joins two lines: the first of them is named.
            assert named in (line, line - 1) or (line == 1 and named == 1), (position, message)


def _edit_entry_in_the_database(organization, seq, payload):
    """Change an entry behind the application's back, as only the database's owner can."""
    table = "record_recordentry"
    with connection.cursor() as cursor:
        if connection.vendor == POSTGRES:
            # Check the deferred foreign keys now: PostgreSQL alters no table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER record_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER record_entry_no_update")
        cursor.execute(
            f"UPDATE {table} SET payload = %s WHERE organization_id = %s AND seq = %s",
            [payload, organization.pk, seq],
        )


def test_an_entry_edited_in_the_database_is_named_by_verify(busy, tmp_path, capsys):
    target = RecordEntry.objects.get(organization=busy.organization, action="poll.ballot")
    forged = target.payload.replace('"choice":"no"', '"choice":"yes"')
    assert forged != target.payload
    _edit_entry_in_the_database(busy.organization, target.seq, forged)
    path = export(busy, tmp_path)
    assert cli.main(["verify", str(path)]) == 1
    error = capsys.readouterr().err
    assert f"entry {target.seq} fails" in error


def test_kept_head_proves_the_record_only_grew(busy, tmp_path, capsys):
    kept = log.latest_head(busy.organization).to_json()
    busy.member(busy.works, "later")
    path = export(busy, tmp_path)
    head_file = tmp_path / "head.json"
    head_file.write_text(json.dumps(kept))
    assert cli.main(["verify", str(path), "--head", str(head_file)]) == 0
    assert f"{kept['tree_size']} entries in the kept tree head only grew" in capsys.readouterr().out


def _rewrite_table(organization, table):
    """Remove an organization's rows from a table of the log, bypassing its trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == POSTGRES:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_delete")
        cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])


def test_kept_head_catches_a_rewritten_history(busy, tmp_path, capsys):
    """Whoever holds the database and the key rewrites an entry, rehashes the log and re-signs:
    the export verifies on its own, but not against a head kept from before."""
    organization = busy.organization
    kept = log.latest_head(organization).to_json()
    target = RecordEntry.objects.get(organization=organization, action="poll.ballot")
    _edit_entry_in_the_database(
        organization, target.seq, target.payload.replace('"choice":"no"', '"choice":"yes"')
    )
    entries = RecordEntry.objects.filter(organization=organization).order_by("seq")
    hashes = [ledger.leaf_hash(entry.leaf_data(organization.slug)) for entry in entries]
    _rewrite_table(organization, "record_lognode")
    LogNode.objects.bulk_create(
        LogNode(organization=organization, level=level, index=index, hash=digest)
        for level, row in enumerate(ledger.subtree_levels(hashes))
        for index, digest in enumerate(row)
    )
    # The heads signed before still state the old roots, so the export gives the rewrite away...
    assert cli.main(["verify", str(export(busy, tmp_path, "with-old-heads.jsonl"))]) == 1
    assert "tree head 1" in capsys.readouterr().err
    # ...until they are removed too.
    _rewrite_table(organization, "record_treehead")
    path = export(busy, tmp_path)
    assert cli.main(["verify", str(path)]) == 0
    capsys.readouterr()
    head_file = tmp_path / "head.json"
    head_file.write_text(json.dumps(kept))
    assert cli.main(["verify", str(path), "--head", str(head_file)]) == 1
    assert "the record was rewritten" in capsys.readouterr().err


def test_verify_exit_codes_for_what_cannot_be_checked(tmp_path, capsys):
    assert cli.main(["verify", str(tmp_path / "absent.jsonl")]) == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert cli.main(["verify", str(empty)]) == 1
    assert "empty" in capsys.readouterr().err
    head = tmp_path / "head.json"
    head.write_text("not json")
    assert cli.main(["verify", str(empty), "--head", str(head)]) == 2


def _sovet(var: Path, *argv: str) -> subprocess.CompletedProcess:
    """Run the command line against another installation: its own SQLite database and keys."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["SOVET_VAR"] = str(var)
    env.pop("SOVET_SIGNING_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "sovet.cli", *argv], env=env, capture_output=True, text=True
    )


def test_import_into_another_installation(busy, tmp_path):
    path = export(busy, tmp_path)
    other = tmp_path / "other"
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0", "--settings=sovet.settings"],
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "SOVET_VAR": str(other),
        },
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(path.read_bytes().replace(b'"choice":"no"', b'"choice":"yes"', 1))
    refused = _sovet(other, "import", str(tampered))
    assert refused.returncode == 1
    assert "nothing was imported" in refused.stderr
    assert _sovet(other, "org", "list", "--json").stdout.strip() == "[]"

    imported = _sovet(other, "import", str(path))
    assert imported.returncode == 0, imported.stderr
    again = _sovet(other, "import", str(path))
    assert again.returncode == 2
    assert "exists here already" in again.stderr

    head = json.loads(_sovet(other, "ledger", "head", "union", "--json").stdout)
    assert head["tree_size"] == verify_export(path).entries + 1
    reexport = tmp_path / "reexport.jsonl"
    assert _sovet(other, "export", "union", "-o", str(reexport)).returncode == 0
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(log.latest_head(busy.organization).to_json()))
    checked = _sovet(other, "verify", str(reexport), "--head", str(kept))
    assert checked.returncode == 0, checked.stderr
    assert "only grew" in checked.stdout
    assert len(verify_export(reexport).public_keys) == 2
