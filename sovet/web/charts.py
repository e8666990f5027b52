"""An election count for the page: its rounds as table rows and its transfers as an SVG chart.

Pure: both read the count as stored (`sovet.counting.result.Result.to_json`), where a value is a
whole number or an exact fraction "p/q".
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from html import escape
from typing import Any

from sovet.counting.report import decimal

__all__ = ["Cell", "bars", "candidates_in_order", "fraction", "rounds_table", "transfers_svg"]

GAIN, LOSS = "#1a7a45", "#a3161a"
NON_TRANSFERABLE = "Non-transferable"


def fraction(value: int | str) -> Fraction:
    """Return a stored count value as an exact fraction."""
    return Fraction(value)


def shown(value: int | str) -> str:
    return decimal(fraction(value))


@dataclass(frozen=True)
class Cell:
    text: str
    mark: str = ""  # "elected" or "excluded" in this round


def candidates_in_order(result: Mapping[str, Any]) -> list[str]:
    """Return the elected in the order elected, then the others by first preferences, then name.

    (The stored rounds' keys carry no order: PostgreSQL keeps JSON keys sorted its own way.)
    """
    rounds = result.get("rounds") or []
    first = rounds[0]["votes"] if rounds else {}
    everyone = {name for r in rounds for name in r["votes"]}
    elected = [name for name in result.get("elected", []) if name in everyone]
    others = sorted(everyone - set(elected), key=lambda name: (-fraction(first.get(name, 0)), name))
    return elected + others


def rounds_table(result: Mapping[str, Any]) -> dict[str, Any]:
    """Return the count's rounds as rows: a candidate's votes at the end of each round."""
    rounds = result.get("rounds") or []
    rows = []
    for name in candidates_in_order(result):
        cells = []
        for r in rounds:
            mark = next((m for m in ("elected", "excluded") if name in r[m]), "")
            value = r["votes"].get(name)
            cells.append(Cell("" if value is None else shown(value), mark))
        rows.append({"name": name, "cells": cells})
    return {
        "rounds": rounds,
        "rows": rows,
        "exhausted": [shown(r["exhausted"]) for r in rounds],
        "quota": (
            [shown(r["quota"]) if r["quota"] is not None else "" for r in rounds]
            if any(r["quota"] is not None for r in rounds)
            else None
        ),
    }


def _moves(result: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], list[tuple[str, Fraction]]]]:
    """Return each round that moved votes, with what each candidate (and the non-transferable
    pile) gained or lost in it."""
    order = candidates_in_order(result)
    moves = []
    before = Fraction(0)
    for r in result.get("rounds") or []:
        gains = [(name, fraction(r["transfers"][name])) for name in order if name in r["transfers"]]
        exhausted = fraction(r["exhausted"])
        if exhausted != before and r["round"] > 1:
            gains.append((NON_TRANSFERABLE, exhausted - before))
        before = exhausted
        if any(value for _, value in gains):
            moves.append((r, gains))
    return moves


def transfers_svg(result: Mapping[str, Any], *, label: str) -> str:
    """Return a chart of the votes each round moved: gains right of the axis, losses left;
    empty if no round moved any."""
    moves = _moves(result)
    if not moves:
        return ""
    biggest = max(abs(value) for _, gains in moves for _, value in gains)
    width, names, bar, gap = 560.0, 150.0, 16.0, 4.0
    axis = names + (width - names) / 2
    half = (width - names) / 2 - 60
    parts: list[str] = []
    y = 0.0
    for r, gains in moves:
        y += 22
        subject = f" of {r['subject']}" if r.get("subject") else ""
        parts.append(
            f'<text x="0" y="{y - 6:.1f}" class="round">Round {r["round"]}: '
            f"{escape(str(r['action']))}{escape(subject)}</text>"
        )
        for name, value in gains:
            length = float(abs(value) / biggest) * half
            start = axis if value >= 0 else axis - length
            sign = "+" if value > 0 else "\u2212" if value < 0 else ""  # a minus sign
            text = f"{sign}{decimal(abs(value))}"
            end = axis + length + 4 if value >= 0 else axis - length - 4
            anchor = "start" if value >= 0 else "end"
            parts.append(
                f'<text x="{names - 8:.1f}" y="{y + bar - 4:.1f}" text-anchor="end">'
                f"{escape(name)}</text>"
                f'<rect x="{start:.1f}" y="{y:.1f}" width="{max(length, 1):.1f}" height="{bar}" '
                f'fill="{GAIN if value >= 0 else LOSS}">'
                f"<title>{escape(name)}: {text}</title></rect>"
                f'<text x="{end:.1f}" y="{y + bar - 4:.1f}" text-anchor="{anchor}">{text}</text>'
            )
            y += bar + gap
    height = y + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.1f}" '
        f'role="img" aria-label="{escape(label)}" class="transfers">'
        f'<line x1="{axis:.1f}" y1="0" x2="{axis:.1f}" y2="{height:.1f}" class="axis"/>'
        f"{''.join(parts)}</svg>"
    )


def bars(tally: Sequence[Mapping[str, Any]], cast: int) -> list[dict[str, Any]]:
    """Return a poll's tally with each choice's share of the votes cast, in percent."""
    return [
        {
            "choice": row["choice"],
            "votes": row["votes"],
            "share": round(100 * row["votes"] / cast, 1) if cast else 0,
        }
        for row in tally
    ]
