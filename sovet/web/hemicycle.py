"""The hemicycle of a body: its seats in rows of a half-circle, each faction's seats together.

Pure: positions are plain arithmetic and the drawing is a string of SVG, so the same delegates
always give the same picture. Seats fill the half-circle from the left; the rows are as many as
it takes for the outer rows, which are longer, to hold more seats, with no two seats closer than
the distance between rows. Each faction takes the next seats from the left across all rows, so
it sits in one wedge, as parliaments draw it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = [
    "ABSENT",
    "PALETTE",
    "Delegate",
    "Group",
    "Seat",
    "colour",
    "seat_radius",
    "seats",
    "svg",
]

INNER = 0.4  # the inner row's radius, as a share of the outer row's
WIDTH = 400.0
# Distinct to most colour-blind readers and at least 3:1 against white; grey is for no faction.
PALETTE = ("#1f5fa8", "#b2440e", "#1a7a45", "#7b3f9e", "#a3161a", "#8a6d00", "#0f7480", "#b0306e")
NO_FACTION = "#6b6b6b"
ABSENT = "absent"


@dataclass(frozen=True)
class Seat:
    x: float
    y: float
    row: int  # 0 is the innermost row


@dataclass(frozen=True)
class Delegate:
    name: str
    present: bool


@dataclass(frozen=True)
class Group:
    """A faction (or the delegates of none) with its colour and its delegates."""

    name: str
    colour: str
    delegates: Sequence[Delegate]


def colour(index: int | None) -> str:
    """Return the colour of the index-th faction, or of no faction for None."""
    return NO_FACTION if index is None else PALETTE[index % len(PALETTE)]


def _radii(rows: int) -> list[float]:
    if rows == 1:
        return [(1 + INNER) / 2]
    return [INNER + (1 - INNER) * row / (rows - 1) for row in range(rows)]


def _spacing(rows: int) -> float:
    return (1 - INNER) / max(rows - 1, 1)


def _capacities(rows: int) -> list[int]:
    """Return how many seats each row holds, none closer to the next than the row spacing."""
    return [math.floor(math.pi * radius / _spacing(rows)) + 1 for radius in _radii(rows)]


def _rows_for(total: int) -> int:
    rows = 1
    while sum(_capacities(rows)) < total:
        rows += 1
    return rows


def _fill(total: int, capacities: list[int]) -> list[int]:
    """Share the seats among the rows by their length, largest remainders first, outer rows
    winning ties."""
    room = sum(capacities)
    quotas = [total * capacity / room for capacity in capacities]
    counts = [math.floor(quota) for quota in quotas]
    order = sorted(range(len(quotas)), key=lambda row: (counts[row] - quotas[row], -row))
    for row in order[: total - sum(counts)]:
        counts[row] += 1
    return counts


def seats(total: int) -> list[Seat]:
    """Return `total` seat positions in a half-circle of radius 1 around (0, 0), from left to
    right (y grows upwards)."""
    if total <= 0:
        return []
    rows = _rows_for(total)
    placed: list[tuple[float, int, Seat]] = []
    for row, (radius, count) in enumerate(
        zip(_radii(rows), _fill(total, _capacities(rows)), strict=True)
    ):
        for place in range(count):
            angle = math.pi / 2 if count == 1 else math.pi * (1 - place / (count - 1))
            seat = Seat(radius * math.cos(angle), radius * math.sin(angle), row)
            placed.append((round(-angle, 9), row, seat))
    placed.sort(key=lambda found: found[:2])
    return [seat for _, _, seat in placed]


def seat_radius(total: int) -> float:
    """Return the radius of a seat's dot: a little under half the distance between rows."""
    return _spacing(_rows_for(max(total, 1))) * 0.4


def svg(groups: Sequence[Group], *, label: str) -> str:
    """Return the hemicycle as an SVG image: present delegates filled, absent ones in outline."""
    members = [(group, delegate) for group in groups for delegate in group.delegates]
    places = seats(len(members))
    # Dots grow with the scale, and the outer ones must stay inside the picture with their rims.
    share = seat_radius(len(members))
    scale = (WIDTH / 2 - 2) / (1 + 1.25 * share)
    dot = share * scale
    pad = 1.25 * dot + 2
    height = scale + 2 * pad
    circles = []
    for (group, delegate), seat in zip(members, places, strict=True):
        x = f"{WIDTH / 2 + seat.x * scale:.2f}"
        y = f"{pad + (1 - seat.y) * scale:.2f}"
        state = "present" if delegate.present else ABSENT
        fill = group.colour if delegate.present else "#fff"
        circles.append(
            f'<circle cx="{x}" cy="{y}" r="{dot:.2f}" fill="{fill}" stroke="{group.colour}" '
            f'stroke-width="{max(dot / 4, 0.5):.2f}" class="{state}">'
            f"<title>{escape(delegate.name)} ({escape(group.name)}, {state})</title></circle>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {height:.2f}" '
        f'role="img" aria-label="{escape(label)}" class="hemicycle">{"".join(circles)}</svg>'
    )
