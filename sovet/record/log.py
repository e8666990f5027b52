"""Appending to the record: the one way an action leaves its trace."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.utils import timezone

from sovet import canonical
from sovet.record import tree
from sovet.record.models import RecordEntry, TreeHead

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

    Organization.objects.select_for_update().filter(pk=organization_id).values_list("pk").get()


def append(organization: Any, *, actor: Any, action: str, payload: dict[str, Any]) -> RecordEntry:
    """Append an entry to the organization's record; call inside the action's transaction."""
    return append_many(organization, actor=actor, entries=[(action, payload)])[0]


def append_many(
    organization: Any, *, actor: Any, entries: Sequence[tuple[str, dict[str, Any]]]
) -> list[RecordEntry]:
    """Append entries (action, payload) in order, with their leaves in the organization's log.

    The organization row is updated first, which locks it until commit: entries of one
    organization are numbered one after another without gaps, also under parallel actions.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record entries are appended inside the action's transaction")
    if not entries:
        return []
    texts = [canonical.dumps(payload) for _, payload in entries]
    table = connection.ops.quote_name(type(organization)._meta.db_table)
    # One statement (SQLite 3.35+ and PostgreSQL both return from UPDATE): it locks the row too.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET record_length = record_length + %s WHERE id = %s "
            "RETURNING record_length, statute_version",
            [len(entries), organization.pk],
        )
        last, statute_version = cursor.fetchone()
    first = last - len(entries) + 1
    organization.record_length = last
    at = timezone.now()
    name = actor_name(actor)
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
    RecordEntry.objects.bulk_create(rows, batch_size=2000)
    tree.append_leaves(
        organization.pk, first - 1, [entry.leaf_data(organization.slug) for entry in rows]
    )
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
