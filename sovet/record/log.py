"""Appending to the record: the one way an action leaves its trace."""

import functools
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.utils import timezone

from sovet import canonical
from sovet.record import tree
from sovet.record.models import RecordEntry, TreeHead
from sovet.sql import execute_together, inserts

SYSTEM = "system"


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
) -> RecordEntry:
    """Append an entry to the organization's record; call inside the action's transaction."""
    return append_many(organization, actor=actor, entries=[(action, payload)])[0]


def append_many(
    organization: Any,
    *,
    actor: Any,
    entries: Sequence[tuple[str, dict[str, Any]]],
) -> list[RecordEntry]:
    """Append entries (action, payload) in order, with their leaves in the organization's log.

    The organization row is updated first, which locks it until commit: entries of one
    organization are numbered one after another without gaps, also under parallel actions.
    Every action of the organization queues here, so the lock is held for as few round trips
    as can be: one statement takes it and reads the length and the tree's frontier, one writes.
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
            "RETURNING record_length, statute_version, tree_size, record_frontier",
            [len(entries), organization.pk],
        )
        last, statute_version, size, frontier = cursor.fetchone()
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
        # Ballots appended since the last action join the tree first (append_without_leaf).
        waiting = tree.leaves_between(organization.pk, organization.slug, size, first - 1)
        nodes, frontier = tree.grow(
            size,
            bytes(frontier),
            [*waiting, *(entry.leaf_data(organization.slug) for entry in rows)],
        )
        writes = [*inserts(RecordEntry, rows), *tree.node_inserts(organization.pk, nodes)]
        writes.append(
            (
                f"UPDATE {table} SET record_frontier = %s, tree_size = %s WHERE id = %s",
                [frontier, last, organization.pk],
            )
        )
        execute_together(cursor, writes)
    organization.record_length = last
    organization.tree_size = last
    organization.record_frontier = frontier
    for entry in rows:
        entry._state.adding = False
        entry._state.db = connection.alias
    return rows


def append_without_leaf(
    organization: Any, *, actor: Any, action: str, payload: dict[str, Any], once_per: str
) -> list[tuple[str, str, list[Any]]]:
    """Return the WITH clauses (name, SQL, parameters) that append an entry, leaving its leaf
    for the organization's next action or the next head or proof (tree.catch_up).

    They append it once if the clause named `once_per` returns a row, not at all if it returns
    none. The entry then takes the organization's row only for the statement that numbers and
    writes it, and, in autocommit, for its commit: no hashing, no further round trip. That is
    what lets a whole congress vote at once (polls/actions.py).
    """
    numbered, entered = _append_without_leaf_sql(type(organization), once_per)
    return [
        ("numbered", numbered, [organization.pk]),
        (
            "entered",
            entered,
            [
                organization.pk,
                timezone.now(),
                actor_name(actor),
                action,
                canonical.dumps(payload),
            ],
        ),
    ]


@functools.cache
def _append_without_leaf_sql(organization_model: type, once_per: str) -> tuple[str, str]:
    quote = connection.ops.quote_name
    names = ("organization_id", "seq", "at", "actor", "action", "statute_version", "payload")
    columns = ", ".join(quote(name) for name in names)
    return (
        f"UPDATE {quote(organization_model._meta.db_table)} SET record_length = record_length + 1 "
        f"WHERE id = %s AND EXISTS (SELECT 1 FROM {once_per}) "
        "RETURNING record_length, statute_version",
        f"INSERT INTO {quote(RecordEntry._meta.db_table)} ({columns}) "
        "SELECT %s, record_length, %s, %s, %s, NULLIF(statute_version, 0), %s FROM numbered",
    )


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
