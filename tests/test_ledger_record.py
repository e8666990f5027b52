"""The record as an RFC 6962 log: leaves, signed heads and proofs, in the database and outside."""

import json

import pytest
from django.db import DatabaseError, connection, transaction

from sovet import cli, ledger
from sovet.errors import Invalid
from sovet.organizations.actions import admit_member
from sovet.record import log, signing, tree
from sovet.record.models import LogNode, RecordEntry, TreeHead


def leaves(organization):
    entries = RecordEntry.objects.filter(organization=organization).order_by("seq")
    return [ledger.leaf_hash(entry.leaf_data(organization.slug)) for entry in entries]


def grow(union, count, prefix="g"):
    for number in range(count):
        union.member(union.works, f"{prefix}{number}")


def test_stored_log_has_the_root_of_the_entries_rehashed(union):
    grow(union, 10)
    organization = union.organization
    organization.refresh_from_db()
    hashes = leaves(organization)
    assert len(hashes) == organization.record_length
    for size in range(len(hashes) + 1):
        assert tree.root(organization.pk, size) == ledger.root_from_leaves(hashes[:size])
    # Every complete subtree stored once: n leaves leave n + (n - popcount(n)) - ... nodes.
    stored = LogNode.objects.filter(organization=organization, level=0).count()
    assert stored == len(hashes)


def test_every_entry_proves_into_the_signed_head(union):
    grow(union, 5)
    organization = union.organization
    head = log.latest_head(organization)
    signing.verify_head(organization.slug, head.to_json())
    for seq in range(1, head.tree_size + 1):
        proof = tree.entry_proof(organization, seq, head)
        data = bytes.fromhex(proof["leaf_data"])
        assert json.loads(data)["seq"] == seq
        assert proof["leaf_hash"] == ledger.leaf_hash(data).hex()
        ledger.verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            proof["leaf_index"],
            proof["tree_size"],
            [bytes.fromhex(step) for step in proof["proof"]],
            bytes.fromhex(head.root_hash),
        )


@pytest.mark.parametrize(
    ("field", "forged"),
    [("tree_size", 1), ("timestamp", 1), ("reason", "exported"), ("root_hash", "00" * 32)],
)
def test_a_forged_head_fails_its_signature(union, field, forged):
    head = log.latest_head(union.organization).to_json()
    signing.verify_head("union", head)
    with pytest.raises(signing.SignatureError):
        signing.verify_head("union", {**head, field: forged})
    with pytest.raises(signing.SignatureError):
        signing.verify_head("another", head)


def test_heads_are_signed_once_per_size(union):
    first = log.latest_head(union.organization)
    assert log.latest_head(union.organization).pk == first.pk
    grow(union, 1)
    second = log.latest_head(union.organization)
    union.organization.refresh_from_db()
    assert first.tree_size < second.tree_size == union.organization.record_length
    assert TreeHead.objects.filter(organization=union.organization).count() == 2


def test_later_head_is_consistent_with_earlier(union):
    old = log.latest_head(union.organization)
    grow(union, 7)
    new = log.latest_head(union.organization)
    fields = tree.consistency(union.organization, old.tree_size, new.tree_size)
    assert (fields["old_root"], fields["new_root"]) == (old.root_hash, new.root_hash)
    ledger.verify_consistency(
        old.tree_size,
        new.tree_size,
        [bytes.fromhex(step) for step in fields["proof"]],
        bytes.fromhex(old.root_hash),
        bytes.fromhex(new.root_hash),
    )


def test_a_refused_action_leaves_no_leaf(union):
    organization = union.organization
    admit_member(actor=union.organizer, unit=union.works, number="x1", name="A")
    organization.refresh_from_db()
    length = organization.record_length
    with pytest.raises(Invalid, match="already"):
        admit_member(actor=union.organizer, unit=union.works, number="x1", name="A")
    organization.refresh_from_db()
    assert organization.record_length == length
    assert LogNode.objects.filter(organization=organization, level=0).count() == length


@pytest.mark.parametrize("table", ["record_lognode", "record_treehead"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_database_refuses_to_change_the_log(union, table, statement):
    log.latest_head(union.organization)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))


def test_cli_prints_head_proof_and_consistency(union, capsys):
    grow(union, 3)
    assert cli.main(["ledger", "head", "union", "--json"]) == 0
    head = json.loads(capsys.readouterr().out)
    assert set(head) == {
        "tree_size",
        "root_hash",
        "timestamp",
        "signature",
        "public_key",
        "reason",
    }
    assert cli.main(["ledger", "prove", "union", "2", "--json"]) == 0
    proof = json.loads(capsys.readouterr().out)
    assert set(proof) == {"leaf_index", "tree_size", "leaf_data", "leaf_hash", "root_hash", "proof"}
    assert proof["leaf_index"] == 1
    assert proof["root_hash"] == head["root_hash"]
    assert cli.main(["ledger", "consistency", "union", "1", str(head["tree_size"]), "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert set(fields) == {"old_size", "new_size", "old_root", "new_root", "proof"}
    assert fields["new_root"] == head["root_hash"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ledger", "prove", "union", "0"], "no entry 0"),
        (["ledger", "prove", "union", "9999"], "choose a number from 1"),
        (["ledger", "consistency", "union", "5", "2"], "0 <= old <= new"),
        (["ledger", "consistency", "union", "1", "9999"], "the record's length"),
        (["ledger", "head", "nowhere"], "no organization 'nowhere'"),
    ],
)
def test_cli_bad_arguments_exit_2(union, capsys, argv, message):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_http_heads_and_consistency_are_public(union, client):
    grow(union, 2)
    head = client.get("/o/union/ledger/head.json").json()
    key = client.get("/ledger/public-key.json").json()
    assert key == {"algorithm": "Ed25519", "public_key": head["public_key"]}
    answer = client.get(f"/o/union/ledger/consistency.json?old=1&new={head['tree_size']}")
    assert answer.status_code == 200
    assert answer.json()["new_root"] == head["root_hash"]


@pytest.mark.parametrize("query", ["", "?old=1", "?old=x&new=2", "?old=3&new=2", "?old=-1&new=2"])
def test_http_consistency_refuses_bad_sizes(union, client, query):
    answer = client.get(f"/o/union/ledger/consistency.json{query}")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid"
    assert answer.json()["reason"]


def test_http_inclusion_proof_is_for_record_readers(union, client):
    member = union.member(union.works, "m1", login=True)
    refused = client.get("/o/union/ledger/entries/1/proof.json")
    assert refused.status_code == 403
    assert refused.json()["error"] == "not_allowed"
    client.force_login(union.user(member))
    answer = client.get("/o/union/ledger/entries/1/proof.json")
    assert answer.status_code == 200
    assert answer.json()["leaf_index"] == 0
    assert client.get("/o/union/ledger/entries/99999/proof.json").status_code == 400
