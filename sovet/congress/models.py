"""Sessions of a council (a congress is a session of the organization's highest council),
with credentials, presence, agenda and speakers; motions and amendments; factions; bodies and
their elections. Procedures: SESSIONS.md and MOTIONS.md beside this file."""

from django.db import models
from django.db.models import Q

from sovet.councils.models import Council, Mandate
from sovet.organizations.models import Organization, Person


class Session(models.Model):
    """A sitting of a council: convened with a date, a place and an agenda."""

    class State(models.TextChoices):
        CONVENED = "convened"
        OPEN = "open"
        ADJOURNED = "adjourned"
        CLOSED = "closed"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sessions"
    )
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveIntegerField(help_text="Numbered from 1 per council.")
    title = models.CharField(max_length=200)
    place = models.CharField(max_length=200, blank=True)
    opens_on = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.CONVENED)
    speaking_time = models.PositiveIntegerField(
        default=300, help_text="Seconds a speaker has, unless an item says otherwise."
    )
    alternate_speakers = models.BooleanField(
        default=False, help_text="Alternate speakers for and against where both wait."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "number"], name="session_number_unique")
        ]
        ordering = ["organization_id", "council_id", "number"]

    def __str__(self) -> str:
        return self.title


class Credential(models.Model):
    """The credentials committee's (or the chair's) decision on a mandate for a session."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="credentials")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="+")
    accredited = models.BooleanField()
    reason = models.CharField(max_length=500, blank=True)
    present = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "mandate"], name="credential_once")
        ]

    def __str__(self) -> str:
        return f"mandate {self.mandate_id}: {'accredited' if self.accredited else 'refused'}"


class AgendaItem(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="agenda")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    current = models.BooleanField(default=False)
    speakers_closed = models.BooleanField(default=False)
    speaking_time = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["session_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(current=True), name="one_current_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class SpeakerRequest(models.Model):
    """A delegate's request to speak on an item, or to raise a point of order."""

    class Kind(models.TextChoices):
        SPEECH = "speech"
        POINT_OF_ORDER = "point of order"

    class Stance(models.TextChoices):
        NONE = "", "none"
        FOR = "for"
        AGAINST = "against"

    class State(models.TextChoices):
        WAITING = "waiting"
        SPEAKING = "speaking"
        DONE = "done"
        WITHDRAWN = "withdrawn"

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="speakers")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SPEECH)
    stance = models.CharField(max_length=8, choices=Stance.choices, blank=True, default="")
    speech = models.PositiveSmallIntegerField(help_text="1 for a first speech on the item, ...")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    requested = models.PositiveIntegerField(help_text="Order of request within the item.")

    class Meta:
        ordering = ["item_id", "requested"]

    def __str__(self) -> str:
        return f"{self.kind} by mandate {self.mandate_id}"


class Faction(models.Model):
    """Members who declare a common platform; a delegate's faction shows in roll calls."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="factions"
    )
    name = models.CharField(max_length=200)
    platform = models.TextField(blank=True)
    declared_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="faction_name_unique")
        ]
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name


class FactionMembership(models.Model):
    faction = models.ForeignKey(Faction, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            # One faction at a time in an organization.
            models.UniqueConstraint(
                fields=["organization", "person"],
                condition=Q(active=True),
                name="one_faction_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.faction}"


class Motion(models.Model):
    """A proposal put to a session; states and moves in MOTIONS.md."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution"
        STATUTE_AMENDMENT = "statute amendment"
        ELECTION = "election"
        RECALL = "recall"
        DISCIPLINE = "discipline"

    class State(models.TextChoices):
        SUBMITTED = "submitted"
        ADMITTED = "admitted"
        VOTING = "voting"
        ADOPTED = "adopted"
        REJECTED = "rejected"
        REFERRED = "referred"
        WITHDRAWN = "withdrawn"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="motions")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="motions")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="motions"
    )
    number = models.PositiveIntegerField(help_text="Numbered from 1 per organization, no gaps.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESOLUTION)
    title = models.CharField(max_length=300)
    text = models.TextField(help_text="The text as it stands, amendments applied.")
    original_text = models.TextField()
    submitted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.SUBMITTED)
    statute_changes = models.JSONField(
        null=True, blank=True, help_text="For a statute amendment: the rules it changes."
    )
    referred_to = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="motion_number_unique")
        ]
        ordering = ["organization_id", "number"]

    def __str__(self) -> str:
        return f"Motion {self.number}: {self.title}"


class MotionSupport(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="supports")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "person"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.person_id} supports motion {self.motion_id}"


class Formulation(models.Model):
    """A competing wording of a motion's text; put against the others before the final vote."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="formulations")
    label = models.CharField(max_length=100)
    text = models.TextField()
    proposed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    eliminated = models.BooleanField(default=False)
    statute_changes = models.JSONField(
        null=True, blank=True, help_text="For a statute amendment: the rules this wording sets."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "label"], name="formulation_label_unique")
        ]
        ordering = ["motion_id", "id"]

    def __str__(self) -> str:
        return self.label


class Amendment(models.Model):
    """A change of a motion's text (or of another amendment's new words)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted"
        ADOPTED = "adopted"
        REJECTED = "rejected"
        WITHDRAWN = "withdrawn"

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="amendments")
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_amendments"
    )
    number = models.PositiveIntegerField(help_text="Numbered from 1 per motion.")
    old = models.TextField(help_text="The words replaced; empty with new words: a whole text.")
    new = models.TextField()
    submitted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "number"], name="amendment_number_unique")
        ]
        ordering = ["motion_id", "number"]

    def __str__(self) -> str:
        return f"Amendment {self.number} to motion {self.motion_id}"


class Body(models.Model):
    """An elected body of the organization: an editorial board, an executive, a commission."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="bodies")
    name = models.CharField(max_length=200)
    seats = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="body_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class BodySeat(models.Model):
    """Who sits on a body, how they came to, and how they left."""

    class How(models.TextChoices):
        ELECTED = "elected"
        COOPTED = "co-opted"
        REPLACEMENT = "replacement"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=12, choices=How.choices)
    active = models.BooleanField(default=True)
    left_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["body", "person"], condition=Q(active=True), name="one_seat_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.body}"


class Election(models.Model):
    """A session's election of a body: nominations, a ranked ballot, a count."""

    class State(models.TextChoices):
        NOMINATING = "nominating"
        VOTING = "voting"
        COUNTED = "counted"

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="elections")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="elections")
    seats = models.PositiveIntegerField()
    method = models.CharField(max_length=20)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOMINATING)
    result = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"election of {self.body}"


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    accepted = models.BooleanField(null=True, help_text="Empty until the nominee answers.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="nominated_once")
        ]
        ordering = ["election_id", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.election}"
