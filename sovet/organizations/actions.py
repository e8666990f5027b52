"""Every write to organizations, statutes, units and memberships.

Each action checks the actor's permission, validates, writes and appends its record entry in
one transaction; membership changes recompose the councils they affect in the same transaction.
"""

import datetime
import re
from fractions import Fraction
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sovet.councils import actions as council_actions
from sovet.councils import composition
from sovet.errors import Invalid
from sovet.fields import parse_fraction
from sovet.organizations.access import require_admin, require_organizer
from sovet.organizations.models import (
    STATUTE_PRESETS,
    STATUTE_RULES,
    ApportionmentMethod,
    Criterion,
    ElectionMethod,
    Login,
    MajorityRule,
    Membership,
    MembershipEvent,
    Organization,
    Person,
    Status,
    Statute,
    Unit,
    UnitLevel,
)
from sovet.organizations.selectors import current_statute
from sovet.record.log import actor_name, append, lock

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SLUG_RULE = "use lowercase letters, digits and hyphens, starting with a letter or digit"
UNKNOWN_PRESET = "unknown statute preset {preset!r}; choose one of: {choices}"
SLUG_TAKEN = "an organization with the slug {slug!r} already exists"
NO_LEVELS = "an organization needs at least one unit level"
UNIT_CODE_TAKEN = "a unit with the code {code!r} already exists in {organization}"
NO_LEVEL_BELOW = "{unit} is at the lowest level; add a level below {level} first"
WRONG_ORGANIZATION = "{thing} belongs to another organization"
NUMBER_TAKEN = "membership number {number!r} is already in use"
ALREADY_IN_UNIT = "the member already belongs to {unit}"
SAME_STATUS = "the membership is already {status}"
EMPTY = "{field} must not be empty"
HAS_MEMBERS = "{unit} has members: transfer them to base units before adding units below it"
NOT_BASE = "{unit} has units below it; members belong to a base unit"
UNKNOWN_RULE = "unknown statute rule {name!r}; rules are: {choices}"
NO_CHANGE = "the amendment changes nothing"


def _require_text(value: str, field: str, max_length: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(EMPTY.format(field=field))
    if len(value) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters")
    return value


def _require_slug(value: str, field: str) -> str:
    if not SLUG.match(value or ""):
        raise Invalid(f"{field} {value!r}: {SLUG_RULE}")
    return value


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(f"{email!r} is not an e-mail address") from None
    return email


RULE_BOUNDS = {
    "delegate_ratio": {"min_value": 1, "max_value": 1_000_000_000},
    "min_delegates_per_unit": {"min_value": 0, "max_value": 1_000},
    "motion_supporters": {"min_value": 0, "max_value": 10_000},
}


def clean_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """Validate statute rules, returning them in their stored types."""
    clean: dict[str, Any] = {}
    for name, value in rules.items():
        if name not in STATUTE_RULES:
            raise Invalid(UNKNOWN_RULE.format(name=name, choices=", ".join(STATUTE_RULES)))
        if name == "criterion":
            value = _choice(value, Criterion, name)
        elif name == "apportionment_method":
            value = _choice(value, ApportionmentMethod, name)
        elif name in ("majority_rule", "statute_majority_rule"):
            value = _choice(value, MajorityRule, name)
        elif name == "election_method":
            value = _choice(value, ElectionMethod, name)
        elif name in ("polls_without_quorum", "split_votes", "co_option"):
            if not isinstance(value, bool):
                raise Invalid(f"{name} must be true or false, not {value!r}")
        elif name in RULE_BOUNDS:
            value = _integer(value, name, **RULE_BOUNDS[name])
        elif name in ("recall_share", "quorum_share"):
            try:
                value = value if isinstance(value, Fraction) else parse_fraction(value)
            except ValidationError as error:
                raise Invalid(f"{name}: {error.messages[0]}") from None
            if value == 0:
                raise Invalid(f"{name} must be more than 0")
        elif name == "text":
            value = str(value)
        clean[name] = value
    return clean


def _choice(value: Any, choices: Any, name: str) -> str:
    if value not in choices.values:
        raise Invalid(f"{name} {value!r} is not one of: {', '.join(choices.values)}")
    return str(value)


def _integer(value: Any, name: str, *, min_value: int, max_value: int) -> int:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 20:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not min_value <= value <= max_value:
        raise Invalid(
            f"{name} must be a whole number from {min_value} to {max_value}, not {value!r}"
        )
    return value


@transaction.atomic
def create_organization(
    *,
    actor: Any,
    slug: str,
    name: str,
    levels: list[str],
    preset: str = Criterion.PARTICIPATION,
    rules: dict[str, Any] | None = None,
) -> Organization:
    """Found an organization with its first statute, its unit levels and its root unit."""
    require_admin(actor)
    slug = _require_slug(slug, "slug")
    name = _require_text(name, "name")
    if preset not in STATUTE_PRESETS:
        raise Invalid(UNKNOWN_PRESET.format(preset=preset, choices=", ".join(STATUTE_PRESETS)))
    if not levels:
        raise Invalid(NO_LEVELS)
    level_names = [_require_text(level, "level name", 64) for level in levels]
    if len(set(level_names)) != len(level_names):
        raise Invalid("level names must differ")
    statute_rules = {**STATUTE_PRESETS[preset], **clean_rules(rules or {})}
    if Organization.objects.filter(slug=slug).exists():
        raise Invalid(SLUG_TAKEN.format(slug=slug))
    now = timezone.now()
    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                slug=slug, name=name, created_at=now, statute_version=1
            )
    except IntegrityError:
        raise Invalid(SLUG_TAKEN.format(slug=slug)) from None
    if actor is not None:
        organization.organizers.add(actor)
    statute = Statute.objects.create(
        organization=organization,
        version=1,
        adopted_at=now,
        adopted_by=actor_name(actor),
        **statute_rules,
    )
    created_levels = [
        UnitLevel.objects.create(organization=organization, name=level, depth=depth)
        for depth, level in enumerate(level_names)
    ]
    root = Unit.objects.create(
        organization=organization, level=created_levels[0], code=slug, name=name
    )
    append(
        organization,
        actor=actor,
        action="organization.founded",
        payload={
            "slug": slug,
            "name": name,
            "levels": level_names,
            "root_unit": {"id": root.pk, "code": root.code},
            "statute": {"version": 1, "preset": preset, **statute.rules()},
            "organizers": [actor_name(actor)] if actor is not None else [],
        },
    )
    return organization


@transaction.atomic
def appoint_organizer(*, actor: Any, organization: Organization, user: Any) -> None:
    """Make a user an organizer of the organization; organizers appoint organizers."""
    require_organizer(actor, organization)
    lock(organization.pk)
    if organization.organizers.filter(pk=user.pk).exists():
        raise Invalid(f"{user.get_username()} is an organizer already")
    organization.organizers.add(user)
    append(
        organization,
        actor=actor,
        action="organizer.appointed",
        payload={"username": user.get_username()},
    )


@transaction.atomic
def amend_statute(
    *, actor: Any, organization: Organization, changes: dict[str, Any], note: str = ""
) -> Statute:
    """Adopt the next statute version: the given rules changed, the rest carried over."""
    require_organizer(actor, organization)
    organization = Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
    previous = current_statute(organization)
    clean = clean_rules(changes)
    changed = {name: value for name, value in clean.items() if getattr(previous, name) != value}
    if not changed:
        raise Invalid(NO_CHANGE)
    rules = {name: getattr(previous, name) for name in STATUTE_RULES} | changed
    statute = Statute.objects.create(
        organization=organization,
        version=previous.version + 1,
        adopted_at=timezone.now(),
        adopted_by=actor_name(actor),
        **rules,
    )
    Organization.objects.filter(pk=organization.pk).update(statute_version=statute.version)
    organization.statute_version = statute.version
    append(
        organization,
        actor=actor,
        action="statute.amended",
        payload={
            "version": statute.version,
            "previous_version": previous.version,
            "changes": {name: statute.rules()[name] for name in changed},
            "note": note,
        },
    )
    composition.recompose_all(organization, actor=actor, statute=statute)
    return statute


@transaction.atomic
def add_level(*, actor: Any, organization: Organization, name: str) -> UnitLevel:
    """Add a level below the organization's lowest level."""
    require_organizer(actor, organization)
    lock(organization.pk)
    name = _require_text(name, "level name", 64)
    if UnitLevel.objects.filter(organization=organization, name=name).exists():
        raise Invalid(f"the level {name!r} exists already")
    depth = UnitLevel.objects.filter(organization=organization).count()
    level = UnitLevel.objects.create(organization=organization, name=name, depth=depth)
    append(
        organization,
        actor=actor,
        action="level.added",
        payload={"level": {"id": level.pk, "name": name, "depth": depth}},
    )
    return level


@transaction.atomic
def add_unit(*, actor: Any, parent: Unit, code: str, name: str) -> Unit:
    """Add a unit under a parent unit, one level down."""
    organization = parent.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    code = _require_slug(code, "unit code")
    name = _require_text(name, "unit name")
    level = UnitLevel.objects.filter(
        organization=organization, depth=parent.level.depth + 1
    ).first()
    if level is None:
        raise Invalid(NO_LEVEL_BELOW.format(unit=parent.name, level=parent.level.name))
    if Unit.objects.filter(organization=organization, code=code).exists():
        raise Invalid(UNIT_CODE_TAKEN.format(code=code, organization=organization.name))
    if Membership.objects.filter(unit=parent).exists():
        raise Invalid(HAS_MEMBERS.format(unit=parent.name))
    unit = Unit.objects.create(
        organization=organization, parent=parent, level=level, code=code, name=name
    )
    append(
        organization,
        actor=actor,
        action="unit.added",
        payload={
            "unit": {"id": unit.pk, "code": code, "name": name, "level": level.name},
            "parent": {"id": parent.pk, "code": parent.code},
        },
    )
    composition.recompose_all(organization, actor=actor)
    return unit


def settle_councils(organization: Organization, person_ids: list[int], *, actor: Any) -> None:
    """End the mandates of delegates who no longer count, then recompose the councils."""
    council_actions.release_mandates(
        organization.pk, person_ids, actor=actor, statute=current_statute(organization)
    )
    composition.recompose_all(organization, actor=actor)


def _require_base(unit: Unit) -> None:
    if Unit.objects.filter(parent=unit).exists():
        raise Invalid(NOT_BASE.format(unit=unit.name))


def adjust_counts(unit_id: int, status: str, delta: int) -> None:
    """Keep a unit's direct member and assistant counts in step with a membership change."""
    field = {Status.MEMBER: "member_count", Status.ASSISTANT: "assistant_count"}.get(status)
    if field is not None:
        Unit.objects.filter(pk=unit_id).update(**{field: F(field) + delta})


def _membership_payload(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "number": membership.number,
        "person": {"id": membership.person_id, "name": membership.person.name},
        "unit": {"id": membership.unit_id, "code": membership.unit.code},
        "status": membership.status,
    }


@transaction.atomic
def admit_member(
    *,
    actor: Any,
    unit: Unit,
    number: str,
    name: str,
    email: str = "",
    status: str = Status.MEMBER,
    since: datetime.date | None = None,
) -> Membership:
    """Admit a person to the organization in a unit, as member, assistant or supporter."""
    organization = unit.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    number = _require_text(number, "membership number", 64)
    name = _require_text(name, "name")
    email = _clean_email(email)
    if status not in (Status.MEMBER, Status.ASSISTANT, Status.SUPPORTER):
        raise Invalid(f"a new membership is member, assistant or supporter, not {status!r}")
    _require_base(unit)
    if Membership.objects.filter(organization=organization, number=number).exists():
        raise Invalid(NUMBER_TAKEN.format(number=number))
    now = timezone.now()
    person = Person.objects.create(name=name, email=email)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organization=organization,
                person=person,
                unit=unit,
                number=number,
                status=status,
                since=since or now.date(),
            )
    except IntegrityError:
        raise Invalid(NUMBER_TAKEN.format(number=number)) from None
    MembershipEvent.objects.create(
        membership=membership, kind=MembershipEvent.Kind.JOINED, at=now, unit=unit, status=status
    )
    adjust_counts(unit.pk, status, +1)
    append(
        organization,
        actor=actor,
        action="membership.admitted",
        payload={"membership": _membership_payload(membership), "since": str(membership.since)},
    )
    composition.recompose_all(organization, actor=actor)
    return membership


@transaction.atomic
def transfer_member(
    *, actor: Any, membership: Membership, unit: Unit, reason: str = ""
) -> Membership:
    """Move a membership to another unit of the same organization."""
    organization = membership.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    membership = (
        Membership.objects.select_for_update(no_key=True)
        .select_related("person", "unit")
        .get(pk=membership.pk)
    )
    if unit.organization_id != organization.pk:
        raise Invalid(WRONG_ORGANIZATION.format(thing=unit.name))
    if membership.unit_id == unit.pk:
        raise Invalid(ALREADY_IN_UNIT.format(unit=unit.name))
    _require_base(unit)
    previous = membership.unit
    membership.unit = unit
    membership.save(update_fields=["unit"])
    MembershipEvent.objects.create(
        membership=membership,
        kind=MembershipEvent.Kind.TRANSFERRED,
        at=timezone.now(),
        unit=unit,
        previous_unit=previous,
        status=membership.status,
        reason=reason,
    )
    adjust_counts(previous.pk, membership.status, -1)
    adjust_counts(unit.pk, membership.status, +1)
    append(
        organization,
        actor=actor,
        action="membership.transferred",
        payload={
            "membership": _membership_payload(membership),
            "from_unit": {"id": previous.pk, "code": previous.code},
            "reason": reason,
        },
    )
    settle_councils(organization, [membership.person_id], actor=actor)
    return membership


STATUS_ACTIONS = {
    Status.LAPSED: "membership.lapsed",
    Status.EXPELLED: "membership.expelled",
}


@transaction.atomic
def change_status(
    *, actor: Any, membership: Membership, status: str, reason: str = ""
) -> Membership:
    """Change a membership's status: lapse, expel, reinstate, or member/assistant/supporter."""
    organization = membership.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    if status not in Status.values:
        raise Invalid(f"status {status!r} is not one of: {', '.join(Status.values)}")
    membership = (
        Membership.objects.select_for_update(no_key=True)
        .select_related("person", "unit")
        .get(pk=membership.pk)
    )
    previous = membership.status
    if previous == status:
        raise Invalid(SAME_STATUS.format(status=status))
    if status == Status.EXPELLED and not reason.strip():
        raise Invalid("an expulsion must state its reason")
    membership.status = status
    membership.save(update_fields=["status"])
    MembershipEvent.objects.create(
        membership=membership,
        kind=MembershipEvent.Kind.STATUS_CHANGED,
        at=timezone.now(),
        unit=membership.unit,
        status=status,
        previous_status=previous,
        reason=reason,
    )
    adjust_counts(membership.unit_id, previous, -1)
    adjust_counts(membership.unit_id, status, +1)
    append(
        organization,
        actor=actor,
        action=STATUS_ACTIONS.get(status, "membership.status_changed"),
        payload={
            "membership": _membership_payload(membership),
            "previous_status": previous,
            "reason": reason,
        },
    )
    settle_councils(organization, [membership.person_id], actor=actor)
    return membership


@transaction.atomic
def grant_login(*, actor: Any, membership: Membership, username: str, password: str | None) -> Any:
    """Give a member a login, so that they can act in their own name.

    Without a password the login cannot sign in until its owner sets one (password reset).
    """
    organization = membership.organization
    require_organizer(actor, organization)
    username = _require_text(username, "username", 150)
    if password is not None and len(password) < 8:
        raise Invalid("the password must have at least 8 characters")
    person = membership.person
    if Login.objects.filter(person=person).exists():
        raise Invalid(f"{person.name} has a login already")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise Invalid(f"the username {username!r} is taken")
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=username, email=person.email, password=password
            )
            Login.objects.create(person=person, user=user)
    except IntegrityError:
        raise Invalid(f"the username {username!r} is taken, or {person.name} has a login") from None
    append(
        organization,
        actor=actor,
        action="membership.login_granted",
        payload={
            "membership": {"id": membership.pk, "number": membership.number},
            "username": username,
        },
    )
    return user
