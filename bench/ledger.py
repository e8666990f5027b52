"""The ledger: appends, verification against raw hashlib, and proofs from 10^3 to 10^6 entries.

Figures (the issue's, printed side by side in one run):
1. appends per second: pure (`ledger.append` into a `MemoryStore`, storing the nodes it returns,
   for 1,000,000 leaves), and through the database on SQLite and on PostgreSQL: the action
   `admit_member` (one record entry each, its own transaction, as in real use), and, to show
   what the record and the log themselves cost, `record.log.append` (entry + leaf + nodes) and
   `record.tree.append_leaves` (leaf + nodes), ACTIONS of each, one transaction per entry, in
   small logs; then `append_leaves` again into each log of figure 3 (10^3 to 10^6 entries), to
   show how an append's cost depends on the size of the log;
2. verifying a 1,000,000-entry log (every leaf hash and the root: `ledger.leaf_hash` for each
   leaf, then `ledger.root_from_leaves`) against raw `hashlib.sha256` over exactly the same bytes
   (0x00 || leaf for each leaf, then the 999,999 inner-node inputs 0x01 || left || right, built
   beforehand and not timed), best of VERIFY_RUNS each: goal at least 50% of raw throughput. As
   information, `sovet verify` (`archive.verify.verify_export`) of an export file of the same
   1,000,000 entries, written and signed by hand (own Ed25519 key) as ARCHIVE.md describes;
3. proof time at 10^3, 10^4, 10^5 and 10^6 entries: pure (mean over PROOFS random indices and old
   sizes, fastest of PROOF_RUNS runs) and through the database (`record.tree.inclusion_proof` /
   `consistency_proof`, one query each, DB_PROOFS of each or as many as fit in DB_BUDGET seconds,
   on log nodes bulk-inserted with `bulk_create` from `ledger.subtree_levels`, one bare
   organization row per size). A size whose nodes would take over DB_INSERT_LIMIT seconds to
   insert (estimated from the previous size's rate) is left out and said so. Goal: growing like
   log n, checked as time(largest) / time(10^3) below GROWTH_SLACK times log2(largest) /
   log2(10^3), that is below 4 at 10^6.

The leaves are ~325-byte canonical JSON record entries (`membership.admitted`, as `admit_member`
writes them) made by `record.leaves.leaf_object` and `leaf_bytes` from a fixed seed; the last one
is the `organization.exported` entry that seals the export file.

The database parts run in a subprocess each (`python -m bench.ledger db sqlite|postgres`), as
Django is set up once per process: SQLite in a fresh file under var/bench/ledger-sqlite/ with the
project's own SQLite settings, PostgreSQL (127.0.0.1:5432, user postgres) in a throwaway database
created at the start and dropped at the end. An unreachable PostgreSQL is reported, not fatal.
"""

import contextlib
import datetime
import hashlib
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bench import (
    HIGHER,
    OUT_DIR,
    CheckFailed,
    check,
    figure,
    fresh_database,
    pg_name,
    postgres_database,
    run_child,
    step,
    timed,
)

SEED = 6962
SLUG = "bench"
ENTRIES = 1_000_000
ACTIONS = 2_000  # per database: admit_member calls, and as many log.append / append_leaves
WARM_UP = 20  # untimed calls before each timed series
PROOF_SIZES = (1_000, 10_000, 100_000, 1_000_000)
PROOFS = 20_000  # pure proofs of each kind and size, per run
PROOF_RUNS = 3  # pure proof runs per kind and size: the fastest run's mean is kept
DB_PROOFS = 300  # database proofs of each kind and size, and appends at that size...
DB_BUDGET = 3.0  # s: ...or as many as fit in this time, at least 3
DB_INSERT_LIMIT = 100.0  # s: a size whose log nodes would take longer to insert is left out
VERIFY_TARGET = 50.0  # % of raw hashlib throughput
VERIFY_RUNS = 3
GROWTH_SLACK = 2.0  # proof time may grow up to twice as fast as log2(n)
HEADS = 10  # signed tree heads in the export file, evenly spaced, the last covering all

EXPORT_FILE = OUT_DIR / "ledger-export.jsonl"
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

FIRST = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Fyodor", "Galina", "Ivan", "Katya", "Lev"]
LAST = ["Ivanova", "Petrov", "Smirnova", "Kuznetsov", "Popova", "Volkov", "Zetkin", "Martov"]
STATUSES = ("member", "member", "member", "member", "assistant", "supporter")
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


# ---------------------------------------------------------------------------------------------
# Leaves


def membership_payloads(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Payloads of `membership.admitted` as admit_member records them, from a fixed seed."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        region, branch = rng.randrange(1, 101), rng.randrange(1, 101)
        yield {
            "membership": {
                "id": number,
                "number": f"M{number:07d}",
                "person": {
                    "id": number + 3,
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                },
                "status": rng.choice(STATUSES),
                "unit": {"code": f"r{region:03d}-b{branch:03d}", "id": 100 * region + branch},
            }
        }


def entry_leaves(count: int, *, seed: int = SEED, slug: str = SLUG) -> Iterator[bytes]:
    """The leaf bytes of `count` admitted members' record entries, from a fixed seed."""
    from sovet.record.leaves import leaf_bytes, leaf_object

    rng = random.Random(seed + 1)
    at = START
    for seq, payload in enumerate(membership_payloads(count, seed), start=1):
        at += datetime.timedelta(microseconds=rng.randrange(1, 2_000_000))
        payload["since"] = at.date().isoformat()
        yield leaf_bytes(
            leaf_object(
                organization=slug,
                seq=seq,
                at=at,
                actor="organizer",
                action="membership.admitted",
                statute_version=1,
                payload=payload,
            )
        )


def export_rows() -> list[dict[str, Any]]:
    """A few data rows for the export file, each with its sha256 as ARCHIVE.md says."""
    from sovet.archive.verify import row_hash

    rows = [
        {
            "fields": {"name": "Bench Party", "record_length": ENTRIES, "slug": SLUG},
            "model": "organizations.organization",
            "pk": 1,
        },
        {
            "fields": {"name": "Union", "organization": 1},
            "model": "organizations.unitlevel",
            "pk": 1,
        },
        {
            "fields": {"code": "root", "level": 1, "name": "Bench Party", "parent": None},
            "model": "organizations.unit",
            "pk": 1,
        },
    ]
    return [{**row, "sha256": row_hash(row).hex()} for row in rows]


def exported_leaf(seq: int, rows: list[dict[str, Any]]) -> bytes:
    """The `organization.exported` entry that seals the rows, as the log's last leaf."""
    from sovet.record.leaves import leaf_bytes, leaf_object

    data = hashlib.sha256(b"".join(bytes.fromhex(row["sha256"]) for row in rows)).hexdigest()
    return leaf_bytes(
        leaf_object(
            organization=SLUG,
            seq=seq,
            at=START + datetime.timedelta(days=365),
            actor="organizer",
            action="organization.exported",
            statute_version=1,
            payload={"data_sha256": data, "rows": len(rows)},
        )
    )


# ---------------------------------------------------------------------------------------------
# Pure measurements


def best(runs: int, function: Callable[[], Any]) -> tuple[float, Any]:
    """Run `function` `runs` times; return the fastest time and the last result."""
    times, result = [], None
    for _ in range(runs):
        with timed() as t:
            result = function()
        times.append(t["s"])
    return min(times), result


def raw_inputs(leaves: Sequence[bytes], levels: list[list[bytes]]) -> list[bytes]:
    """Every input SHA-256 takes to hash the leaves and the root: leaves, parents, right edge."""
    inputs = [b"\x00" + leaf for leaf in leaves]
    for row in levels[:-1]:
        inputs.extend(b"\x01" + row[i] + row[i + 1] for i in range(0, len(row) - 1, 2))
    parts = [row[-1] for row in levels if len(row) % 2][::-1]  # the root's subtrees, left first
    result = parts[-1]
    for digest in reversed(parts[:-1]):
        inputs.append(b"\x01" + digest + result)
        result = hashlib.sha256(inputs[-1]).digest()
    return inputs


def pure_proofs(
    store: Any, size: int, rng: random.Random, root_hash: bytes
) -> dict[str, float | int]:
    """Mean time of an inclusion and of a consistency proof in a tree of `size` leaves."""
    from sovet import ledger

    indices = [rng.randrange(size) for _ in range(PROOFS)]
    olds = [rng.randrange(1, size) for _ in range(PROOFS)]

    def inclusions() -> list[bytes]:
        proof: list[bytes] = []
        for index in indices:
            proof = ledger.inclusion_proof(store, index, size)
        return proof

    def consistencies() -> list[bytes]:
        proof: list[bytes] = []
        for old in olds:
            proof = ledger.consistency_proof(store, old, size)
        return proof

    inclusion_s, _ = best(PROOF_RUNS, inclusions)
    consistency_s, _ = best(PROOF_RUNS, consistencies)
    for index in indices[:200]:
        proof = ledger.inclusion_proof(store, index, size)
        ledger.verify_inclusion(store.get(0, index), index, size, proof, root_hash)
    for old in olds[:200]:
        proof = ledger.consistency_proof(store, old, size)
        ledger.verify_consistency(old, size, proof, ledger.root(store, old), root_hash)
    return {
        "inclusion_us": 1e6 * inclusion_s / PROOFS,
        "consistency_us": 1e6 * consistency_s / PROOFS,
        "inclusion_hashes_mean": statistics.fmean(
            ledger.inclusion_proof_size(i, size) for i in indices
        ),
        "consistency_hashes_mean": statistics.fmean(
            ledger.consistency_proof_size(m, size) for m in olds
        ),
    }


def write_export(
    path: Path, leaves: Sequence[bytes], hashes: Sequence[bytes], store: Any, rows: list[Any]
) -> dict[str, Any]:
    """Write a signed export file of the log by hand, as ARCHIVE.md describes it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sovet import canonical, ledger
    from sovet.record import signing

    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench ledger key").digest())
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    sizes = [len(leaves) * (i + 1) // HEADS for i in range(HEADS)]
    heads = []
    for number, size in enumerate(sizes, start=1):
        fields = {
            "reason": "exported" if size == len(leaves) else "requested",
            "root_hash": ledger.root(store, size).hex(),
            "timestamp": int(START.timestamp() * 1000) + number * 86_400_000,
            "tree_size": size,
        }
        signature = key.sign(signing.head_message(SLUG, fields)).hex()
        heads.append({**fields, "public_key": public.hex(), "signature": signature})
    header = {
        "entries": len(leaves),
        "format": "sovet-export",
        "heads": len(heads),
        "organization": SLUG,
        "rows": len(rows),
        "version": 1,
    }
    with path.open("wb") as file:
        file.write(canonical.dumps(header).encode() + b"\n")
        file.writelines(canonical.dumps(row).encode() + b"\n" for row in rows)
        # {"leaf": ..., "leaf_hash": ...} in canonical form: keys sorted, the leaf as it is.
        file.writelines(
            b'{"leaf":' + leaf + b',"leaf_hash":"' + digest.hex().encode() + b'"}\n'
            for leaf, digest in zip(leaves, hashes, strict=True)
        )
        file.writelines(canonical.dumps(head).encode() + b"\n" for head in heads)
    return {"heads": len(heads), "bytes": path.stat().st_size, "public_key": public.hex()}


# ---------------------------------------------------------------------------------------------
# The database parts, each in a subprocess: python -m bench.ledger db sqlite|postgres


def _series(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    total = sum(ordered)
    return {
        "count": len(ordered),
        "s": total,
        "per_s": len(ordered) / total,
        "mean_ms": 1000 * statistics.fmean(ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
        "max_ms": 1000 * ordered[-1],
    }


def bounded(function: Callable[[Any], Any], arguments: list[Any]) -> tuple[float, list[Any]]:
    """Call `function` on each argument until DB_BUDGET seconds have passed (at least 3 calls).

    Return the mean time of a call and the results.
    """
    results = []
    start = time.perf_counter()
    for argument in arguments:
        results.append(function(argument))
        if len(results) >= 3 and time.perf_counter() - start > DB_BUDGET:
            break
    return (time.perf_counter() - start) / len(results), results


def _each(calls: Iterator[Callable[[], Any]]) -> list[float]:
    latencies = []
    for call in calls:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


def db_worker(kind: str) -> dict[str, Any]:
    """Appends and proofs through the database; run in a process of its own."""
    note = fresh_database(kind, "ledger")
    step(f"{kind}: {note}")

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench import database
    from sovet import ledger
    from sovet.organizations.actions import (
        add_unit,
        admit_member,
        appoint_organizer,
        create_organization,
    )
    from sovet.organizations.models import Organization, UnitLevel
    from sovet.record import log, tree
    from sovet.record.models import RecordEntry

    result: dict[str, Any] = {"database": database(), "note": note}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["server_version"] = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            result["synchronous_commit"] = cursor.fetchone()[0]
    step(f"{kind}: migrating")
    with timed() as t:
        call_command("migrate", verbosity=0, interactive=False)
    result["migrate_s"] = t["s"]

    def log_root_matches(organization: Any) -> bool:
        """The stored log's root equals one recomputed from the entries' leaf bytes."""
        entries = RecordEntry.objects.filter(organization=organization).order_by("seq")
        hashes = [ledger.leaf_hash(entry.leaf_data(organization.slug)) for entry in entries]
        length = Organization.objects.get(pk=organization.pk).record_length
        return len(hashes) == length and tree.root(organization.pk, length) == (
            ledger.root_from_leaves(hashes)
        )

    # --- Appends through an action --------------------------------------------------------
    users = get_user_model().objects
    admin = users.create_superuser(username="admin", email="", password=None)
    organizer = users.create_user(username="organizer")
    organization = create_organization(
        actor=admin, slug=SLUG, name="Bench Party", levels=["Union", "District", "Branch"]
    )
    appoint_organizer(actor=admin, organization=organization, user=organizer)
    root = organization.units.get(parent=None)
    branches = []
    for d in range(1, 3):
        district = add_unit(actor=organizer, parent=root, code=f"d{d}", name=f"District {d}")
        for b in range(1, 6):
            name = f"Branch {d}.{b}"
            branches.append(
                add_unit(actor=organizer, parent=district, code=f"d{d}-b{b}", name=name)
            )
    check(
        UnitLevel.objects.filter(organization=organization).count() == 3,
        f"{kind}: organization with 3 levels and {len(branches)} branches made by the actions",
    )
    rng = random.Random(SEED)
    people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(WARM_UP + ACTIONS + 1)]

    def admit(number: int) -> Callable[[], Any]:
        return lambda: admit_member(
            actor=organizer,
            unit=branches[number % len(branches)],
            number=f"M{number:07d}",
            name=people[number - 1],
        )

    _each(admit(n) for n in range(1, WARM_UP + 1))
    before = Organization.objects.get(pk=organization.pk).record_length
    step(f"{kind}: {ACTIONS:,} x admit_member, each its own transaction")
    latencies = _each(admit(n) for n in range(WARM_UP + 1, WARM_UP + ACTIONS + 1))
    result["admit_member"] = _series(latencies)
    after = Organization.objects.get(pk=organization.pk).record_length
    check(
        after - before == ACTIONS, f"{kind}: {ACTIONS:,} admit_member calls appended one entry each"
    )
    check(log_root_matches(organization), f"{kind}: the log's root matches the entries' leaves")
    with CaptureQueriesContext(connection) as queries:
        admit(WARM_UP + ACTIONS + 1)()
    result["admit_member"]["queries"] = len(queries.captured_queries)
    step(f"{kind}: admit_member {result['admit_member']['per_s']:.0f}/s")

    # --- The record alone: log.append (entry + leaf), one transaction each -----------------
    record_org = create_organization(
        actor=admin, slug=f"{SLUG}-log", name="Bench Log", levels=["Union"]
    )
    payloads = list(membership_payloads(WARM_UP + ACTIONS, SEED))

    def appended(number: int) -> Callable[[], Any]:
        def call() -> None:
            with transaction.atomic():
                log.append(
                    record_org,
                    actor=organizer,
                    action="membership.admitted",
                    payload=payloads[number - 1],
                )

        return call

    _each(appended(n) for n in range(1, WARM_UP + 1))
    step(f"{kind}: {ACTIONS:,} x record.log.append, each its own transaction")
    result["log_append"] = _series(
        _each(appended(n) for n in range(WARM_UP + 1, WARM_UP + ACTIONS + 1))
    )
    check(log_root_matches(record_org), f"{kind}: log.append: the root matches the leaves")
    step(f"{kind}: log.append {result['log_append']['per_s']:.0f}/s")

    # --- The log alone: tree.append_leaves, one transaction each ---------------------------
    # A bare organization row (not made by an action): its log holds only these leaves.
    def bare(slug: str) -> Organization:
        return Organization.objects.create(slug=slug, name=slug, created_at=timezone.now())

    tree_org = bare(f"{SLUG}-tree")
    leaves = list(entry_leaves(WARM_UP + ACTIONS, slug=tree_org.slug))

    def leaf_appended(size: int) -> Callable[[], Any]:
        def call() -> None:
            with transaction.atomic():
                tree.append_leaves(tree_org.pk, size, [leaves[size]])

        return call

    _each(leaf_appended(size) for size in range(WARM_UP))
    step(f"{kind}: {ACTIONS:,} x record.tree.append_leaves, each its own transaction")
    result["append_leaves"] = _series(
        _each(leaf_appended(size) for size in range(WARM_UP, WARM_UP + ACTIONS))
    )
    check(
        tree.root(tree_org.pk, len(leaves))
        == ledger.root_from_leaves([ledger.leaf_hash(leaf) for leaf in leaves]),
        f"{kind}: append_leaves: the root matches the leaves",
    )
    step(f"{kind}: append_leaves {result['append_leaves']['per_s']:.0f}/s")

    # --- Proofs through the database, on log nodes inserted in bulk -----------------------
    largest = PROOF_SIZES[-1]
    hashes = [ledger.leaf_hash(i.to_bytes(8, "big")) for i in range(largest)]
    proofs: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    rows_per_s = None
    for size in PROOF_SIZES:
        levels = ledger.subtree_levels(hashes[:size])
        rows = sum(len(row) for row in levels)
        if rows_per_s is not None and rows / rows_per_s > DB_INSERT_LIMIT:
            skipped[str(size)] = (
                f"inserting its {rows:,} log nodes would take about {rows / rows_per_s:.0f} s "
                f"(> {DB_INSERT_LIMIT:.0f} s)"
            )
            step(f"{kind}: proofs at {size:,}: left out, {skipped[str(size)]}")
            continue
        proofs[str(size)] = db_log(kind, bare(f"{SLUG}-proofs-{size}").pk, levels, rng)
        rows_per_s = proofs[str(size)]["rows_per_s"]
        step(f"{kind}: proofs at {size:,}: {proofs[str(size)]}")
    result["proofs"] = proofs
    result["proofs_skipped"] = skipped
    return result


def db_log(
    kind: str, organization_id: int, levels: list[list[bytes]], rng: random.Random
) -> dict[str, Any]:
    """Store a log's nodes in bulk; time proofs from it, then appends to it (DB_BUDGET each)."""
    from django.db import transaction

    from sovet import ledger
    from sovet.record import tree
    from sovet.record.models import LogNode

    size = len(levels[0])
    rows = sum(len(row) for row in levels)
    step(f"{kind}: proofs at {size:,}: inserting {rows:,} log nodes (bulk_create)")
    with timed() as t, transaction.atomic():
        batch: list[LogNode] = []
        for level, row in enumerate(levels):
            for index, digest in enumerate(row):
                batch.append(
                    LogNode(organization_id=organization_id, level=level, index=index, hash=digest)
                )
                if len(batch) == 20_000:
                    LogNode.objects.bulk_create(batch, batch_size=2000)
                    batch = []
        LogNode.objects.bulk_create(batch, batch_size=2000)
    store = ledger.MemoryStore(levels)
    root_hash = ledger.root(store, size)
    check(
        tree.root(organization_id, size) == root_hash,
        f"{kind}: root of {size:,} from the database",
    )
    indices = [rng.randrange(size) for _ in range(DB_PROOFS)]
    olds = [rng.randrange(1, size) for _ in range(DB_PROOFS)]
    inclusion_s, inclusion = bounded(
        lambda i: tree.inclusion_proof(organization_id, i, size), indices
    )
    consistency_s, consistency = bounded(
        lambda m: tree.consistency_proof(organization_id, m, size), olds
    )
    check(
        inclusion == [ledger.inclusion_proof(store, i, size) for i in indices[: len(inclusion)]]
        and consistency
        == [ledger.consistency_proof(store, m, size) for m in olds[: len(consistency)]],
        f"{kind}: {len(inclusion)} + {len(consistency)} proofs at {size:,} equal the pure ones",
    )
    for i, proof in zip(indices, inclusion[:50], strict=False):
        ledger.verify_inclusion(levels[0][i], i, size, proof, root_hash)

    def append_one(new: int) -> None:
        with transaction.atomic():
            tree.append_leaves(organization_id, new, [b"extra %d" % new])

    append_s, appended = bounded(append_one, list(range(size, size + DB_PROOFS)))
    grown = size + len(appended)
    leaf_hashes = levels[0] + [ledger.leaf_hash(b"extra %d" % n) for n in range(size, grown)]
    check(
        tree.root(organization_id, grown) == ledger.root_from_leaves(leaf_hashes),
        f"{kind}: {len(appended)} appends to the log of {size:,}: the root matches",
    )
    return {
        "rows": rows,
        "insert_s": t["s"],
        "rows_per_s": rows / t["s"],
        "inclusion_ms": 1000 * inclusion_s,
        "inclusion_count": len(inclusion),
        "consistency_ms": 1000 * consistency_s,
        "consistency_count": len(consistency),
        "append_ms": 1000 * append_s,
        "append_count": len(appended),
    }


# ---------------------------------------------------------------------------------------------
# The parent


def growth_target(size: int) -> float:
    """How much a proof may slow down from 10^3 to `size` entries: twice the log2 ratio."""
    return GROWTH_SLACK * math.log2(size) / math.log2(PROOF_SIZES[0])


def proof_figures(
    label: str, times: dict[int, float], unit: str, scale: float, figures: list[dict[str, Any]]
) -> None:
    """One row per size (with its ratio to 10^3 and log n's), then the growth goal."""
    first = PROOF_SIZES[0]
    for size, seconds in times.items():
        log_ratio = math.log2(size) / math.log2(first)
        figures.append(
            figure(
                f"3. {label} at {size:,}",
                seconds * scale,
                unit,
                note=f"x{seconds / times[first]:.2f} of {first:,}; log2 n ratio x{log_ratio:.2f}",
            )
        )
    largest = max(times)
    if largest == first:
        return
    figures.append(
        figure(
            f"3. {label}: growth {first:,} -> {largest:,}",
            times[largest] / times[first],
            "x",
            target=growth_target(largest),
            note=f"goal like log n: below {GROWTH_SLACK:g} x log2 ratio "
            f"{math.log2(largest) / math.log2(first):.2f}",
        )
    )


def db_figures(kind: str, report: dict[str, Any], figures: list[dict[str, Any]]) -> None:
    name = DATABASES[kind]
    if "not_measured" in report:
        for what in ("admit_member", "record.log.append", "record.tree.append_leaves"):
            figures.append(
                figure(
                    f"1. appends via {what}, {name}",
                    None,
                    "/s",
                    note=f"not measured: {report['not_measured']}",
                )
            )
        return
    for key, what, detail in (
        ("admit_member", "admit_member", "the whole action"),
        ("log_append", "record.log.append", "entry + leaf + nodes only"),
        ("append_leaves", "record.tree.append_leaves", "leaf + nodes only"),
    ):
        series = report[key]
        figures.append(
            figure(
                f"1. appends via {what}, {name}",
                series["per_s"],
                "/s",
                note=(
                    f"{series['count']:,} transactions; mean {series['mean_ms']:.2f} ms, "
                    f"p99 {series['p99_ms']:.2f} ms; {detail}"
                    + (f", {series['queries']} queries" if "queries" in series else "")
                ),
            )
        )
    for size, values in report["proofs"].items():
        figures.append(
            figure(
                f"1. ... append_leaves at {int(size):,} entries, {name}",
                1000 / values["append_ms"],
                "/s",
                note=f"mean of {values['append_count']} appends, each its own transaction, "
                "to the bulk-inserted log of figure 3",
            )
        )


def db_proof_figures(kind: str, report: dict[str, Any], figures: list[dict[str, Any]]) -> None:
    name = DATABASES[kind]
    if "not_measured" in report:
        figures.append(
            figure(
                f"3. DB proofs, {name}", None, "ms", note=f"not measured: {report['not_measured']}"
            )
        )
        return
    proofs = {int(size): values for size, values in report["proofs"].items()}
    for kind_key, label in (("inclusion_ms", "inclusion"), ("consistency_ms", "consistency")):
        times = {size: values[kind_key] / 1000 for size, values in proofs.items()}
        proof_figures(f"tree.{label}_proof, {name}", times, "ms", 1000, figures)
    for size, why in report["proofs_skipped"].items():
        figures.append(
            figure(f"3. tree proofs, {name}, at {int(size):,}", None, "ms", note=f"left out: {why}")
        )


def main() -> dict[str, Any]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    from sovet import ledger
    from sovet.archive.verify import verify_export

    info: dict[str, Any] = {
        "seed": SEED,
        "entries": ENTRIES,
        "actions": ACTIONS,
        "proofs_per_size": PROOFS,
        "db_proofs_per_size": DB_PROOFS,
    }
    figures: list[dict[str, Any]] = []

    # --- The leaves -----------------------------------------------------------------------
    step(f"generating {ENTRIES:,} record entries as leaves (seed {SEED})")
    rows = export_rows()
    with timed() as t:
        leaves = list(entry_leaves(ENTRIES - 1))
        leaves.append(exported_leaf(ENTRIES, rows))
    sizes = [len(leaf) for leaf in leaves]
    info["leaf_bytes"] = {
        "mean": statistics.fmean(sizes),
        "min": min(sizes),
        "max": max(sizes),
        "total": sum(sizes),
        "generate_s": t["s"],
    }
    step(f"leaves: {info['leaf_bytes']}")

    # --- Figure 1, pure: ledger.append into a MemoryStore ----------------------------------
    step(f"figure 1: {ENTRIES:,} x ledger.append into a MemoryStore")
    store = ledger.MemoryStore()
    append, put, leaf_hash = ledger.append, store.put, ledger.leaf_hash
    with timed() as t:
        for size, leaf in enumerate(leaves):
            for level, index, digest in append(store, size, leaf_hash(leaf)):
                put(level, index, digest)
    info["pure_append_s"] = t["s"]
    figures.append(
        figure(
            "1. appends, pure (ledger.append + put)",
            ENTRIES / t["s"],
            "/s",
            note=f"{ENTRIES:,} leaves of ~{info['leaf_bytes']['mean']:.0f} bytes, "
            f"leaf hash included; {t['s']:.1f} s",
        )
    )
    hashes = store.levels[0]
    root_hash = ledger.root(store, ENTRIES)
    check(
        root_hash == ledger.root_from_leaves(hashes),
        "the appended store's root equals root_from_leaves",
    )

    # --- Figure 2: verifying the log against raw hashlib -----------------------------------
    step("figure 2: building the raw hashlib inputs (not timed)")
    inputs = raw_inputs(leaves, ledger.subtree_levels(hashes))
    check(len(inputs) == 2 * ENTRIES - 1, f"{2 * ENTRIES - 1:,} SHA-256 inputs (leaves + nodes)")
    input_bytes = sum(len(x) for x in inputs)
    sha256 = hashlib.sha256

    def ours(leaves: list[bytes] = leaves) -> bytes:
        return ledger.root_from_leaves([leaf_hash(leaf) for leaf in leaves])

    def raw(inputs: list[bytes] = inputs) -> bytes:
        return [sha256(x).digest() for x in inputs][-1]

    ours_runs, raw_runs = [], []
    for run in range(VERIFY_RUNS):
        step(f"figure 2: run {run + 1} of {VERIFY_RUNS}")
        with timed() as t:
            ours_root = ours()
        ours_runs.append(t["s"])
        with timed() as t:
            raw_root = raw()
        raw_runs.append(t["s"])
        check(ours_root == root_hash == raw_root, "leaf hashes + root_from_leaves == raw == root")
    ours_s, raw_s = min(ours_runs), min(raw_runs)
    del inputs, raw
    share = 100 * raw_s / ours_s
    info["verify"] = {
        "ours_runs_s": ours_runs,
        "raw_runs_s": raw_runs,
        "sha256_inputs": 2 * ENTRIES - 1,
        "input_bytes": input_bytes,
        "share_of_raw_pct": share,
    }
    mb = input_bytes / 1e6
    figures.append(
        figure(
            "2. verify 1M log: leaf_hash + root_from_leaves",
            ours_s,
            "s",
            note=f"{ENTRIES / ours_s:,.0f} entries/s, {mb / ours_s:.0f} MB/s; "
            f"best of {VERIFY_RUNS}",
        )
    )
    figures.append(
        figure(
            "2. raw hashlib.sha256, same bytes",
            raw_s,
            "s",
            note=f"{2 * ENTRIES - 1:,} inputs, {mb:.0f} MB, {mb / raw_s:.0f} MB/s; "
            f"best of {VERIFY_RUNS}",
        )
    )
    figures.append(
        figure(
            "2. verify throughput, share of raw",
            share,
            "%",
            target=VERIFY_TARGET,
            better=HIGHER,
            note="raw time / our time",
        )
    )

    # --- Figure 2, information: sovet verify of an export file -----------------------------
    step(f"figure 2: writing a signed export file of {ENTRIES:,} entries")
    with timed() as t:
        info["export"] = write_export(EXPORT_FILE, leaves, hashes, store, rows)
    info["export"]["write_s"] = t["s"]
    step(f"export written: {info['export']}; verifying")
    with timed() as t:
        verified = verify_export(EXPORT_FILE)
    info["export"]["verify_s"] = t["s"]
    check(
        verified.entries == ENTRIES
        and verified.root_hash == root_hash.hex()
        and len(verified.heads) == HEADS,
        f"verify_export accepts the file: {ENTRIES:,} entries, {HEADS} heads, the same root",
    )
    figures.append(
        figure(
            "2. sovet verify (verify_export) 1M export",
            ENTRIES / t["s"],
            "entries/s",
            note=f"{t['s']:.1f} s, {info['export']['bytes'] / 1e6 / t['s']:.0f} MB/s "
            f"of a {info['export']['bytes'] / 1e6:.0f} MB file; information, no goal",
        )
    )
    EXPORT_FILE.unlink()
    del verified, leaves, ours

    # --- Figure 3, pure: proofs from a MemoryStore ----------------------------------------
    rng = random.Random(SEED)
    pure: dict[int, dict[str, float | int]] = {}
    for size in PROOF_SIZES:
        step(f"figure 3: pure proofs at {size:,} entries")
        sized = (
            store if size == ENTRIES else ledger.MemoryStore(ledger.subtree_levels(hashes[:size]))
        )
        pure[size] = pure_proofs(sized, size, rng, ledger.root(sized, size))
        step(f"pure proofs at {size:,}: {pure[size]}")
    info["pure_proofs"] = pure
    for key, label in (("inclusion_us", "inclusion"), ("consistency_us", "consistency")):
        times = {size: float(values[key]) / 1e6 for size, values in pure.items()}
        proof_figures(f"ledger.{label}_proof, pure", times, "us", 1e6, figures)
    del store, hashes

    # --- The databases --------------------------------------------------------------------
    reports: dict[str, dict[str, Any]] = {}
    step("databases: SQLite, in a subprocess")
    reports["sqlite"] = run_child("bench.ledger", "sqlite")
    if "error" in reports["sqlite"]:
        raise RuntimeError(f"the SQLite part failed: {reports['sqlite']['error']}")
    with postgres_database(pg_name("ledger")) as unreachable:
        if unreachable:
            step(f"PostgreSQL: not measured: {unreachable}")
            reports["postgres"] = {"not_measured": unreachable}
        else:
            step("databases: PostgreSQL, in a subprocess")
            reports["postgres"] = run_child("bench.ledger", "postgres")
            if "error" in reports["postgres"]:
                raise RuntimeError(f"the PostgreSQL part failed: {reports['postgres']['error']}")
    info["databases"] = reports

    # Appends side by side first, then verification, then proofs.
    appends = [f for f in figures if f["name"].startswith("1.")]
    for kind in DATABASES:
        db_figures(kind, reports[kind], appends)
    ordered = appends + [f for f in figures if f["name"].startswith("2.")]
    ordered += [f for f in figures if f["name"].startswith("3.")]
    for kind in DATABASES:
        db_proof_figures(kind, reports[kind], ordered)
    return {"figures": ordered, "info": info}


if __name__ == "__main__":
    if sys.argv[1:2] != ["db"] or len(sys.argv) != 3 or sys.argv[2] not in DATABASES:
        raise SystemExit("usage: python -m bench.ledger db sqlite|postgres")
    with contextlib.redirect_stdout(sys.stderr):
        try:
            report = db_worker(sys.argv[2])
        except CheckFailed as failure:
            report = {"check_failed": str(failure)}
    print(json.dumps(report), flush=True)
