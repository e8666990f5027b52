"""Councils, the seats each unit holds on them, mandates, substitutes and recalls."""

from django.db import models
from django.db.models import Q

from sovet.organizations.models import Membership, Organization, Person, Unit, UnitLevel


class Council(models.Model):
    """A body of delegates elected by the units of one level below the unit it belongs to."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="councils"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="councils")
    constituency_level = models.ForeignKey(
        UnitLevel,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The level whose units elect the delegates.",
    )
    name = models.CharField(max_length=200)
    fixed_seats = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Seats of the council; empty: one per the statute's delegate ratio.",
    )

    class Meta:
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name


class Seats(models.Model):
    """How many seats a unit holds on a council, as last apportioned."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="seats")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "unit"], name="seats_unit_unique")
        ]
        verbose_name_plural = "seats"

    def __str__(self) -> str:
        return f"{self.count} for {self.unit} on {self.council}"


class Mandate(models.Model):
    """A delegate's mandate from a unit to a council."""

    class State(models.TextChoices):
        ACTIVE = "active"
        RECALLED = "recalled"
        RESIGNED = "resigned"
        EXPIRED = "expired"
        LAPSED = "lapsed", "lapsed (the delegate left the unit or stopped counting)"

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="mandates")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="mandates")
    delegate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mandates")
    votes = models.PositiveSmallIntegerField(default=1)
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    predecessor = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successor"
    )

    class Meta:
        ordering = ["council_id", "unit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "delegate"],
                condition=Q(state="active"),
                name="mandate_one_active_per_delegate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.delegate} for {self.unit} on {self.council}"


class Substitute(models.Model):
    """Who takes the seat, in order, when the mandate ends early."""

    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="substitutes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["mandate_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["mandate", "rank"], name="substitute_rank_unique"),
            models.UniqueConstraint(fields=["mandate", "person"], name="substitute_person_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.person}"


class Recall(models.Model):
    """A recall of a delegate by the members of the unit that gave the mandate."""

    class State(models.TextChoices):
        OPEN = "open"
        SUCCEEDED = "succeeded"
        ABANDONED = "abandoned"

    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="recalls")
    opened_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mandate"], condition=Q(state="open"), name="recall_one_open_per_mandate"
            )
        ]

    def __str__(self) -> str:
        return f"recall of mandate {self.mandate_id} ({self.state})"


class RecallSupport(models.Model):
    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="supports")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recall", "membership"], name="recall_support_unique")
        ]

    def __str__(self) -> str:
        return f"support for recall {self.recall_id}"
