"""A council's composition: the seats each constituency holds, recomputed as membership changes."""

from typing import Any

from django.db import transaction
from django.db.models import Sum

from sovet import apportionment
from sovet.councils.models import Council, Mandate, Seats
from sovet.organizations.models import Organization, Statute, Unit
from sovet.record.log import append


def populations(council: Council, criterion: str) -> dict[int, int]:
    """Return each constituency's counted members, its whole subtree included.

    One query over the organization's units: the counts on each unit are kept by the
    membership actions, so a million members cost no more than ten thousand units.
    """
    rows = (
        Unit.objects.filter(organization_id=council.organization_id)
        .order_by("level__depth")
        .values_list("pk", "parent_id", "level__depth", "member_count", "assistant_count")
    )
    constituency_depth = council.constituency_level.depth
    counted_assistants = criterion == "assistance"
    constituency_of: dict[int, int | None] = {}
    inside: dict[int, bool] = {}
    totals: dict[int, int] = {}
    for pk, parent_id, depth, members, assistants in rows:
        inside[pk] = pk == council.unit_id or (parent_id is not None and inside[parent_id])
        if depth < constituency_depth:
            constituency_of[pk] = None
            continue
        constituency = pk if depth == constituency_depth else constituency_of[parent_id]
        constituency_of[pk] = constituency
        if not inside[pk] or constituency is None:
            continue
        count = members + assistants if counted_assistants else members
        totals[constituency] = totals.get(constituency, 0) + count
    return totals


def apportion(council: Council, statute: Statute) -> dict[int, int]:
    """Return the seats each constituency should hold under the statute."""
    return _plan(council, statute)[0]


def _plan(council: Council, statute: Statute) -> tuple[dict[int, int], int]:
    """Return the seats per constituency and the minimum per unit that could be applied."""
    # A unit with nobody counted cannot elect anyone: it holds no seat until it has members.
    counts = {
        unit: count for unit, count in populations(council, statute.criterion).items() if count
    }
    minimum = statute.min_delegates_per_unit
    if not counts:
        return {}, minimum
    if council.fixed_seats is None:
        size = apportionment.house_size(counts, ratio=statute.delegate_ratio, minimum=minimum)
    else:
        size = council.fixed_seats
        # A council too small for every unit's minimum gives each unit what it can, rather
        # than refusing the membership change that made one more unit count.
        minimum = min(minimum, size // len(counts))
    method = apportionment.Method(statute.apportionment_method)
    return apportionment.apportion(counts, size, method, minimum=minimum), minimum


def recompose(council: Council, *, actor: Any, statute: Statute) -> dict[int, tuple[int, int]]:
    """Store the council's seats as the statute gives them now and record which units changed."""
    Council.objects.select_for_update(no_key=True).filter(pk=council.pk).get()
    target, minimum = _plan(council, statute)
    stored = dict(Seats.objects.filter(council=council).values_list("unit_id", "count"))
    changes = apportionment.changes(stored, target)
    if not changes:
        return {}
    gone = [unit for unit, (_, new) in changes.items() if new == 0]
    Seats.objects.filter(council=council, unit_id__in=gone).delete()
    for unit, (old, new) in changes.items():
        if new and old:
            Seats.objects.filter(council=council, unit_id=unit).update(count=new)
    Seats.objects.bulk_create(
        Seats(council=council, unit_id=unit, count=new)
        for unit, (old, new) in changes.items()
        if new and not old
    )
    codes = dict(Unit.objects.filter(pk__in=changes).values_list("pk", "code"))
    held = dict(
        Mandate.objects.filter(council=council, state=Mandate.State.ACTIVE, unit_id__in=changes)
        .values_list("unit_id")
        .annotate(votes=Sum("votes"))
    )
    # Mandates run on when their unit loses seats; the entry says where votes exceed seats.
    over = {codes[unit]: held[unit] - target.get(unit, 0) for unit in held}
    append(
        council.organization,
        actor=actor,
        action="council.recomposed",
        payload={
            "council": {"id": council.pk, "name": council.name},
            "seats": sum(target.values()),
            "minimum_per_unit": minimum,
            # Keyed by unit code, so that the entry reads without a lookup: {"depot": [3, 2]}.
            "changes": {codes[unit]: [old, new] for unit, (old, new) in changes.items()},
            "over_seated": {code: excess for code, excess in over.items() if excess > 0},
        },
    )
    return changes


def recompose_all(
    organization: Organization, *, actor: Any, statute: Statute | None = None
) -> dict[int, dict[int, tuple[int, int]]]:
    """Recompose every council of the organization; return the changes per council."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("recompose inside the action's transaction")
    if statute is None:
        statute = Statute.objects.get(
            organization=organization, version=organization.statute_version
        )
    result = {}
    for council in Council.objects.filter(organization=organization).select_related(
        "constituency_level", "organization"
    ):
        if changes := recompose(council, actor=actor, statute=statute):
            result[council.pk] = changes
    return result


def subtree(unit: Unit, criterion: str) -> tuple[set[int], int]:
    """Return the unit's subtree (its own id included) and how many members count in it."""
    rows = Unit.objects.filter(organization_id=unit.organization_id).values_list(
        "pk", "parent_id", "member_count", "assistant_count"
    )
    children: dict[int | None, list[int]] = {}
    counts: dict[int, int] = {}
    for pk, parent_id, members, assistants in rows:
        children.setdefault(parent_id, []).append(pk)
        counts[pk] = members + assistants if criterion == "assistance" else members
    below: set[int] = set()
    total, stack = 0, [unit.pk]
    while stack:
        pk = stack.pop()
        below.add(pk)
        total += counts[pk]
        stack.extend(children.get(pk, ()))
    return below, total


def ancestors(unit_id: int) -> list[int]:
    """Return the unit and the units above it, up to the root (one query per level)."""
    chain: list[int] = []
    current: int | None = unit_id
    while current is not None:
        chain.append(current)
        current = Unit.objects.filter(pk=current).values_list("parent_id", flat=True).get()
    return chain


def is_within(unit_id: int, ancestor_id: int) -> bool:
    """Whether a unit is the ancestor or lies below it."""
    return ancestor_id in ancestors(unit_id)
