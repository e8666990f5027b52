"""Bring an exported organization into this installation, after verifying all of it."""

import hashlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.dateparse import parse_datetime

from sovet import canonical, ledger
from sovet.archive.data import LABELS, RECORD_COUNTERS
from sovet.archive.verify import ExportInvalid, sections, verify_export
from sovet.errors import Invalid
from sovet.organizations.access import require_admin
from sovet.organizations.models import Organization
from sovet.record import tree
from sovet.record.log import append
from sovet.record.models import LogNode, RecordEntry, TreeHead

BATCH = 2000


class _Rows:
    """Create rows model by model, giving each a new key and following the old keys it cites."""

    def __init__(self) -> None:
        self.keys: dict[type[models.Model], dict[Any, Any]] = defaultdict(dict)
        self.pending: list[tuple[Any, models.Model]] = []
        self.model: type[models.Model] | None = None
        self.organization: Organization | None = None

    def add(self, number: int, row: dict[str, Any]) -> None:
        model = LABELS.get(row["model"])
        if model is None:
            raise Invalid(f"data row {number}: {row['model']!r} is not part of an organization")
        if model is not self.model:
            self.flush()
            self.model = model
        instance = model()
        fields = {field.attname: field for field in model._meta.concrete_fields}
        for attname, value in row["fields"].items():
            field = fields.get(attname)
            if field is None or field.primary_key:
                raise Invalid(f"data row {number}: {row['model']} has no field {attname!r}")
            setattr(instance, attname, self._value(number, field, value))
        pk = model._meta.pk
        if pk is not None and not isinstance(pk, models.AutoField):
            instance.pk = row["pk"]
        self.pending.append((row["pk"], instance))
        refers_to_itself = any(
            field.related_model is model for field in model._meta.concrete_fields
        )
        if refers_to_itself or len(self.pending) >= BATCH:
            self.flush()

    def _value(self, number: int, field: Any, value: Any) -> Any:
        if value is None:
            return None
        if field.is_relation:
            known = self.keys[field.related_model]
            if value not in known:
                raise Invalid(
                    f"data row {number}: {field.name} refers to a "
                    f"{field.related_model._meta.verbose_name} not in the file"
                )
            return known[value]
        try:
            return field.to_python(value)
        except ValidationError as error:
            raise Invalid(f"data row {number}: {field.name}: {error.messages[0]}") from None

    def flush(self) -> None:
        if not self.pending or self.model is None:
            return
        instances = [instance for _, instance in self.pending]
        if len(instances) == 1 or not connection.features.can_return_rows_from_bulk_insert:
            for instance in instances:
                instance.save(force_insert=True)
        else:
            self.model.objects.bulk_create(instances)
        for old, instance in self.pending:
            self.keys[self.model][old] = instance.pk
        if self.model is Organization:
            self.organization = instances[0]
        self.pending = []


def _entry(organization: Organization, leaf: dict[str, Any]) -> RecordEntry:
    return RecordEntry(
        organization=organization,
        seq=leaf["seq"],
        at=parse_datetime(leaf["at"]),
        actor=leaf["actor"],
        action=leaf["action"],
        statute_version=leaf["statute_version"],
        payload=canonical.dumps(leaf["payload"]),
    )


def _organization(rows: _Rows, entries: int) -> Organization:
    """Finish the data rows; set the record's counters to the entries the file brings."""
    rows.flush()
    organization = rows.organization
    if organization is None:
        raise Invalid("the file holds no organization row")
    for field in RECORD_COUNTERS:
        setattr(organization, field, entries)
    organization.save(update_fields=sorted(RECORD_COUNTERS))
    return organization


@transaction.atomic
def import_organization(
    *, actor: Any, path: Path, progress: Callable[[int, int], None] | None = None
) -> Organization:
    """Verify an export, then create its organization here with its data, record and heads.

    Nothing is written unless all of the file verifies; the import is then recorded in the
    organization's own record, which goes on growing from where the export left it.
    """
    require_admin(actor)
    verified = verify_export(path, progress=progress)
    if Organization.objects.filter(slug=verified.organization).exists():
        raise Invalid(
            f"an organization {verified.organization!r} exists here already; an import creates it"
        )
    digest = hashlib.sha256()
    rows = _Rows()
    organization: Organization | None = None
    hashes: list[bytes] = []
    batch: list[RecordEntry] = []
    heads: list[dict[str, Any]] = []
    number = 0
    for kind, value in sections(path, digest):
        if kind == "row":
            number += 1
            rows.add(number, value)
        elif kind == "entry":
            if organization is None:
                organization = _organization(rows, verified.entries)
            hashes.append(ledger.leaf_hash(canonical.dumps(value["leaf"]).encode()))
            batch.append(_entry(organization, value["leaf"]))
            if len(batch) >= BATCH:
                RecordEntry.objects.bulk_create(batch)
                batch = []
        else:
            heads.append(value)
    if organization is None:
        organization = _organization(rows, verified.entries)
    RecordEntry.objects.bulk_create(batch)
    if digest.hexdigest() != verified.file_sha256:
        raise ExportInvalid(f"{path} changed while it was being imported; nothing was imported")
    levels = ledger.subtree_levels(hashes)
    LogNode.objects.bulk_create(
        (
            LogNode(organization=organization, level=level, index=index, hash=node)
            for level, row in enumerate(levels)
            for index, node in enumerate(row)
        ),
        batch_size=BATCH,
    )
    organization.record_frontier = tree.frontier(levels, len(hashes))
    organization.tree_size = len(hashes)
    organization.save(update_fields=["record_frontier", "tree_size"])
    TreeHead.objects.bulk_create(
        TreeHead(
            organization=organization,
            tree_size=head["tree_size"],
            root_hash=head["root_hash"],
            timestamp=head["timestamp"],
            signature=head["signature"],
            public_key=head["public_key"],
            reason=head["reason"],
        )
        for head in heads
    )
    append(
        organization,
        actor=actor,
        action="organization.imported",
        payload={
            "tree_size": verified.entries,
            "root_hash": verified.root_hash,
            "rows": verified.rows,
            "file_sha256": verified.file_sha256,
            "signed_by": sorted(verified.public_keys),
        },
    )
    tree.issue_head(organization, reason=TreeHead.Reason.IMPORTED)
    return organization
