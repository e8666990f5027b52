"""Reads for organization pages, in a bounded number of queries."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum

from sovet.councils.models import Council, Seats
from sovet.organizations.models import Organization, Statute, Unit, UnitLevel
from sovet.organizations.statute_diff import StatuteDiff, consecutive

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


@dataclass
class UnitNode:
    """A unit with the units directly below it."""

    unit: Unit
    children: list["UnitNode"] = field(default_factory=list)


def _tree(units: list[Unit]) -> list[UnitNode]:
    """Return the top units with the units below them nested, each level in name order."""
    nodes = {unit.pk: UnitNode(unit) for unit in units}
    top: list[UnitNode] = []
    for unit in sorted(units, key=lambda unit: unit.name):
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else top).append(nodes[unit.pk])
    return top


def statute_history(organization: Organization) -> list[tuple[Statute, StatuteDiff | None]]:
    """Return every statute version, newest first, with its changes from the version before."""
    versions = list(Statute.objects.filter(organization=organization).order_by("version"))
    changes = [None, *consecutive([statute.rules() for statute in versions])]
    return list(zip(versions, changes, strict=True))[::-1]
