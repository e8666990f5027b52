"""Meek STV: keep values iterated until every elected candidate holds just a quota.

Three rule sets are offered:

- ``"prf"``: the Proportional Representation Foundation's reference Meek rule: fixed-point
  arithmetic with 9 decimal places, a vote's share kept by a candidate rounded up, quota
  truncated plus 0.000000001, iteration until the total surplus is below omega = 0.000001,
  one exclusion per round (candidates within the surplus of the lowest are tied, settled by lot).
- ``"nz"``: the New Zealand Local Electoral Regulations 2001, Schedule 1A: the same 9-place
  fixed point and quota, but the weight passed on is also rounded up (clause 10), iteration
  until the total surplus is below 0.0001, and exact ties for exclusion settled by looking back
  at the earliest round where the tied candidates differed, then by lot.
- ``"rational"``: fractions, quota votes / (seats + 1) (reached when exceeded), omega
  10^-10, and sure losers defeated together (as Droop's ``meek`` rule with ``defeat_batch=safe``);
  keep values are rounded up at 40 decimal places so that every count ends.

Identical ballots are grouped, and before each round each distinct ranking is reduced to the
candidates that can still receive part of it (the elected ones in order, up to the first
hopeful); equal reductions are merged, so an iteration costs little however many voters there are.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sovet.counting.profile import Profile, Ranking
from sovet.counting.result import Result, Round, TieBreak, number
from sovet.counting.ties import draw, profile_seed

__all__ = ["VARIANTS", "MeekRound", "meek_stv"]

VARIANTS = ("prf", "nz", "rational")

HOPEFUL, ELECTED, DEFEATED = "hopeful", "elected", "defeated"

Value = Any  # an int scaled by 10^9 (fixed point) or a Fraction (rational)


@dataclass
class MeekRound(Round):
    """A Meek round, with each elected or hopeful candidate's keep value at its end."""

    keep_values: dict[int, Fraction] = field(default_factory=dict)
    iterations: int = 0

    def to_json(self, names: tuple[str, ...]) -> dict[str, Any]:
        data = super().to_json(names)
        data["keep_values"] = {names[c]: number(v) for c, v in self.keep_values.items()}
        data["iterations"] = self.iterations
        return data


@dataclass(frozen=True)
class _Rule:
    """The arithmetic and thresholds of one Meek rule set."""

    name: str
    one: Value
    omega: Value
    exact: bool
    split: Callable[[Value, Value], tuple[Value, Value]]  # (weight, kf) -> (kept, passed on)
    quota: Callable[[Value, int], Value]  # (total vote, seats) -> quota
    next_keep: Callable[[Value, Value, Value], Value]  # (kf, quota, vote) -> new kf
    to_fraction: Callable[[Value], Fraction]
    show: Callable[[Value], str]
    batch_defeat: bool
    ties_within_surplus: bool

    def reached(self, vote: Value, quota: Value) -> bool:
        """Return whether a vote reaches the quota (exceeds it, where the quota is exact)."""
        return bool(vote > quota if self.exact else vote >= quota)

    def converged(self, surplus: Value) -> bool:
        """Return whether the total surplus is small enough to stop iterating."""
        return bool(surplus <= self.omega if self.exact else surplus < self.omega)


SCALE = 10**9


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _show_fixed(value: int) -> str:
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), SCALE)
    return f"{sign}{whole}.{part:09d}"


def _show_rational(value: Fraction) -> str:
    scaled = round(value * 10**12)
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), 10**12)
    return f"{sign}{whole}.{part:012d}"


def _split_prf(weight: int, kf: int) -> tuple[int, int]:
    keep = _ceil_div(weight * kf, SCALE)
    return keep, weight - keep


def _split_nz(weight: int, kf: int) -> tuple[int, int]:
    # Clause 10 rounds up both the part kept and the part passed on.
    return _ceil_div(weight * kf, SCALE), _ceil_div(weight * (SCALE - kf), SCALE)


def _quota_fixed(total: int, seats: int) -> int:
    return total // (seats + 1) + 1


def _next_keep_fixed(kf: int, quota: int, vote: int) -> int:
    return _ceil_div(_ceil_div(kf * quota, SCALE) * SCALE, vote)


def _split_rational(weight: Fraction, kf: Fraction) -> tuple[Fraction, Fraction]:
    keep = weight * kf
    return keep, weight - keep


def _next_keep_rational(kf: Fraction, quota: Fraction, vote: Fraction) -> Fraction:
    # Exact keep values grow in length with every iteration until a count cannot finish;
    # rounding them up at 10^-40 keeps it finite and changes no vote at the 10^-12 shown.
    exact = kf * quota / vote
    return Fraction(_ceil_div(exact.numerator * 10**40, exact.denominator), 10**40)


def _rule(variant: str) -> _Rule:
    """Return the rule set for a variant name."""
    if variant in ("prf", "nz"):
        return _Rule(
            name=variant,
            one=SCALE,
            omega=SCALE // 10**6 if variant == "prf" else SCALE // 10**4,
            exact=False,
            split=_split_prf if variant == "prf" else _split_nz,
            quota=_quota_fixed,
            next_keep=_next_keep_fixed,
            to_fraction=lambda v: Fraction(v, SCALE),
            show=_show_fixed,
            batch_defeat=False,
            ties_within_surplus=variant == "prf",
        )
    if variant == "rational":
        return _Rule(
            name=variant,
            one=Fraction(1),
            omega=Fraction(1, 10**10),
            exact=True,
            split=_split_rational,
            quota=lambda total, seats: Fraction(total) / (seats + 1),
            next_keep=_next_keep_rational,
            to_fraction=Fraction,
            show=_show_rational,
            batch_defeat=True,
            ties_within_surplus=True,
        )
    raise ValueError(f"unknown Meek variant {variant!r}; variants: {', '.join(VARIANTS)}")


class _Paths:
    """Rankings grouped by the candidates that can still receive part of them."""

    def __init__(self, rankings: dict[Ranking, int], status: list[str]) -> None:
        self.status = status
        # path -> [(ranking, weight, index of the path's last candidate in the ranking)]
        self.members: dict[Ranking, list[tuple[Ranking, int, int]]] = {}
        self.weight: dict[Ranking, int] = {}
        for ranking, weight in rankings.items():
            self._add(ranking, weight, 0, ())

    def _add(self, ranking: Ranking, weight: int, start: int, prefix: Ranking) -> None:
        path = list(prefix)
        end = len(ranking) - 1
        for i in range(start, len(ranking)):
            c = ranking[i]
            state = self.status[c]
            if state == DEFEATED:
                continue
            path.append(c)
            if state == HOPEFUL:
                end = i
                break
        key = tuple(path)
        self.members.setdefault(key, []).append((ranking, weight, end))
        self.weight[key] = self.weight.get(key, 0) + weight

    def update(self, changed: set[int]) -> None:
        """Re-walk the rankings whose path ended at a candidate now elected or defeated."""
        for path in [p for p in self.members if p and p[-1] in changed]:
            members = self.members.pop(path)
            del self.weight[path]
            last = path[-1]
            prefix = path if self.status[last] == ELECTED else path[:-1]
            for ranking, weight, end in members:
                if ranking[end] == last:
                    self._add(ranking, weight, end + 1, prefix)
                else:
                    self._add(ranking, weight, end, prefix)


def meek_stv(profile: Profile, *, variant: str = "prf", seed: int | None = None) -> Result:
    """Count a profile by Meek STV under the named rule set ("prf", "nz" or "rational")."""
    rule = _rule(variant)
    n = len(profile.candidates)
    seats = profile.seats
    rankings = {r: w for r, w in profile.effective().items() if r and w}
    valid = sum(rankings.values())
    status = [HOPEFUL] * n
    for c in profile.withdrawn:
        status[c] = DEFEATED
    zero = rule.one - rule.one
    keep = [zero if status[c] == DEFEATED else rule.one for c in range(n)]
    elected: list[int] = []
    rounds: list[Round] = []
    tie_breaks: list[TieBreak] = []
    history: list[dict[int, Value]] = []
    paths = _Paths(rankings, status)
    total_value = valid * rule.one if not rule.exact else Fraction(valid)
    quota: Value = rule.quota(total_value, seats)
    lot_seed = seed

    def hopefuls() -> list[int]:
        return [c for c in range(n) if status[c] == HOPEFUL]

    def distribute() -> list[Value]:
        votes = [zero] * n
        for path, weight in paths.weight.items():
            w = rule.one
            for c in path:
                kept, w = rule.split(w, keep[c])
                votes[c] += kept * weight
                if w <= 0:
                    break
        return votes

    def lot(among: list[int], round_number: int, purpose: str) -> int:
        nonlocal lot_seed
        if lot_seed is None:
            lot_seed = profile_seed(profile)
        tie = draw(among, seed=lot_seed, round=round_number, purpose=purpose)
        tie_breaks.append(tie)
        return tie.chosen

    previous: dict[int, Fraction] = {}
    number_ = 0
    while len(hopefuls()) > seats - len(elected) > 0:
        number_ += 1
        standing = [c for c in range(n) if status[c] in (HOPEFUL, ELECTED)]
        last_surplus: Value = total_value
        iterations = 0
        batch: list[int] = []
        newly: list[int] = []
        while True:
            iterations += 1
            votes = distribute()
            quota = rule.quota(sum((votes[c] for c in standing), zero), seats)
            newly = [c for c in hopefuls() if rule.reached(votes[c], quota)]
            newly.sort(key=lambda c: (-votes[c], c))
            for c in newly:
                status[c] = ELECTED
                elected.append(c)
            surplus = sum((votes[c] - quota for c in elected), zero)
            if not rule.exact and surplus < 0:
                surplus = zero
            if newly:
                why = f"elected after {iterations} iteration(s): reached the quota"
                break
            if rule.converged(surplus):
                why = (
                    f"converged after {iterations} iteration(s); surplus "
                    f"{rule.show(surplus)} < omega {rule.show(rule.omega)}"
                )
                break
            if surplus >= last_surplus:
                why = f"stable after {iterations} iteration(s); surplus {rule.show(surplus)}"
                break
            if rule.batch_defeat:
                batch = _sure_losers(hopefuls(), votes, surplus, seats - len(elected), zero)
                if batch:
                    why = (
                        f"after {iterations} iteration(s) (surplus {rule.show(surplus)}) "
                        "these cannot overtake the next candidate"
                    )
                    break
            last_surplus = surplus
            for c in elected:
                if votes[c] > 0:
                    keep[c] = rule.next_keep(keep[c], quota, votes[c])
        history.append({c: votes[c] for c in standing})

        excluded: list[int] = []
        if newly:
            action = "elect"
        elif batch:
            action = "exclusion"
            excluded = sorted(batch)
            why += "; excluded together as sure losers"
        else:
            action = "exclusion"
            candidates = hopefuls()
            low = min(votes[c] for c in candidates)
            if rule.ties_within_surplus:
                tied = [c for c in candidates if votes[c] <= low + surplus]
            else:
                tied = _look_back([c for c in candidates if votes[c] == low], history)
            if len(tied) > 1:
                chosen = lot(tied, number_, "exclude")
                why += f"; tied for exclusion within the surplus, decided by lot ({len(tied)})"
            else:
                chosen = tied[0]
            excluded = [chosen]
        for c in excluded:
            status[c] = DEFEATED
            keep[c] = zero
        paths.update(set(newly) | set(excluded))

        fractions = {c: rule.to_fraction(votes[c]) for c in standing}
        rounds.append(
            MeekRound(
                number=number_,
                action=action,
                quota=rule.to_fraction(quota),
                votes=fractions,
                transfers={c: v - previous.get(c, v) for c, v in fractions.items()},
                exhausted=Fraction(valid) - sum(fractions.values(), Fraction(0)),
                elected=list(newly),
                excluded=excluded,
                subject=excluded[0] if len(excluded) == 1 else None,
                note=why,
                keep_values={c: rule.to_fraction(keep[c]) for c in standing},
                iterations=iterations,
            )
        )
        previous = fractions

    remaining = hopefuls()
    if remaining:
        if not rounds:
            votes = distribute()
            fractions = {c: rule.to_fraction(votes[c]) for c in remaining}
            rounds.append(
                MeekRound(
                    number=1,
                    action="first preferences",
                    quota=rule.to_fraction(quota),
                    votes=fractions,
                    exhausted=Fraction(valid) - sum(fractions.values(), Fraction(0)),
                    keep_values={c: rule.to_fraction(keep[c]) for c in remaining},
                )
            )
        last = rounds[-1]
        chosen_now = remaining[: max(0, seats - len(elected))]
        for c in remaining:
            if c in chosen_now:
                status[c] = ELECTED
                elected.append(c)
                last.elected.append(c)
            else:
                status[c] = DEFEATED
                last.excluded.append(c)
        if chosen_now:
            last.note += "; elected as the only hopefuls left for the open seats"
        if len(chosen_now) < len(remaining):
            last.note += "; the other hopefuls defeated as all seats are filled"
        last.note = last.note.lstrip("; ")

    return Result(
        method=f"meek-stv:{variant}",
        candidates=profile.candidates,
        seats=seats,
        elected=elected,
        rounds=rounds,
        tie_breaks=tie_breaks,
        valid=valid,
    )


def _sure_losers(
    hopeful: list[int], votes: list[Value], surplus: Value, seats_left: int, zero: Value
) -> list[int]:
    """Return the largest set of lowest hopefuls that cannot together overtake the next one."""
    ordered = sorted(hopeful, key=lambda c: (votes[c], c))
    groups: list[list[int]] = []
    base = zero
    for c in ordered:
        # Candidates within the surplus of each other are never separated.
        if groups and base + surplus >= votes[c]:
            groups[-1].append(c)
        elif not groups and zero + surplus >= votes[c]:
            groups.append([c])
        else:
            groups.append([c])
            base = votes[c]
    most = len(hopeful) - seats_left
    total = zero
    count = 0
    cut = -1
    for g in range(len(groups) - 1):
        count += len(groups[g])
        if count > most:
            break
        total += sum((votes[c] for c in groups[g]), zero)
        if total + surplus < votes[groups[g + 1][0]]:
            cut = g
    return [c for g in groups[: cut + 1] for c in g]


def _look_back(tied: list[int], history: list[dict[int, Value]]) -> list[int]:
    """Narrow an exact tie to those lowest at the earliest round where the tied differed."""
    for votes in history:
        values = {votes.get(c) for c in tied}
        if len(values) > 1 and None not in values:
            low = min(votes[c] for c in tied)
            return [c for c in tied if votes[c] == low]
    return tied
