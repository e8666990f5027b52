"""Record entries: written once, in the same transaction as the action they record."""

from typing import Any

from django.db import models

from sovet import canonical
from sovet.record import leaves


class AppendOnly(Exception):
    """Record entries are never changed or removed."""


class RecordEntryQuerySet(models.QuerySet["RecordEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("record entries cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("record entries cannot be deleted")


class RecordEntry(models.Model):
    """One action, as it happened: who did what, when, under which statute version."""

    # Looked up by organization through the unique index (organization, seq): no index of its
    # own, one index less to write for each action.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="record",
        db_index=False,
    )
    seq = models.PositiveBigIntegerField(help_text="Position in the organization's record, from 1.")
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text="Username of the actor, or 'system'.")
    action = models.CharField(max_length=64)
    statute_version = models.PositiveIntegerField(null=True)
    payload = models.TextField(help_text="Canonical JSON of what the action did.")

    objects = RecordEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "seq"], name="record_entry_seq_unique")
        ]
        ordering = ["organization_id", "seq"]
        verbose_name_plural = "record entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("record entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("record entries cannot be deleted")

    @property
    def data(self) -> Any:
        return canonical.loads(self.payload)

    def leaf(self, organization_slug: str) -> dict[str, Any]:
        """Return the entry as the object whose canonical JSON is its leaf in the log."""
        return leaves.leaf_object(
            organization=organization_slug,
            seq=self.seq,
            at=self.at,
            actor=self.actor,
            action=self.action,
            statute_version=self.statute_version,
            payload=self.data,
        )

    def leaf_data(self, organization_slug: str) -> bytes:
        """Return the entry's leaf bytes (record/leaves.py)."""
        return leaves.leaf_bytes(self.leaf(organization_slug))


class LogNodeQuerySet(models.QuerySet["LogNode"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("log nodes cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("log nodes cannot be deleted")


class LogNode(models.Model):
    """The hash of one complete subtree of the organization's Merkle log (RFC 6962).

    Level 0 holds the leaf hashes, node (level, index) covers leaves index * 2**level up to
    (index + 1) * 2**level - 1. Each is written once, when its last leaf is appended; tree heads
    and proofs are read from these without hashing the log again.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    objects = LogNodeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "level", "index"], name="log_node_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"log node {self.level}/{self.index}"


class TreeHead(models.Model):
    """A signed statement of the log's size and root at one moment; kept for ever.

    Anyone who keeps a copy can later ask for a consistency proof and so see that the record
    only grew since. The signed bytes are documented in record/signing.py.
    """

    class Reason(models.TextChoices):
        REQUESTED = "requested", "requested"
        SESSION_CLOSED = "session closed", "session closed"
        POLL_CLOSED = "poll closed", "poll closed"
        EXPORTED = "exported", "exported"
        IMPORTED = "imported", "imported"

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="tree_heads"
    )
    tree_size = models.PositiveBigIntegerField()
    root_hash = models.CharField(max_length=64)
    timestamp = models.PositiveBigIntegerField(help_text="Milliseconds since 1970-01-01 UTC.")
    signature = models.CharField(max_length=128)
    public_key = models.CharField(max_length=64)
    reason = models.CharField(max_length=20, choices=Reason.choices)

    class Meta:
        ordering = ["organization_id", "tree_size", "timestamp"]
        indexes = [models.Index(fields=["organization", "tree_size"])]

    def __str__(self) -> str:
        return f"tree head {self.tree_size} {self.root_hash[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("tree heads cannot be changed")
        super().save(*args, **kwargs)

    def to_json(self) -> dict[str, Any]:
        """Return the head as the CLI and the API print it."""
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
            "signature": self.signature,
            "public_key": self.public_key,
            "reason": self.reason,
        }
