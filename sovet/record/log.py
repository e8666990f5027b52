"""Appending to the record: the one way an action leaves its trace."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.utils import timezone

from sovet import canonical
from sovet.errors import Invalid
from sovet.record import tree
from sovet.record.models import LogNode, RecordEntry, TreeHead
from sovet.sql import Statement, execute_together, inserts

SYSTEM = "system"


@dataclass(frozen=True)
class Guard:
    """A condition an append must find true once it holds the organization's lock."""

    query: Statement
    refusal: str


def actor_name(actor: AbstractBaseUser | AnonymousUser | None) -> str:
    """Return how the record names an actor."""
    if actor is None or not actor.is_authenticated:
        return SYSTEM
    return actor.get_username()


def lock(organization_id: int) -> None:
    """Queue this transaction behind every other action on the organization.

    Actions that write several rows take this lock first, so that parallel actions never hold
    row locks in different orders (PostgreSQL would abort one as a deadlock). Appending needs
    the same lock anyway, to number entries without gaps. SQLite already runs one writer at a time.
    """
    from sovet.organizations.models import Organization

    Organization.objects.select_for_update(no_key=True).filter(pk=organization_id).values_list(
        "pk"
    ).get()


def append(
    organization: Any,
    *,
    actor: Any,
    action: str,
    payload: dict[str, Any],
    guard: Guard | None = None,
) -> RecordEntry:
    """Append an entry to the organization's record; call inside the action's transaction."""
    return append_many(organization, actor=actor, entries=[(action, payload)], guard=guard)[0]


def append_many(
    organization: Any,
    *,
    actor: Any,
    entries: Sequence[tuple[str, dict[str, Any]]],
    guard: Guard | None = None,
) -> list[RecordEntry]:
    """Append entries (action, payload) in order, with their leaves in the organization's log.

    The organization row is updated first, which locks it until commit: entries of one
    organization are numbered one after another without gaps, also under parallel actions.
    Every action of the organization queues here, so the lock is held for as few round trips
    as can be: one statement takes it and reads the length and the tree's frontier, one writes.

    A guard is a condition read under the lock, with the writes (no extra round trip): a query
    of one boolean, and the refusal raised, with everything rolled back, if it is false.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record entries are appended inside the action's transaction")
    if not entries:
        return []
    texts = [canonical.dumps(payload) for _, payload in entries]
    at = timezone.now()
    name = actor_name(actor)
    table = connection.ops.quote_name(type(organization)._meta.db_table)
    with connection.cursor() as cursor:
        # One statement (SQLite 3.35+ and PostgreSQL both return from UPDATE): it locks the row.
        cursor.execute(
            f"UPDATE {table} SET record_length = record_length + %s WHERE id = %s "
            "RETURNING record_length, statute_version, record_frontier",
            [len(entries), organization.pk],
        )
        last, statute_version, frontier = cursor.fetchone()
        first = last - len(entries) + 1
        rows = [
            RecordEntry(
                organization=organization,
                seq=seq,
                at=at,
                actor=name,
                action=action,
                statute_version=statute_version or None,
                payload=text,
            )
            for seq, (action, _), text in zip(range(first, last + 1), entries, texts, strict=True)
        ]
        nodes, frontier = tree.grow(
            first - 1, bytes(frontier), [entry.leaf_data(organization.slug) for entry in rows]
        )
        nodes_stored = [
            LogNode(organization_id=organization.pk, level=level, index=index, hash=digest)
            for level, index, digest in nodes
        ]
        writes = [*inserts(RecordEntry, rows), *inserts(LogNode, nodes_stored)]
        writes.append(
            (f"UPDATE {table} SET record_frontier = %s WHERE id = %s", [frontier, organization.pk])
        )
        checked = execute_together(cursor, writes, guard and guard.query)
    if guard is not None and not checked[0]:
        raise Invalid(guard.refusal)
    organization.record_length = last
    organization.record_frontier = frontier
    for entry in rows:
        entry._state.adding = False
        entry._state.db = connection.alias
    return rows


def latest_head(organization: Any) -> TreeHead:
    """Return a signed head of the whole record, signing one if the record grew since the last.

    Heads are issued on demand this way, at most one per record length and reason.
    """
    from django.db import transaction

    with transaction.atomic():
        lock(organization.pk)
        size = (
            type(organization)
            .objects.values_list("record_length", flat=True)
            .get(pk=organization.pk)
        )
        head = TreeHead.objects.filter(organization=organization, tree_size=size).last()
        return head or tree.issue_head(organization, reason=TreeHead.Reason.REQUESTED)
