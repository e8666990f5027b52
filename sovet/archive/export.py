"""Write an organization, its whole record and its signed tree heads to one file (ARCHIVE.md)."""

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from sovet import canonical
from sovet.archive.data import MODELS, to_json
from sovet.archive.verify import EXPORTED, FORMAT, VERSION, row_hash
from sovet.organizations.access import require_organizer
from sovet.organizations.models import Organization
from sovet.record import tree
from sovet.record.log import append, lock
from sovet.record.models import LogNode, RecordEntry, TreeHead

CHUNK = 2000


@dataclass(frozen=True)
class Exported:
    rows: int
    entries: int
    heads: int
    root_hash: str


def _line(value: Any) -> bytes:
    return canonical.dumps(value).encode() + b"\n"


@transaction.atomic
def export_organization(
    *,
    actor: Any,
    organization: Organization,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Exported:
    """Export the organization as it is now; the export itself is recorded and sealed by a head.

    The record entry `organization.exported` holds the SHA-256 of the rows' own hashes, and the tree
    head signed after it covers that entry: so the data is as tamper-evident as the record.
    The organization is locked while it is written, so data and record are one moment's.
    """
    require_organizer(actor, organization)
    lock(organization.pk)
    path = path.resolve()
    digest = hashlib.sha256()
    rows = 0
    with tempfile.TemporaryFile(dir=path.parent) as data:
        for _, rows_of in MODELS:
            for instance in rows_of(organization).order_by("pk").iterator(chunk_size=CHUNK):
                row = to_json(instance)
                own = row_hash(row)
                digest.update(own)
                data.write(_line({**row, "sha256": own.hex()}))
                rows += 1
                if progress and rows % CHUNK == 0:
                    progress(rows, 0)
        append(
            organization,
            actor=actor,
            action=EXPORTED,
            payload={"rows": rows, "data_sha256": digest.hexdigest()},
        )
        head = tree.issue_head(organization, reason=TreeHead.Reason.EXPORTED)
        heads = TreeHead.objects.filter(organization=organization).order_by(
            "tree_size", "timestamp", "pk"
        )
        header = {
            "format": FORMAT,
            "version": VERSION,
            "organization": organization.slug,
            "rows": rows,
            "entries": head.tree_size,
            "heads": heads.count(),
        }
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("wb") as out:
                out.write(_line(header))
                data.seek(0)
                while block := data.read(1 << 20):
                    out.write(block)
                # The leaf hashes stored when each entry was appended, not recomputed: an entry
                # edited in the database since then no longer matches its own, by name.
                entries = RecordEntry.objects.filter(organization=organization).order_by("seq")
                hashes = LogNode.objects.filter(organization=organization, level=0).order_by(
                    "index"
                )
                pairs = zip(
                    entries.iterator(chunk_size=CHUNK),
                    hashes.values_list("hash", flat=True).iterator(chunk_size=CHUNK),
                    strict=True,
                )
                for done, (entry, leaf_hash) in enumerate(pairs, start=1):
                    leaf = {
                        "leaf": entry.leaf(organization.slug),
                        "leaf_hash": bytes(leaf_hash).hex(),
                    }
                    out.write(_line(leaf))
                    if progress and done % CHUNK == 0:
                        progress(rows + done, rows + head.tree_size)
                for kept in heads:
                    out.write(_line(kept.to_json()))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return Exported(
        rows=rows, entries=head.tree_size, heads=header["heads"], root_hash=head.root_hash
    )
