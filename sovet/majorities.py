"""Majorities and quorum: when a poll adopts a motion, when a body may decide, who wins a choice.

Rules, where statutes are usually worded this way and a reading had to be chosen:

- A simple majority is more yes than no votes: "more than half of the votes cast", where votes
  cast are yes plus no. Abstentions and invalid votes do not count, and a tie rejects the motion.
- An absolute majority is more than half of the votes entitled: every vote of the body's
  accredited mandates, present or not, so an absent delegate counts as a no.
- A qualified majority (two thirds, three quarters, or any share such as 3/5) is at least that
  share of its base: the votes cast (the default), the votes present (abstentions, invalid votes
  and present non-voters then count against), or the votes entitled. Two thirds of 30 is 20, so
  20 yes votes suffice. A share is always "at least": Fraction(1, 2) adopts on a tie, Rule.SIMPLE
  does not. A motion never passes without a yes vote, even when its base is empty. The simple
  and absolute majorities have their own base; asking for another is refused.
- A quorum is at least the given share of the votes entitled, and at least one vote.
- A choice among alternatives is won by plurality (the most votes; a tie for the most means no
  winner) or by majority (more than half of the votes cast, else no winner and the caller may hold
  a runoff).
- Competing formulations go against each other in the given order, the survivor of each pairing
  meeting the next; the last survivor is then put against the status quo with the statute's
  majority (`decide`).

All arithmetic is on integers and exact fractions; impossible tallies raise ValueError.
"""

import enum
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple, TypeVar

from sovet.thresholds import supports_needed

__all__ = [
    "Base",
    "Choice",
    "ChoiceRule",
    "Decision",
    "Pairing",
    "Rule",
    "choose",
    "decide",
    "has_quorum",
    "knockout",
    "quorum_needed",
    "quorum_sentence",
    "yes_needed",
]


class Rule(enum.StrEnum):
    """A statutory majority for adopting a motion; a Fraction stands for any other share."""

    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"


class Base(enum.StrEnum):
    """The votes a majority is counted of."""

    CAST = "cast"
    PRESENT = "present"
    ENTITLED = "entitled"

    @property
    def label(self) -> str:
        return f"votes {self.value}"


class ChoiceRule(enum.StrEnum):
    """How one option is chosen among several."""

    PLURALITY = "plurality"
    MAJORITY = "majority"


_QUALIFIED = {Rule.TWO_THIRDS: Fraction(2, 3), Rule.THREE_QUARTERS: Fraction(3, 4)}
_FIXED_BASE = {Rule.SIMPLE: Base.CAST, Rule.ABSOLUTE: Base.ENTITLED}
_WORDS = {Rule.TWO_THIRDS: "two thirds", Rule.THREE_QUARTERS: "three quarters"}


@dataclass(frozen=True)
class Decision:
    """The outcome of a yes/no poll under a rule, with the numbers that decided it."""

    adopted: bool
    rule: Rule | Fraction
    base: Base
    base_size: int
    threshold: int  # the fewest yes votes that adopt, given the base
    yes: int
    sentence: str


@dataclass(frozen=True)
class Choice:
    """The outcome of a choice among options; `tied` lists the options sharing the most votes."""

    rule: ChoiceRule
    winner: str | None
    tied: tuple[str, ...]
    votes_cast: int
    sentence: str


class Pairing(NamedTuple):
    """One vote between two formulations: the survivor so far, the next one, and the winner."""

    first: str
    second: str
    winner: str


def yes_needed(rule: Rule | Fraction, base_size: int) -> int:
    """Return the fewest yes votes that adopt a motion under `rule` when its base is `base_size`."""
    rule = _rule(rule)
    _check_counts(base_size=base_size)
    if rule is Rule.SIMPLE or rule is Rule.ABSOLUTE:
        return base_size // 2 + 1
    return supports_needed(_QUALIFIED[rule] if isinstance(rule, Rule) else rule, base_size)


def decide(
    *,
    yes: int,
    no: int,
    abstain: int = 0,
    invalid: int = 0,
    present: int,
    entitled: int,
    rule: Rule | Fraction,
    base: Base | None = None,
) -> Decision:
    """Decide a yes/no poll; `base` applies to qualified majorities and defaults to votes cast."""
    rule = _rule(rule)
    _check_counts(
        yes=yes, no=no, abstain=abstain, invalid=invalid, present=present, entitled=entitled
    )
    ballots = yes + no + abstain + invalid
    if ballots > present:
        raise ValueError(
            f"yes, no, abstain and invalid votes ({ballots}) exceed the votes present ({present})"
        )
    if present > entitled:
        raise ValueError(f"votes present ({present}) exceed the votes entitled ({entitled})")
    fixed = _FIXED_BASE.get(rule) if isinstance(rule, Rule) else None
    base = (fixed or Base.CAST) if base is None else _member(Base, base)
    if fixed is not None and base is not fixed:
        raise ValueError(f"the {rule} majority counts the {fixed.label}, not the {base.label}")
    base_size = {Base.CAST: yes + no, Base.PRESENT: present, Base.ENTITLED: entitled}[base]
    threshold = yes_needed(rule, base_size)
    adopted = yes >= threshold
    sentence = (
        f"{'adopted' if adopted else 'rejected'}: {yes} yes of {base_size} {base.label} "
        f"({_phrase(rule)} needed: {threshold})"
    )
    return Decision(adopted, rule, base, base_size, threshold, yes, sentence)


def quorum_needed(entitled: int, share: Fraction) -> int:
    """Return the fewest votes present that reach at least `share` of the votes entitled."""
    _check_counts(entitled=entitled)
    return supports_needed(share, entitled)


def has_quorum(present: int, entitled: int, share: Fraction) -> bool:
    """Return whether the votes present reach the quorum."""
    _check_counts(present=present, entitled=entitled)
    if present > entitled:
        raise ValueError(f"votes present ({present}) exceed the votes entitled ({entitled})")
    return present >= quorum_needed(entitled, share)


def quorum_sentence(present: int, entitled: int, share: Fraction) -> str:
    """Say whether the body has its quorum, e.g. 'quorum: 36 of 51 votes present, 26 needed'."""
    reached = has_quorum(present, entitled, share)
    return (
        f"{'quorum' if reached else 'no quorum'}: {present} of {entitled} votes present, "
        f"{quorum_needed(entitled, share)} needed"
    )


def choose(votes: Mapping[str, int], rule: ChoiceRule) -> Choice:
    """Choose one option by its votes; ties and missed majorities leave no winner."""
    rule = _member(ChoiceRule, rule)
    if not votes:
        raise ValueError("no options to choose among")
    _check_counts(**{f"votes for {option!r}": count for option, count in votes.items()})
    cast = sum(votes.values())
    if not cast:
        return Choice(rule, None, (), 0, "no choice: no votes cast")
    most = max(votes.values())
    leaders = tuple(option for option, count in votes.items() if count == most)
    tied = leaders if len(leaders) > 1 else ()
    counted = f"{most} of {cast} votes cast"
    if rule is ChoiceRule.PLURALITY:
        winner = None if tied else leaders[0]
        needed = ""
    else:
        winner = leaders[0] if 2 * most > cast else None
        needed = f" (more than half needed: {cast // 2 + 1})"
    if winner is not None:
        sentence = f"{winner} chosen: {counted}{needed or ', the most'}"
    elif tied:
        sentence = f"no choice: {_names(tied)} tied with {counted} each{needed}"
    else:
        sentence = f"no choice: {leaders[0]} leads with {counted}{needed}"
    return Choice(rule, winner, tied, cast, sentence)


def knockout(
    formulations: Sequence[str], pairwise_winner: Callable[[str, str], str]
) -> tuple[str, list[Pairing]]:
    """Put formulations against each other in order; return the survivor and every pairing.

    The first formulation meets the second, the winner meets the third, and so on;
    `pairwise_winner(first, second)` holds that vote and returns the formulation preferred.
    """
    if not formulations:
        raise ValueError("no formulations to put against each other")
    repeated = [formulation for formulation, n in Counter(formulations).items() if n > 1]
    if repeated:
        raise ValueError(f"formulation {repeated[0]!r} is listed more than once")
    survivor = formulations[0]
    pairings = []
    for challenger in formulations[1:]:
        winner = pairwise_winner(survivor, challenger)
        if winner not in (survivor, challenger):
            raise ValueError(
                f"the vote between {survivor!r} and {challenger!r} returned {winner!r}, "
                "which is neither"
            )
        pairings.append(Pairing(survivor, challenger, winner))
        survivor = winner
    return survivor, pairings


E = TypeVar("E", bound=enum.StrEnum)


def _member(kind: type[E], value: E) -> E:
    """Return `value` as a member of `kind`, also when given as its plain string value."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in kind)
        raise ValueError(f"unknown {kind.__name__} {value!r}; use one of {choices}") from None


def _rule(rule: Rule | Fraction) -> Rule | Fraction:
    return rule if isinstance(rule, Fraction) else _member(Rule, rule)


def _phrase(rule: Rule | Fraction) -> str:
    if rule is Rule.SIMPLE or rule is Rule.ABSOLUTE:
        return "more than half"
    return f"at least {_WORDS[rule] if isinstance(rule, Rule) else rule}"


def _names(options: Sequence[str]) -> str:
    return f"{', '.join(options[:-1])} and {options[-1]}"


def _check_counts(**counts: int) -> None:
    """Raise unless every count is a non-negative integer."""
    for name, count in counts.items():
        if not isinstance(count, int) or count < 0:
            raise ValueError(
                f"{name.replace('_', ' ')} must be a non-negative integer, not {count!r}"
            )
