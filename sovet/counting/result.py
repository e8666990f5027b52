"""The result of a count: who was elected, in order, and every round that led there."""

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = ["Result", "Round", "TieBreak", "number"]


def number(value: Fraction | int) -> str | int:
    """Return a count's value for JSON: an int when whole, else the exact 'p/q'."""
    if isinstance(value, int) or value.denominator == 1:
        return int(value)
    return f"{value.numerator}/{value.denominator}"


@dataclass
class TieBreak:
    """A tie the method's rule could not settle, decided by a seeded draw."""

    round: int
    among: list[int]
    chosen: int
    seed: int
    purpose: str  # "elect" or "exclude"

    def to_json(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {
            "round": self.round,
            "among": [names[c] for c in self.among],
            "chosen": names[self.chosen],
            "seed": self.seed,
            "purpose": self.purpose,
        }


@dataclass
class Round:
    """One stage of a count, with the tallies at its end.

    `votes` holds every continuing or elected candidate's total; `transfers` what each gained
    or lost in this round; `exhausted` the non-transferable votes so far (papers with no further
    preference, and value lost to truncation where the rule truncates).
    """

    number: int
    action: str  # "first preferences", "surplus", "exclusion", "elimination", "final", ...
    quota: Fraction | None
    votes: dict[int, Fraction]
    transfers: dict[int, Fraction] = field(default_factory=dict)
    exhausted: Fraction = Fraction(0)
    elected: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    subject: int | None = None  # whose surplus or whose exclusion this round transferred
    note: str = ""

    def to_json(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {
            "round": self.number,
            "action": self.action,
            "subject": None if self.subject is None else names[self.subject],
            "quota": None if self.quota is None else number(self.quota),
            "votes": {names[c]: number(v) for c, v in self.votes.items()},
            "transfers": {names[c]: number(v) for c, v in self.transfers.items() if v},
            "exhausted": number(self.exhausted),
            "elected": [names[c] for c in self.elected],
            "excluded": [names[c] for c in self.excluded],
            "note": self.note,
        }


@dataclass
class Result:
    method: str
    candidates: tuple[str, ...]
    seats: int
    elected: list[int]
    rounds: list[Round]
    tie_breaks: list[TieBreak] = field(default_factory=list)
    valid: Fraction | int = 0

    @property
    def elected_names(self) -> list[str]:
        return [self.candidates[c] for c in self.elected]

    def to_json(self) -> dict[str, Any]:
        names = self.candidates
        return {
            "method": self.method,
            "seats": self.seats,
            "valid": number(self.valid),
            "elected": self.elected_names,
            "rounds": [r.to_json(names) for r in self.rounds],
            "tie_breaks": [t.to_json(names) for t in self.tie_breaks],
        }
