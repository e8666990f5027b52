"""Single transferable vote by the weighted inclusive Gregory method: Scottish STV and WIGM.

Both count parcels of identical papers (one per distinct ranking, since papers with the same
ranking always travel together), never single ballots. Scottish STV follows the Scottish Local
Government Elections Order 2007 (SSI 2007/42), schedule 1 rules 45-52, in integer units of
1/100000; WIGM follows the Droop package's generic `wigm` rule with exact fractions, or the PR
Foundation's reference WIGM when given a fixed-point `precision`.
"""

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from sovet.counting.parcels import Parcels
from sovet.counting.profile import Profile
from sovet.counting.result import Result, Round, TieBreak
from sovet.counting.ties import draw, profile_seed

__all__ = ["scottish_stv", "wigm"]

Value = int | Fraction
HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2
SCOTTISH_PLACES = 5


def _show(value: Fraction, places: int = SCOTTISH_PLACES) -> str:
    """Format a value for a note: whole numbers bare, others rounded to `places` decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    scaled = round(value * 10**places)
    sign, scaled = ("-" if scaled < 0 else ""), abs(scaled)
    whole, part = divmod(scaled, 10**places)
    return f"{sign}{whole}.{part:0{places}d}"


class _Count:
    """The state of one count: parcels, who holds them, votes, and the rounds so far.

    A parcel is one distinct ranking's papers, which always travel together. Its papers carry
    a value class (`kind`, an index into `worth`, the exact value of one paper), so moving
    parcels is array work on whole numbers and the votes are summed exactly, class by class.
    """

    def __init__(self, profile: Profile, *, scale: int, seed: int | None) -> None:
        self.names = profile.candidates
        self.seats = profile.seats
        self.scale = scale  # values are integers in units of 1/scale, or fractions when 1
        self.profile = profile
        self.seed = seed  # drawn from the profile only when a lot is needed
        self.state = [
            EXCLUDED if c in profile.withdrawn else HOPEFUL for c in range(len(self.names))
        ]
        self.standing = [c not in profile.withdrawn for c in range(len(self.names))]
        self.parcels = Parcels(profile)
        self.end = self.parcels.end
        self.kind = np.zeros(self.parcels.papers.size, dtype=np.int64)
        self.worth: list[Value] = [scale]
        self.kinds: dict[Value, int] = {scale: 0}
        held = self.parcels.papers_held(np.arange(self.parcels.papers.size))
        self.votes: list[Value] = [int(papers) * scale for papers in held[: self.end].tolist()]
        self.valid = self.parcels.valid
        self.quota: Value = 0
        self.exhausted: Value = 0  # papers with no further preference, and truncation loss
        self.elected: list[int] = []
        self.pending: list[int] = []  # elected, surplus not yet transferred
        self.history: list[list[Value]] = []  # votes at the end of each stage
        self.rounds: list[Round] = []
        self.tie_breaks: list[TieBreak] = []

    def _kind(self, value: Value) -> int:
        """The value class of papers worth `value` each."""
        kind = self.kinds.get(value)
        if kind is None:
            kind = self.kinds[value] = len(self.worth)
            self.worth.append(value)
        return kind

    def fraction(self, value: Value) -> Fraction:
        """Return a value in votes."""
        return Fraction(value, self.scale) if self.scale != 1 else Fraction(value)

    def show(self, value: Value) -> str:
        """Format a value in votes for a note."""
        return _show(self.fraction(value))

    def hopeful(self) -> list[int]:
        """Return the continuing candidates: neither elected nor excluded."""
        return [c for c, state in enumerate(self.state) if state == HOPEFUL]

    def seats_left(self) -> int:
        """Return how many seats are still unfilled."""
        return self.seats - len(self.elected)

    def move(
        self, parcels: npt.NDArray[np.int64], reweight: Callable[[Value], Value] | None
    ) -> tuple[dict[int, Value], Value]:
        """Pass parcels to their next continuing preference; return gains and newly exhausted."""
        if reweight is not None:
            renamed = np.arange(len(self.worth))
            for kind in np.unique(self.kind[parcels]).tolist():
                renamed[kind] = self._kind(reweight(self.worth[kind]))
            self.kind[parcels] = renamed[self.kind[parcels]]
        self.parcels.advance(parcels, [state == HOPEFUL for state in self.state])
        kinds = len(self.worth)
        papers = self.parcels.papers_held(parcels, self.kind[parcels], kinds)
        gains: dict[int, Value] = {}
        exhausted: Value = 0
        for cell in np.flatnonzero(papers).tolist():
            candidate, kind = divmod(cell, kinds)
            amount = int(papers[cell]) * self.worth[kind]
            if candidate == self.end:
                exhausted += amount
            else:
                gains[candidate] = gains.get(candidate, 0) + amount
        for candidate, gain in gains.items():
            self.votes[candidate] += gain
        self.exhausted += exhausted
        return gains, exhausted

    def transfer_surplus(
        self, candidate: int, reweight: Callable[[Value, Value, Value], Value]
    ) -> tuple[dict[int, Value], Value, Value]:
        """Transfer all of a candidate's papers at reduced values; return gains, surplus, loss."""
        self.pending.remove(candidate)
        vote = self.votes[candidate]
        surplus = vote - self.quota
        gains, exhausted = self.move(
            self.parcels.pile(candidate), lambda worth: reweight(worth, surplus, vote)
        )
        lost = surplus - sum(gains.values(), exhausted)
        self.exhausted += lost
        self.votes[candidate] = self.quota
        gains[candidate] = -surplus
        return gains, surplus, lost

    def exclude(self, candidate: int) -> dict[int, Value]:
        """Exclude a candidate and pass on all its papers at their current values."""
        pile = self.parcels.pile(candidate)
        self.state[candidate] = EXCLUDED
        gains, _ = self.move(pile, None)
        gains[candidate] = -self.votes[candidate]
        self.votes[candidate] = 0
        return gains

    def record(
        self,
        action: str,
        *,
        subject: int | None = None,
        transfers: dict[int, Value] | None = None,
        excluded: list[int] | None = None,
        note: str = "",
    ) -> Round:
        """Close a stage: keep its tallies for later tie-breaks and add it to the rounds."""
        self.history.append(list(self.votes))
        stage = Round(
            number=len(self.rounds) + 1,
            action=action,
            quota=self.fraction(self.quota),
            votes={
                c: self.fraction(self.votes[c])
                for c, state in enumerate(self.state)
                if state != EXCLUDED and self.standing[c]
            },
            transfers={c: self.fraction(v) for c, v in (transfers or {}).items()},
            exhausted=self.fraction(self.exhausted),
            excluded=excluded or [],
            subject=subject,
            note=note,
        )
        self.rounds.append(stage)
        return stage

    def elect_reaching(
        self, reached: Callable[[Value], bool], *, surplus_if: bool, verb: str = "reached"
    ) -> None:
        """Elect, highest vote first, the continuing candidates who reach the quota now."""
        newly = sorted(
            (c for c in self.hopeful() if reached(self.votes[c])),
            key=lambda c: (-self.votes[c], c),
        )
        for candidate in newly:
            self.state[candidate] = ELECTED
            self.elected.append(candidate)
            if surplus_if or self.votes[candidate] > self.quota:
                self.pending.append(candidate)
        if newly:
            stage = self.rounds[-1]
            stage.elected.extend(newly)
            names = ", ".join(self.names[c] for c in newly)
            said = f"{names} elected: {verb} the quota of {self.show(self.quota)}"
            stage.note = f"{stage.note}; {said}" if stage.note else said

    def exclude_lowest(self, settle: Callable[[list[int]], tuple[int, str]]) -> None:
        """Exclude the continuing candidate with the fewest votes; `settle` decides a tie."""
        hopeful = self.hopeful()
        low = min(self.votes[c] for c in hopeful)
        tied = [c for c in hopeful if self.votes[c] == low]
        candidate, how = (tied[0], "") if len(tied) == 1 else settle(tied)
        gains = self.exclude(candidate)
        self.record(
            "exclusion",
            subject=candidate,
            transfers=gains,
            excluded=[candidate],
            note=self.exclusion_note(candidate, low, how, len(tied)),
        )

    def lot(self, tied: list[int], purpose: str) -> tuple[int, str]:
        """Choose one of several tied candidates by seeded lot and keep the draw."""
        if self.seed is None:  # hashing every ranking costs more than most counts
            self.seed = profile_seed(self.profile)
        tie_break = draw(tied, seed=self.seed, round=len(self.rounds) + 1, purpose=purpose)
        self.tie_breaks.append(tie_break)
        return tie_break.chosen, "by lot"

    def look_back(self, tied: list[int], *, highest: bool, purpose: str) -> tuple[int, str]:
        """Settle a tie by the most recent earlier stage where the tied differed, then by lot.

        Where a stage separates only some of them (two share the extreme), the rest drop out and
        the look-back continues among those who still share it.
        """
        stage = len(self.history)
        for votes in reversed(self.history):
            stage -= 1
            extreme = (max if highest else min)(votes[c] for c in tied)
            narrowed = [c for c in tied if votes[c] == extreme]
            if len(narrowed) == 1:
                return narrowed[0], f"by the votes at stage {stage + 1}"
            tied = narrowed
        return self.lot(tied, purpose)

    def remaining(self) -> None:
        """Elect every continuing candidate when they are no more than the seats left."""
        hopeful = self.hopeful()
        if self.seats_left() <= 0 or not hopeful or len(hopeful) > self.seats_left():
            return
        hopeful.sort(key=lambda c: (-self.votes[c], c))
        self.record(
            "elected remaining",
            note=f"{', '.join(self.names[c] for c in hopeful)} elected: continuing candidates "
            f"({len(hopeful)}) no more than vacancies ({self.seats_left()})",
        )
        for candidate in hopeful:
            self.state[candidate] = ELECTED
            self.elected.append(candidate)
        self.rounds[-1].elected.extend(hopeful)

    def result(self, method: str) -> Result:
        """Return the finished count."""
        return Result(
            method=method,
            candidates=self.names,
            seats=self.seats,
            elected=list(self.elected),
            rounds=self.rounds,
            tie_breaks=self.tie_breaks,
            valid=self.valid,
        )

    def surplus_note(self, candidate: int, surplus: Value, vote: Value, lost: Value) -> str:
        """Describe a surplus transfer: its size and the value a whole paper now carries."""
        per_paper = self.fraction(self.scale) * self.fraction(surplus) / self.fraction(vote)
        if self.scale != 1:
            per_paper = Fraction(int(per_paper * self.scale), self.scale)
        note = (
            f"{self.names[candidate]}'s surplus of {self.show(surplus)} transferred "
            f"at {_show(per_paper)}"
        )
        if lost:
            note += f" ({self.show(lost)} lost to truncation, counted as non-transferable)"
        return note

    def exclusion_note(self, candidate: int, votes: Value, how: str, tied: int) -> str:
        """Describe an exclusion and how any tie for fewest votes was settled."""
        note = f"{self.names[candidate]} excluded: fewest votes ({self.show(votes)})"
        if tied > 1:
            note += f", tied with {tied - 1} other(s), settled {how}"
        return note


def _truncated(worth: Value, surplus: Value, vote: Value) -> Value:
    """Return a paper's Scottish transfer value: value * surplus / total votes, truncated."""
    return worth * surplus // vote


def scottish_stv(profile: Profile, *, seed: int | None = None) -> Result:
    """Count by the Scottish Local Government Elections Order 2007, schedule 1 rules 45-52."""
    scale = 10**SCOTTISH_PLACES
    count = _Count(profile, scale=scale, seed=seed)
    count.quota = (count.valid // (profile.seats + 1) + 1) * scale  # rule 46
    count.record(
        "first preferences",
        note=f"valid poll {count.valid}; quota {count.show(count.quota)} "
        f"= floor({count.valid} / {profile.seats + 1}) + 1",
    )

    def reached(vote: Value) -> bool:
        return vote >= count.quota  # rule 47(1)

    def complete() -> bool:
        return count.seats_left() <= 0 or len(count.hopeful()) <= count.seats_left()

    count.elect_reaching(reached, surplus_if=False)
    while not complete():
        if count.pending:  # rule 49: the largest surplus first
            high = max(count.votes[c] for c in count.pending)
            tied = [c for c in count.pending if count.votes[c] == high]
            candidate, how = (
                (tied[0], "")
                if len(tied) == 1
                else count.look_back(tied, highest=True, purpose="surplus")
            )
            vote = count.votes[candidate]
            gains, surplus, lost = count.transfer_surplus(candidate, _truncated)  # rule 48(3)
            note = count.surplus_note(candidate, surplus, vote, lost)
            if how:
                note += f"; equal largest surplus with {len(tied) - 1} other(s), chosen {how}"
            count.record("surplus", subject=candidate, transfers=gains, note=note)
        else:  # rules 50 and 51
            count.exclude_lowest(
                lambda tied: count.look_back(tied, highest=False, purpose="exclude")
            )
            if complete():  # rule 52: the continuing candidates fill what is left, unranked
                break
        count.elect_reaching(reached, surplus_if=False)
    count.remaining()  # rule 52(1)
    return count.result("scottish-stv")


def wigm(profile: Profile, *, seed: int | None = None, precision: int | None = None) -> Result:
    """Count by the weighted inclusive Gregory method, exactly or at a fixed `precision`.

    Without `precision` this is Droop's generic WIGM with rational arithmetic: quota
    valid / (seats + 1), elected on exceeding it. With `precision` p it is the PR Foundation's
    reference WIGM: values in units of 10**-p, quota valid / (seats + 1) + 10**-p truncated,
    elected on reaching it. Ties for surplus order or exclusion go to lot.
    """
    scale = 1 if precision is None else 10**precision
    count = _Count(profile, scale=scale, seed=seed)
    seats = profile.seats
    if precision is None:
        count.quota = Fraction(count.valid, seats + 1)

        def reached(vote: Value) -> bool:
            return vote > count.quota

        def reweight(worth: Value, surplus: Value, vote: Value) -> Value:
            return Fraction(worth) * surplus / vote

        quota_note = f"quota {count.show(count.quota)} = {count.valid} / {seats + 1}"
    else:
        count.quota = count.valid * scale // (seats + 1) + 1

        def reached(vote: Value) -> bool:
            return vote >= count.quota

        def reweight(worth: Value, surplus: Value, vote: Value) -> Value:
            # fixed-point multiply (truncated) and then divide (truncated), as the PRF rule does
            return worth * surplus // scale * scale // vote

        quota_note = (
            f"quota {_show(count.fraction(count.quota), precision)} "
            f"= {count.valid} / {seats + 1} + 10^-{precision}, truncated"
        )
    count.record("first preferences", note=f"valid poll {count.valid}; {quota_note}")

    while len(count.hopeful()) > count.seats_left() > 0:
        # The exact rule elects on exceeding the quota, the fixed-point one on reaching it.
        count.elect_reaching(
            reached, surplus_if=True, verb="exceeded" if precision is None else "reached"
        )
        if count.pending:
            high = max(count.votes[c] for c in count.pending)
            tied = [c for c in count.pending if count.votes[c] == high]
            candidate, how = (tied[0], "") if len(tied) == 1 else count.lot(tied, "surplus")
            vote = count.votes[candidate]
            gains, surplus, lost = count.transfer_surplus(candidate, reweight)
            note = count.surplus_note(candidate, surplus, vote, lost)
            if how:
                note += f"; equal largest surplus with {len(tied) - 1} other(s), chosen {how}"
            count.record("surplus", subject=candidate, transfers=gains, note=note)
        else:
            count.exclude_lowest(lambda tied: count.lot(tied, "exclude"))
    count.remaining()
    return count.result("wigm")
