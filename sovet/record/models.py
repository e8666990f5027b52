"""Record entries: written once, in the same transaction as the action they record."""

from typing import Any

from django.db import models

from sovet import canonical


class AppendOnly(Exception):
    """Record entries are never changed or removed."""


class RecordEntryQuerySet(models.QuerySet["RecordEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("record entries cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("record entries cannot be deleted")


class RecordEntry(models.Model):
    """One action, as it happened: who did what, when, under which statute version."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="record"
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

    def canonical_form(self, organization_slug: str) -> dict[str, Any]:
        """Return the entry as the dict whose canonical JSON is hashed into the log."""
        return {
            "organization": organization_slug,
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "actor": self.actor,
            "action": self.action,
            "statute_version": self.statute_version,
            "payload": self.data,
        }
