"""Check an export file line by line: its form, every leaf, every signed head, its data.

Imports nothing from Django, so that `sovet verify` checks a file on any machine. The format and
the exit codes are in ARCHIVE.md.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sovet import canonical, ledger
from sovet.record import signing

FORMAT = "sovet-export"
VERSION = 1
EXPORTED = "organization.exported"
HEAD_FIELDS = ("tree_size", "root_hash", "timestamp", "signature", "public_key", "reason")
REASONS = ("requested", "session closed", "poll closed", "exported", "imported")


class ExportInvalid(ValueError):
    """The file fails verification; the message names the first line or entry that fails."""


@dataclass
class Verified:
    """What verifying an export showed; the rows and entries are read again to import them."""

    organization: str
    rows: int = 0
    entries: int = 0
    heads: list[dict[str, Any]] = field(default_factory=list)
    last_leaf: dict[str, Any] = field(default_factory=dict)
    root_hash: str = ""
    public_keys: set[str] = field(default_factory=set)
    kept_head: dict[str, Any] | None = None
    file_sha256: str = ""


def _lines(file: BinaryIO, digest: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each line, refusing any that is not canonical JSON."""
    for number, raw in enumerate(file, start=1):
        digest.update(raw)
        try:
            text = raw.decode()
            value = canonical.loads(text.removesuffix("\n"))
        except (UnicodeDecodeError, ValueError, TypeError) as error:
            raise ExportInvalid(f"line {number}: not canonical JSON ({error})") from None
        if not isinstance(value, dict) or canonical.dumps(value) + "\n" != text:
            raise ExportInvalid(
                f"line {number}: changed (not in the canonical form it was written in)"
            )
        yield number, value


def _hex(value: Any, size: int, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * size or value != value.lower():
        raise ExportInvalid(f"{what} is not {size} bytes of lowercase hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ExportInvalid(f"{what} is not {size} bytes of lowercase hex") from None


def check_head(organization: str, head: Any, what: str) -> None:
    """Check a tree head's fields and its signature."""
    if not isinstance(head, dict) or any(name not in head for name in HEAD_FIELDS):
        raise ExportInvalid(f"{what} lacks one of {', '.join(HEAD_FIELDS)}")
    size, timestamp = head["tree_size"], head["timestamp"]
    if not isinstance(size, int) or not isinstance(timestamp, int) or size < 0 or timestamp < 0:
        raise ExportInvalid(f"{what}: tree_size and timestamp must be whole numbers")
    _hex(head["root_hash"], 32, f"{what}: root_hash")
    _hex(head["public_key"], 32, f"{what}: public_key")
    _hex(head["signature"], 64, f"{what}: signature")
    if head["reason"] not in REASONS:
        raise ExportInvalid(f"{what}: reason must be one of {', '.join(REASONS)}")
    try:
        signing.verify_head(organization, head)
    except signing.SignatureError:
        raise ExportInvalid(
            f"{what}: the signature does not match its size, root, time and reason"
        ) from None


def verify_export(
    path: Path,
    *,
    kept_head: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Verified:
    """Verify an export; raise ExportInvalid naming the first thing that fails.

    With `kept_head`, a tree head kept from earlier, also prove that the record only grew since.
    """
    total = path.stat().st_size
    whole = hashlib.sha256()
    with path.open("rb") as file:
        lines = _lines(file, whole)
        try:
            _, header = next(lines)
        except StopIteration:
            raise ExportInvalid("line 1: the file is empty") from None
        slug, rows, entries, heads = _header(header)
        verified = Verified(organization=slug)
        data = hashlib.sha256()
        leaf_hashes: list[bytes] = []
        for number, value in lines:
            if progress and number % 4096 == 0:
                progress(file.tell(), total)
            if verified.rows < rows:
                verified.rows += 1
                data.update(_check_row(verified.rows, number, value))
            elif len(leaf_hashes) < entries:
                leaf_hashes.append(_check_entry(slug, len(leaf_hashes) + 1, number, value))
                verified.last_leaf = value["leaf"]
            elif len(verified.heads) < heads:
                check_head(slug, value, f"line {number}: tree head {len(verified.heads) + 1}")
                verified.heads.append(value)
            else:
                raise ExportInvalid(f"line {number}: more lines than the header announces")
        verified.entries = len(leaf_hashes)
        if (verified.rows, verified.entries, len(verified.heads)) != (rows, entries, heads):
            raise ExportInvalid(
                f"the file ends early: the header announces {rows} data rows, {entries} entries "
                f"and {heads} tree heads; it holds {verified.rows}, {verified.entries} and "
                f"{len(verified.heads)}"
            )
    if progress:
        progress(total, total)
    verified.file_sha256 = whole.hexdigest()
    store = ledger.MemoryStore(ledger.subtree_levels(leaf_hashes))
    _check_heads_against_leaves(verified, store, entries)
    _check_data(verified, data.hexdigest())
    verified.root_hash = ledger.root(store, entries).hex()
    verified.public_keys = {head["public_key"] for head in verified.heads}
    if kept_head is not None:
        _check_grew_from(verified, store, entries, kept_head)
    return verified


def _header(header: dict[str, Any]) -> tuple[str, int, int, int]:
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise ExportInvalid(f"line 1: not a {FORMAT} file of version {VERSION}")
    slug = header.get("organization")
    counts = [header.get(name) for name in ("rows", "entries", "heads")]
    if not isinstance(slug, str) or not all(isinstance(n, int) and n >= 0 for n in counts):
        raise ExportInvalid("line 1: the header lacks organization, rows, entries or heads")
    rows, entries, heads = counts
    return slug, rows, entries, heads


def sections(path: Path, digest: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ("row" | "entry" | "head", object) from a file `verify_export` accepted.

    `digest` (a hashlib object) takes every byte read, so that the caller can make sure the file
    is still the one that was verified.
    """
    with path.open("rb") as file:
        lines = _lines(file, digest)
        _, header = next(lines)
        _, rows, entries, _ = _header(header)
        for number, value in lines:
            if number <= 1 + rows:
                yield "row", value
            elif number <= 1 + rows + entries:
                yield "entry", value
            else:
                yield "head", value


def row_hash(row: dict[str, Any]) -> bytes:
    """Return the SHA-256 of a data row's canonical JSON ({"fields", "model", "pk"})."""
    return hashlib.sha256(canonical.dumps(row).encode()).digest()


def _check_row(count: int, number: int, value: dict[str, Any]) -> bytes:
    what = f"line {number}: data row {count}"
    if set(value) != {"model", "pk", "fields", "sha256"} or not isinstance(value["fields"], dict):
        raise ExportInvalid(f"{what} is malformed")
    row = {"fields": value["fields"], "model": value["model"], "pk": value["pk"]}
    digest = row_hash(row)
    if digest != _hex(value["sha256"], 32, f"{what}: sha256"):
        name = f"{value['model']} {value['pk']!r}"
        raise ExportInvalid(f"{what} ({name}) fails: its content does not hash to its sha256")
    return digest


def _check_entry(slug: str, seq: int, number: int, value: dict[str, Any]) -> bytes:
    what = f"line {number}: entry {seq}"
    leaf = value.get("leaf")
    if set(value) != {"leaf", "leaf_hash"} or not isinstance(leaf, dict):
        raise ExportInvalid(f"{what} is malformed")
    if leaf.get("seq") != seq or leaf.get("organization") != slug:
        said = f"seq {leaf.get('seq')!r} of {leaf.get('organization')!r}"
        raise ExportInvalid(f"{what} is out of place: it says {said}")
    digest = ledger.leaf_hash(canonical.dumps(leaf).encode())
    if digest != _hex(value["leaf_hash"], 32, f"{what}: leaf_hash"):
        raise ExportInvalid(f"{what} fails: its content does not hash to its leaf hash")
    return digest


def _check_heads_against_leaves(
    verified: Verified, store: ledger.MemoryStore, entries: int
) -> None:
    for number, head in enumerate(verified.heads, start=1):
        size = head["tree_size"]
        if size > entries:
            raise ExportInvalid(
                f"tree head {number} covers {size} entries; the file holds {entries}"
            )
        if ledger.root(store, size).hex() != head["root_hash"]:
            raise ExportInvalid(
                f"tree head {number} (size {size}) fails: entries 1 to {size} do not have its root"
            )
    if not verified.heads or verified.heads[-1]["tree_size"] != entries:
        raise ExportInvalid(f"no signed tree head covers all {entries} entries")


def _check_data(verified: Verified, digest: str) -> None:
    last = verified.last_leaf
    payload = last.get("payload") or {}
    if last.get("action") != EXPORTED or not isinstance(payload, dict):
        raise ExportInvalid(f"the last entry is not the {EXPORTED} entry that seals the data")
    if payload.get("rows") != verified.rows or payload.get("data_sha256") != digest:
        raise ExportInvalid(
            f"the organization data fails: its rows do not match what entry {last['seq']} "
            f"recorded when it was exported (rows {payload.get('rows')}, data_sha256 "
            f"{payload.get('data_sha256')})"
        )


def _check_grew_from(
    verified: Verified, store: ledger.MemoryStore, entries: int, kept: dict[str, Any]
) -> None:
    check_head(verified.organization, kept, "the kept tree head")
    size = kept["tree_size"]
    if size > entries:
        raise ExportInvalid(
            f"the kept tree head covers {size} entries; this record has only {entries}"
        )
    proof = ledger.consistency_proof(store, size, entries)
    try:
        ledger.verify_consistency(
            size,
            entries,
            proof,
            bytes.fromhex(kept["root_hash"]),
            bytes.fromhex(verified.root_hash),
        )
    except ledger.ProofError:
        raise ExportInvalid(
            f"the record was rewritten: its first {size} entries no longer have the root of the "
            "tree head you kept"
        ) from None
    verified.kept_head = kept


def read_head(path: Path) -> dict[str, Any]:
    """Read a tree head kept as JSON (as `sovet ledger head --json` prints it)."""
    try:
        head = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"cannot read the tree head {path}: {error}") from None
    if not isinstance(head, dict):
        raise ValueError(f"{path} is not a JSON object with {', '.join(HEAD_FIELDS)}")
    return head
