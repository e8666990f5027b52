"""Reads for organization pages, in a bounded number of queries."""

from typing import Any

from django.db.models import Count, Sum

from sovet.councils.models import Council, Seats
from sovet.organizations.models import Organization, Statute, Unit, UnitLevel

TREE_LIMIT = 500


def current_statute(organization: Organization) -> Statute:
    """Return the statute version in force: the latest, read afresh (an instance may be stale)."""
    return Statute.objects.filter(organization=organization).order_by("-version").first()


def organization_overview(organization: Organization) -> dict[str, Any]:
    """Return the statute, levels, unit tree (or its top when large) and councils."""
    statutes = list(Statute.objects.filter(organization=organization).order_by("-version"))
    levels = list(
        UnitLevel.objects.filter(organization=organization).annotate(unit_count=Count("units"))
    )
    unit_count = sum(level.unit_count for level in levels)
    units = Unit.objects.filter(organization=organization).select_related("level")
    if unit_count > TREE_LIMIT:
        units = units.filter(level__depth__lte=1)
    councils = list(
        Council.objects.filter(organization=organization).select_related(
            "unit", "constituency_level"
        )
    )
    seats = dict(
        Seats.objects.filter(council__organization=organization)
        .values_list("council_id")
        .annotate(total=Sum("count"))
    )
    for council in councils:
        council.seat_total = seats.get(council.pk, 0)
    return {
        "organization": organization,
        "statute": statutes[0],
        "statutes": statutes,
        "levels": levels,
        "tree": _tree(list(units)),
        "tree_truncated": unit_count > TREE_LIMIT,
        "councils": councils,
    }


def _tree(units: list[Unit]) -> list[tuple[int, Unit]]:
    """Return the units depth-first, each with its depth, children in name order."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[int, Unit]] = []
    stack = [
        (0, unit) for unit in sorted(children.get(None, []), key=lambda u: u.name, reverse=True)
    ]
    while stack:
        depth, unit = stack.pop()
        ordered.append((depth, unit))
        below = sorted(children.get(unit.pk, []), key=lambda u: u.name, reverse=True)
        stack.extend((depth + 1, child) for child in below)
    return ordered
