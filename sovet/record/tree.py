"""The record as a Merkle log in the database: leaves, tree heads and proofs.

Every record entry is a leaf (its bytes: record/leaves.py), and every complete subtree stored
(LogNode), so a head or a proof reads O(log n) stored hashes, fetched in one query. Growing the
tree reads none of them: the organization row keeps the tree's frontier and size beside the
record's length. An action's entries join the tree in its own transaction; a ballot's entry is
written alone, without holding the organization's row for the hashing, and joins the tree with
the organization's next action or when a head or a proof needs it (`catch_up`), as a
Certificate Transparency log sequences entries first and integrates them into its tree after.
"""

import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from sovet import ledger
from sovet.errors import Invalid
from sovet.ledger import Node
from sovet.record import signing
from sovet.record.models import LogNode, RecordEntry, TreeHead
from sovet.sql import Statement, execute_together, inserts


class _Prefetched:
    """The stored hashes a computation needs, read in one query before it starts."""

    def __init__(self, organization_id: int, addresses: Iterable[tuple[int, int]]) -> None:
        wanted = set(addresses)
        self.hashes: dict[tuple[int, int], bytes] = {}
        if not wanted:
            return
        self._read(organization_id, wanted)
        if wanted - self.hashes.keys():
            catch_up(organization_id)
            self._read(organization_id, wanted)
        missing = wanted - self.hashes.keys()
        if missing:
            raise LookupError(f"the log of organization {organization_id} lacks nodes {missing}")

    def _read(self, organization_id: int, wanted: set[tuple[int, int]]) -> None:
        # The organization in every branch: SQLite then looks each node up in the unique index
        # instead of scanning all of the organization's nodes (a query growing with the log).
        # Plain SQL: this runs in every action, and building the same query in the ORM costs
        # more than running it.
        quote = connection.ops.quote_name
        branch = (
            f"({quote('organization_id')} = %s AND {quote('level')} = %s AND {quote('index')} = %s)"
        )
        sql = (
            f"SELECT {quote('level')}, {quote('index')}, {quote('hash')} "
            f"FROM {quote(LogNode._meta.db_table)} WHERE {' OR '.join([branch] * len(wanted))}"
        )
        params = [value for level, index in wanted for value in (organization_id, level, index)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for level, index, digest in cursor.fetchall():
                self.hashes[level, index] = bytes(digest)

    def get(self, level: int, index: int) -> bytes:
        return self.hashes[level, index]


def grow(size: int, frontier: bytes, leaves: Sequence[bytes]) -> tuple[list[Node], bytes]:
    """Return the nodes that adding leaves (their data) to a log of `size` leaves stores, and
    the log's new frontier (`Organization.record_frontier`: the hashes of `ledger.root_reads`)."""
    known = [
        frontier[i : i + ledger.DIGEST_SIZE] for i in range(0, len(frontier), ledger.DIGEST_SIZE)
    ]
    nodes, after = ledger.extend(known, size, [ledger.leaf_hash(data) for data in leaves])
    return nodes, b"".join(after)


def node_inserts(organization_id: int, nodes: Sequence[Node]) -> list[Statement]:
    """Return the INSERTs that store the nodes: on PostgreSQL one statement of three arrays,
    which a catching-up tree of thousands of nodes writes in milliseconds instead of having
    Django and psycopg build a statement value by value."""
    if connection.vendor != "postgresql":
        return inserts(
            LogNode,
            [
                LogNode(organization_id=organization_id, level=level, index=index, hash=digest)
                for level, index, digest in nodes
            ],
        )
    if not nodes:
        return []
    quote = connection.ops.quote_name
    levels, indexes, digests = (list(column) for column in zip(*nodes, strict=True))
    return [
        (
            f"INSERT INTO {quote(LogNode._meta.db_table)} "
            f"({quote('organization_id')}, {quote('level')}, {quote('index')}, {quote('hash')}) "
            "SELECT %s, * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])",
            [organization_id, levels, indexes, digests],
        )
    ]


def leaves_between(organization_id: int, slug: str, after: int, last: int) -> list[bytes]:
    """Return the leaf data of entries after+1 to last: those written before their leaves."""
    if after >= last:
        return []
    entries = RecordEntry.objects.filter(
        organization_id=organization_id, seq__gt=after, seq__lte=last
    ).order_by("seq")
    return [entry.leaf_data(slug) for entry in entries.iterator(chunk_size=2000)]


def catch_up(organization_id: int) -> None:
    """Add the entries written without their leaves to the organization's tree."""
    from sovet.organizations.models import Organization

    with transaction.atomic():
        slug, length, size, known = (
            Organization.objects.select_for_update(no_key=True)
            .filter(pk=organization_id)
            .values_list("slug", "record_length", "tree_size", "record_frontier")
            .get()
        )
        if size == length:
            return
        nodes, after = grow(size, bytes(known), leaves_between(organization_id, slug, size, length))
        with connection.cursor() as cursor:
            execute_together(cursor, node_inserts(organization_id, nodes))
        Organization.objects.filter(pk=organization_id).update(
            tree_size=length, record_frontier=after
        )


def frontier(levels: Sequence[Sequence[bytes]], size: int) -> bytes:
    """Return the frontier of a log of `size` leaves from all its levels (ledger.subtree_levels)."""
    return b"".join(levels[level][index] for level, index in ledger.root_reads(size))


def root(organization_id: int, size: int) -> bytes:
    """Return the root hash of the first `size` leaves of the organization's log."""
    return ledger.root(_Prefetched(organization_id, ledger.root_reads(size)), size)


def inclusion_proof(organization_id: int, index: int, size: int) -> list[bytes]:
    """Return the RFC 6962 audit path of leaf `index` (from 0) in the tree of `size` leaves."""
    store = _Prefetched(organization_id, ledger.inclusion_reads(index, size))
    return ledger.inclusion_proof(store, index, size)


def consistency_proof(organization_id: int, old_size: int, new_size: int) -> list[bytes]:
    """Return the RFC 6962 proof that the tree of `old_size` leaves is a prefix of `new_size`."""
    store = _Prefetched(organization_id, ledger.consistency_reads(old_size, new_size))
    return ledger.consistency_proof(store, old_size, new_size)


def issue_head(organization: Any, *, reason: str) -> TreeHead:
    """Sign and keep the tree head of the whole record; call inside the action's transaction."""
    size = (
        type(organization).objects.values_list("record_length", flat=True).get(pk=organization.pk)
    )
    root_hash = root(organization.pk, size).hex()
    stamp = time.time_ns() // 1_000_000
    fields = {"reason": reason, "root_hash": root_hash, "timestamp": stamp, "tree_size": size}
    message = signing.head_message(organization.slug, fields)
    return TreeHead.objects.create(
        organization=organization,
        tree_size=size,
        root_hash=root_hash,
        timestamp=stamp,
        signature=signing.sign(message),
        public_key=signing.public_key_hex(),
        reason=reason,
    )


def entry_proof(organization: Any, seq: int, head: TreeHead) -> dict[str, Any]:
    """Return the inclusion proof of entry `seq` in the tree of a signed head, as hex."""
    from sovet.record.models import RecordEntry

    if not 1 <= seq <= head.tree_size:
        raise Invalid(
            f"there is no entry {seq} in a record of {head.tree_size} entries; "
            f"choose a number from 1 to {head.tree_size}"
        )
    entry = RecordEntry.objects.get(organization=organization, seq=seq)
    data = entry.leaf_data(organization.slug)
    return {
        "leaf_index": seq - 1,
        "tree_size": head.tree_size,
        "leaf_data": data.hex(),
        "leaf_hash": ledger.leaf_hash(data).hex(),
        "root_hash": head.root_hash,
        "proof": [
            digest.hex() for digest in inclusion_proof(organization.pk, seq - 1, head.tree_size)
        ],
    }


def consistency(organization: Any, old_size: int, new_size: int) -> dict[str, Any]:
    """Return the consistency proof between two sizes of the record, with both roots, as hex."""
    length = (
        type(organization).objects.values_list("record_length", flat=True).get(pk=organization.pk)
    )
    if not 0 <= old_size <= new_size <= length:
        raise Invalid(
            f"sizes must satisfy 0 <= old <= new <= {length} (the record's length); "
            f"got {old_size} and {new_size}"
        )
    return {
        "old_size": old_size,
        "new_size": new_size,
        "old_root": root(organization.pk, old_size).hex(),
        "new_root": root(organization.pk, new_size).hex(),
        "proof": [
            digest.hex() for digest in consistency_proof(organization.pk, old_size, new_size)
        ],
    }
