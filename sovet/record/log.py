"""Appending to the record: the one way an action leaves its trace."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import F
from django.utils import timezone

from sovet import canonical
from sovet.record.models import RecordEntry

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
    """Append an entry to the organization's record; call inside the action's transaction.

    The organization row is updated first, which locks it until commit: entries of one
    organization are numbered one after another without gaps, also under parallel actions.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record entries are appended inside the action's transaction")
    text = canonical.dumps(payload)
    model = type(organization)
    model.objects.filter(pk=organization.pk).update(record_length=F("record_length") + 1)
    seq, statute_version = (
        model.objects.filter(pk=organization.pk)
        .values_list("record_length", "statute_version")
        .get()
    )
    organization.record_length = seq
    return RecordEntry.objects.create(
        organization=organization,
        seq=seq,
        at=timezone.now(),
        actor=actor_name(actor),
        action=action,
        statute_version=statute_version or None,
        payload=text,
    )
