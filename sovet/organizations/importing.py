"""Importing members from a CSV file: one action, all or nothing, one record entry.

Columns (header row required, any order): number, name, unit (required), email, status, since.
`unit` is a unit's code; `status` is member (default), assistant, supporter, lapsed or expelled;
`since` is a date YYYY-MM-DD (default: today). A row whose number is already a membership
updates it: a new unit is a transfer, a new status a status change, each recorded as an event
of that membership; an identical row changes nothing.
"""

import csv
import datetime
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sovet import bulk
from sovet.errors import Invalid
from sovet.organizations.access import require_organizer
from sovet.organizations.actions import settle_councils
from sovet.organizations.models import (
    Membership,
    MembershipEvent,
    Organization,
    Person,
    Status,
    Unit,
)
from sovet.record.log import append, lock

REQUIRED = ("number", "name", "unit")
OPTIONAL = ("email", "status", "since")
BATCH = 20_000
# Deliberately simple: one @, no spaces, a dot in the domain. Mail delivery is the real test.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATUSES = frozenset(Status.values)


@dataclass
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    sha256: str
    rows: int = 0
    added: int = 0
    transferred: int = 0
    status_changed: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[BadRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.transferred or self.status_changed or self.updated)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "added": self.added,
            "transferred": self.transferred,
            "status_changed": self.status_changed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.bad),
        }


class ImportRefused(Invalid):
    """The file has bad rows and nothing was imported."""

    def __init__(self, report: ImportReport) -> None:
        noun = "row" if len(report.bad) == 1 else "rows"
        super().__init__(
            f"{len(report.bad)} bad {noun}: nothing imported; fix them or use --skip-bad"
        )
        self.report = report


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise Invalid(f"line {line}: the file is not UTF-8 text (byte {error.start})") from None


def _header(row: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in row]
    unknown = [name for name in names if name not in REQUIRED + OPTIONAL]
    if unknown:
        raise Invalid(
            f"line 1: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"columns are {', '.join(REQUIRED + OPTIONAL)}"
        )
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise Invalid(f"line 1: missing column(s) {', '.join(missing)}")
    if len(set(names)) != len(names):
        raise Invalid("line 1: a column is named twice")
    return {name: index for index, name in enumerate(names)}


class _Writer:
    """Collects validated rows and writes them in batches inside the import's transaction."""

    def __init__(self, organization: Organization, now: datetime.datetime) -> None:
        self.organization = organization
        self.now = connection.ops.adapt_datetimefield_value(now)
        # Dates adapted for the database once per distinct date, not once per row.
        self.today = connection.ops.adapt_datefield_value(now.date())
        # (number, name, email, unit id, status, adapted date)
        self.new: list[tuple[str, str, str, int, str, Any]] = []
        # (membership, unit, status, old unit, old status, person)
        self.moves: list[tuple[int, int, str, int, str, int]] = []
        self.renames: list[tuple[str, str, int]] = []
        self.redates: list[tuple[Any, int]] = []
        self.deltas: Counter[tuple[int, str]] = Counter()

    def flush_new(self) -> None:
        if not self.new:
            return
        people = bulk.reserve_ids(Person, len(self.new))
        memberships = bulk.reserve_ids(Membership, len(self.new))
        organization, now, joined = self.organization.pk, self.now, str(MembershipEvent.Kind.JOINED)
        bulk.insert(
            Person,
            ("id", "name", "email"),
            [(pid, row[1], row[2]) for pid, row in zip(people, self.new, strict=True)],
        )
        bulk.insert(
            Membership,
            ("id", "organization", "person", "unit", "number", "status", "since"),
            [
                (mid, organization, pid, row[3], row[0], row[4], row[5])
                for mid, pid, row in zip(memberships, people, self.new, strict=True)
            ],
        )
        # The joined events are copied from the rows just written, inside the database. The
        # organization's lock keeps anyone else's memberships out of this range of ids.
        events, rows = MembershipEvent._meta.db_table, Membership._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {events} (membership_id, kind, at, unit_id, status, previous_status,"
                f" reason) SELECT id, %s, %s, unit_id, status, '', '' FROM {rows}"
                " WHERE id >= %s AND id <= %s AND organization_id = %s",
                [joined, now, memberships[0], memberships[-1], organization],
            )
        for row in self.new:
            self.deltas[row[3], row[4]] += 1
        self.new.clear()

    def flush_changes(self) -> None:
        """Write transfers, status changes and renames of existing memberships."""
        bulk.update(Membership, ("unit", "status"), [(u, s, mid) for mid, u, s, *_ in self.moves])
        bulk.update(Membership, ("since",), self.redates)
        bulk.insert(
            MembershipEvent,
            (
                "membership",
                "kind",
                "at",
                "unit",
                "previous_unit",
                "status",
                "previous_status",
                "reason",
            ),
            (
                (
                    mid,
                    MembershipEvent.Kind.TRANSFERRED
                    if unit != old_unit
                    else MembershipEvent.Kind.STATUS_CHANGED,
                    self.now,
                    unit,
                    old_unit if unit != old_unit else None,
                    status,
                    old_status if status != old_status else "",
                    "import",
                )
                for mid, unit, status, old_unit, old_status, _ in self.moves
            ),
        )
        for _, unit, status, old_unit, old_status, _ in self.moves:
            self.deltas[old_unit, old_status] -= 1
            self.deltas[unit, status] += 1
        bulk.update(Person, ("name", "email"), self.renames)

    def apply_counts(self) -> None:
        for status, column in (
            (Status.MEMBER, "member_count"),
            (Status.ASSISTANT, "assistant_count"),
        ):
            bulk.add(
                Unit,
                column,
                (
                    (delta, unit)
                    for (unit, kind), delta in self.deltas.items()
                    if kind == status and delta
                ),
            )


def import_members(
    *,
    actor: Any,
    organization: Organization,
    path: Path,
    skip_bad: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the members listed in a CSV file; with bad rows, nothing unless `skip_bad`.

    `progress(rows_done, rows_expected)` is called every ten thousand rows and at the end.
    """
    require_organizer(actor, organization)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Invalid(f"cannot read {path}: {error.strerror}") from None
    report = ImportReport(sha256=hashlib.sha256(data).hexdigest())
    with transaction.atomic():
        lock(organization.pk)
        changed_people = _import(organization, _decode(data), report, skip_bad, progress)
        if report.bad and not skip_bad:
            raise ImportRefused(report)
        if report.changed:
            append(
                organization,
                actor=actor,
                action="members.imported",
                payload={"file": path.name, "sha256": report.sha256, **report.counts()},
            )
            settle_councils(organization, changed_people, actor=actor)
    return report


def _rows(reader: Any) -> Any:
    """Yield the CSV rows; past a broken quote rows cannot be told apart, so refuse the file."""
    try:
        yield from reader
    except csv.Error as error:
        raise Invalid(
            f"line {reader.line_num}: unreadable CSV ({error}); nothing imported"
        ) from None


def _import(
    organization: Organization,
    text: str,
    report: ImportReport,
    skip_bad: bool,
    progress: Callable[[int, int], None] | None,
) -> list[int]:
    """Validate and write the rows; return the persons whose membership changed."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise Invalid(f"line {line}: the file contains a NUL character; nothing imported")
    expected = max(text.count("\n") - 1, 0)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = _header(next(reader))
    except StopIteration:
        raise Invalid("the file is empty; the first line must name the columns") from None
    except csv.Error as error:
        raise Invalid(f"line 1: {error}") from None
    parents = set(
        Unit.objects.filter(organization=organization, children__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    units = {
        code: pk
        for code, pk in Unit.objects.filter(organization=organization).values_list("code", "pk")
        if code not in parents
    }
    existing = {
        number: rest
        for number, *rest in Membership.objects.filter(organization=organization)
        .order_by()  # the default ordering would sort a million rows for nothing
        .values_list(
            "number",
            "pk",
            "unit_id",
            "status",
            "since",
            "person_id",
            "person__name",
            "person__email",
        )
    }
    writer = _Writer(organization, timezone.now())
    dates: dict[str, tuple[datetime.date, Any]] = {}
    adapt_date = connection.ops.adapt_datefield_value
    seen: set[str] = set()
    width = len(columns)
    i_number, i_name, i_unit = columns["number"], columns["name"], columns["unit"]
    i_email, i_status, i_since = (columns.get(name) for name in OPTIONAL)

    def bad(reason: str) -> None:
        report.bad.append(BadRow(reader.line_num, reason))

    for row in _rows(reader):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        report.rows += 1
        if progress is not None and report.rows % 10_000 == 0:
            progress(report.rows, expected)
        if len(row) != width:
            bad(f"expected {width} fields, found {len(row)}")
            continue
        number = row[i_number].strip()
        name = row[i_name].strip()
        code = row[i_unit].strip()
        email = row[i_email].strip() if i_email is not None else None
        status = row[i_status].strip().lower() or None if i_status is not None else None
        since_text = row[i_since].strip() if i_since is not None else ""
        if not number:
            bad("number is empty")
            continue
        if len(number) > 64:
            bad("number is longer than 64 characters")
            continue
        if number in seen:
            bad(f"number {number!r} appears twice in the file")
            continue
        seen.add(number)
        if not name:
            bad("name is empty")
            continue
        if len(name) > 200:
            bad("name is longer than 200 characters")
            continue
        unit = units.get(code)
        if unit is None:
            if code in parents:
                bad(f"unit {code!r} has units below it; members belong to a base unit")
            else:
                bad(f"no unit with the code {code!r}")
            continue
        if email and (len(email) > 254 or not EMAIL.match(email)):
            bad(f"{email!r} is not an e-mail address")
            continue
        if status is not None and status not in STATUSES:
            bad(f"status {status!r} is not one of: {', '.join(Status.values)}")
            continue
        since: datetime.date | None = None
        if since_text:
            if since_text not in dates:
                try:
                    if not DATE.match(since_text):
                        raise ValueError
                    day = datetime.date.fromisoformat(since_text)
                except ValueError:
                    bad(f"since {since_text!r} is not a date like 2024-05-01")
                    continue
                dates[since_text] = (day, adapt_date(day))
            since = dates[since_text][0]
        known = existing.get(number)
        if known is None:
            if status in (Status.LAPSED, Status.EXPELLED):
                bad(f"a new membership is member, assistant or supporter, not {status}")
                continue
            report.added += 1
            if skip_bad or not report.bad:
                # Once a row is bad and the whole file will be refused, only validate on.
                adapted = dates[since_text][1] if since_text else writer.today
                writer.new.append(
                    (number, name, email or "", unit, status or Status.MEMBER, adapted)
                )
                if len(writer.new) >= BATCH:
                    writer.flush_new()
            continue
        # An absent column, or an empty status or date, keeps what is stored.
        pk, old_unit, old_status, old_since, person, old_name, old_email = known
        status = status or old_status
        email = old_email if email is None else email
        since = since or old_since
        if status == Status.EXPELLED and old_status != Status.EXPELLED:
            bad("an expulsion states its reason: expel members one by one, not by file")
            continue
        if (unit, status) != (old_unit, old_status):
            writer.moves.append((pk, unit, status, old_unit, old_status, person))
            report.transferred += unit != old_unit
            report.status_changed += status != old_status
        if (name, email) != (old_name, old_email):
            writer.renames.append((name, email, person))
        if since != old_since:
            writer.redates.append((adapt_date(since), pk))
        if (name, email, since) != (old_name, old_email, old_since):
            report.updated += 1
        if (unit, status, name, email, since) == (
            old_unit,
            old_status,
            old_name,
            old_email,
            old_since,
        ):
            report.unchanged += 1
    if report.bad and not skip_bad:
        return []
    writer.flush_new()
    writer.flush_changes()
    writer.apply_counts()
    if progress is not None:
        progress(report.rows, expected)
    return [move[-1] for move in writer.moves]
