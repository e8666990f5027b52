"""Polls of a council, who took part in them, and the secret ballots kept apart from both.

See RECEIPTS.md: the secret ballot table shares nothing with the roll of who voted but the poll.
"""

from django.db import models

from sovet.councils.models import Council, Mandate
from sovet.organizations.models import Organization


class Poll(models.Model):
    """A question put to a council's delegates, open or secret; in a session, to those present."""

    class State(models.TextChoices):
        OPEN = "open"
        CLOSED = "closed"

    class Kind(models.TextChoices):
        YES_NO = "yes/no", "yes / no / abstain"
        CHOICE = "choice", "one choice among alternatives"
        APPROVAL = "approval", "approval: any number of the options"
        RANKED = "ranked", "ranked: the options in order of preference"

    class Purpose(models.TextChoices):
        QUESTION = "question"
        AMENDMENT = "amendment"
        FORMULATIONS = "formulations"
        MOTION = "motion"
        ELECTION = "election"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="polls")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="polls")
    session = models.ForeignKey(
        "congress.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.QUESTION)
    motion = models.ForeignKey(
        "congress.Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    amendment = models.ForeignKey(
        "congress.Amendment", null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    election = models.ForeignKey(
        "congress.Election", null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    majority_rule = models.CharField(
        max_length=20,
        blank=True,
        help_text="yes/no: the statute's rule; choice: plurality/majority",
    )
    majority_base = models.CharField(max_length=10, blank=True, help_text="cast/present/entitled")
    question = models.CharField(max_length=500)
    options = models.JSONField(help_text="The choices, in the order shown on the ballot.")
    secret = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    tally = models.JSONField(
        null=True, blank=True, help_text="Votes per choice in ballot order, once closed."
    )
    result = models.JSONField(null=True, blank=True, help_text="The rule applied, once closed.")

    class Meta:
        ordering = ["organization_id", "-opened_at"]

    def __str__(self) -> str:
        return self.question


class Participation(models.Model):
    """That a mandate took part in a poll; for an open poll also how it voted (the roll call)."""

    # Looked up by poll through the unique index (poll, mandate): no index of its own, one index
    # less to write for each ballot.
    poll = models.ForeignKey(
        Poll, on_delete=models.PROTECT, related_name="participations", db_index=False
    )
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveSmallIntegerField()
    ballot = models.JSONField(
        null=True, blank=True, help_text='[{"choice", "votes"}]; empty in a secret poll.'
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "mandate"], name="participation_once_per_poll")
        ]

    def __str__(self) -> str:
        return f"mandate {self.mandate_id} in poll {self.poll_id}"


class SecretBallot(models.Model):
    """One vote of a secret poll: its choice and its receipt digest, and nothing else.

    No id of its own (the digest is the key), no time, no reference to a person or a mandate.
    A mandate with several votes casts as many ballots, each of one vote, so that a weight
    cannot point to its delegate.
    """

    receipt_digest = models.CharField(max_length=64, primary_key=True)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="secret_ballots")
    choice = models.JSONField(help_text="An option, or a list of options (approval, ranked).")
    published_seq = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The record entry that publishes it, once the poll closed."
    )

    def __str__(self) -> str:
        return f"ballot {self.receipt_digest[:12]}"
