"""Organizations, statutes, the unit tree, persons and their memberships."""

from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import models

from sovet.apportionment import Method
from sovet.fields import FractionField


class Criterion(models.TextChoices):
    """Who counts as a member (PRODUCT.md part 2; the 1903 fight over Paragraph 1)."""

    PARTICIPATION = "participation", "Participation: members belong to a unit"
    ASSISTANCE = "assistance", "Assistance: regular helpers under a unit's direction count too"


class MajorityRule(models.TextChoices):
    SIMPLE = "simple", "Simple majority of votes cast"
    ABSOLUTE = "absolute", "Absolute majority of votes entitled"
    TWO_THIRDS = "two_thirds", "Two thirds of votes cast"
    THREE_QUARTERS = "three_quarters", "Three quarters of votes cast"


class ElectionMethod(models.TextChoices):
    """How a session elects a body of several seats (sovet.counting)."""

    SCOTTISH_STV = "scottish-stv", "Single transferable vote, Scottish rules"
    MEEK_STV = "meek-stv", "Single transferable vote, Meek"
    WIGM = "wigm", "Single transferable vote, weighted inclusive Gregory"


class ApportionmentMethod(models.TextChoices):
    LARGEST_REMAINDER = Method.LARGEST_REMAINDER.value, "Largest remainder (Hare quota)"
    DHONDT = Method.DHONDT.value, "D'Hondt"
    SAINTE_LAGUE = Method.SAINTE_LAGUE.value, "Sainte-Laguë"


class Status(models.TextChoices):
    MEMBER = "member", "Member"
    ASSISTANT = "assistant", "Assistant (regular help under a unit's direction)"
    SUPPORTER = "supporter", "Supporter"
    LAPSED = "lapsed", "Lapsed"
    EXPELLED = "expelled", "Expelled"


def counted_statuses(criterion: str) -> frozenset[str]:
    """Return the statuses that count as membership under a criterion."""
    if criterion == Criterion.ASSISTANCE:
        return frozenset({Status.MEMBER, Status.ASSISTANT})
    return frozenset({Status.MEMBER})


class Organization(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    # Kept by the record and by statute amendments; never edited by hand.
    record_length = models.PositiveBigIntegerField(default=0)
    # The record's Merkle tree (record/tree.py): how many entries it holds as leaves (a ballot's
    # entry joins it with the next action, or when a head or proof needs it) and its complete
    # subtrees' roots, read with the length in the statement that locks this row.
    tree_size = models.PositiveBigIntegerField(default=0, editable=False)
    record_frontier = models.BinaryField(default=b"", editable=False)
    statute_version = models.PositiveIntegerField(default=0)
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organized"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Statute(models.Model):
    """One version of an organization's rules; a change makes a new version, the old one stays."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="statutes"
    )
    version = models.PositiveIntegerField()
    criterion = models.CharField(max_length=20, choices=Criterion.choices)
    delegate_ratio = models.PositiveIntegerField(help_text="One delegate per this many members.")
    min_delegates_per_unit = models.PositiveIntegerField(default=1)
    apportionment_method = models.CharField(max_length=20, choices=ApportionmentMethod.choices)
    recall_share = FractionField(
        help_text="Share of the unit's members whose support ends a mandate, e.g. 1/2."
    )
    quorum_share = FractionField(help_text="Share of the votes entitled that must be present.")
    majority_rule = models.CharField(max_length=20, choices=MajorityRule.choices)
    statute_majority_rule = models.CharField(
        max_length=20,
        choices=MajorityRule.choices,
        default=MajorityRule.TWO_THIRDS,
        help_text="The majority a statute amendment needs.",
    )
    motion_supporters = models.PositiveIntegerField(
        default=1, help_text="Delegates who must support a motion before it is admitted."
    )
    polls_without_quorum = models.BooleanField(
        default=False, help_text="Whether a poll may open while the session lacks quorum."
    )
    split_votes = models.BooleanField(
        default=False, help_text="Whether a delegate with several votes may split them."
    )
    election_method = models.CharField(
        max_length=20, choices=ElectionMethod.choices, default=ElectionMethod.SCOTTISH_STV
    )
    co_option = models.BooleanField(
        default=False, help_text="Whether an elected body may co-opt members to free seats."
    )
    text = models.TextField(blank=True)
    adopted_at = models.DateTimeField()
    adopted_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "version"], name="statute_version_unique"
            )
        ]
        ordering = ["organization_id", "-version"]

    def __str__(self) -> str:
        return f"{self.organization} statute v{self.version}"

    @property
    def counted_statuses(self) -> frozenset[str]:
        return counted_statuses(self.criterion)

    def rules(self) -> dict[str, Any]:
        """Return the rules as canonical-JSON-ready values."""
        return {name: _plain(getattr(self, name)) for name in STATUTE_RULES}


STATUTE_RULES = (
    "criterion",
    "delegate_ratio",
    "min_delegates_per_unit",
    "apportionment_method",
    "recall_share",
    "quorum_share",
    "majority_rule",
    "statute_majority_rule",
    "motion_supporters",
    "polls_without_quorum",
    "split_votes",
    "election_method",
    "co_option",
    "text",
)


def _plain(value: Any) -> Any:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return value


_PRESET_RULES: dict[str, Any] = {
    "delegate_ratio": 100,
    "min_delegates_per_unit": 1,
    "apportionment_method": ApportionmentMethod.SAINTE_LAGUE,
    "recall_share": Fraction(1, 2),
    "quorum_share": Fraction(1, 2),
    "majority_rule": MajorityRule.SIMPLE,
    "statute_majority_rule": MajorityRule.TWO_THIRDS,
    "motion_supporters": 1,
    "polls_without_quorum": False,
    "split_votes": False,
    "election_method": ElectionMethod.SCOTTISH_STV,
    "co_option": False,
    "text": "",
}
# The two historical formulations differ only in who counts as a member.
STATUTE_PRESETS: dict[str, dict[str, Any]] = {
    criterion.value: {**_PRESET_RULES, "criterion": criterion} for criterion in Criterion
}


class UnitLevel(models.Model):
    """A named level of the unit tree: depth 0 is the whole organization."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="levels")
    name = models.CharField(max_length=64)
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "depth"], name="level_depth_unique"),
            models.UniqueConstraint(fields=["organization", "name"], name="level_name_unique"),
        ]
        ordering = ["organization_id", "depth"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.ForeignKey(UnitLevel, on_delete=models.PROTECT, related_name="units")
    code = models.SlugField(max_length=64, help_text="Short name used in member files.")
    name = models.CharField(max_length=200)
    # Direct counts kept by the membership actions, so that composition never scans members.
    member_count = models.PositiveIntegerField(default=0)
    assistant_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unit_code_unique")
        ]
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name

    def counted(self, criterion: str) -> int:
        """Return how many of this unit's own people count as members under a criterion."""
        if criterion == Criterion.ASSISTANCE:
            return self.member_count + self.assistant_count
        return self.member_count


class Person(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name


class Login(models.Model):
    """A person's sign-in. Most members have none, so the link is kept apart from Person."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, primary_key=True, related_name="login"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="login"
    )

    def __str__(self) -> str:
        return f"{self.user} is {self.person}"


class Membership(models.Model):
    # No single-column indexes: the constraints and the index below cover these columns'
    # lookups, and each index slows the import of a million members.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    number = models.CharField(
        max_length=64, help_text="Membership number, unique in the organization."
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    since = models.DateField()

    class Meta:
        constraints = [
            # Number first: the admin finds a number across organizations by this index.
            models.UniqueConstraint(
                fields=["number", "organization"], name="membership_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "person"], name="membership_person_unique"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="membership_unit_status")]
        ordering = ["number", "organization_id"]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"


class MembershipEvent(models.Model):
    """A change in a membership: joined, transferred, status changed."""

    class Kind(models.TextChoices):
        JOINED = "joined"
        TRANSFERRED = "transferred"
        STATUS_CHANGED = "status_changed"

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    previous_unit = models.ForeignKey(
        Unit, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    previous_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["membership_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"
