"""A ballot profile: candidates, seats, and each distinct ranking with how many voters cast it.

Counting works on distinct rankings, never on single ballots, so its cost grows with the number
of different rankings rather than with the number of voters. The rankings are a dict of tuples,
or a `RankingTable` (the same Mapping, held as arrays) when a reader or a count needs bulk.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sovet.counting.table import RankingTable

__all__ = ["MOST_BALLOTS", "Profile", "ProfileError", "group"]

MOST_BALLOTS = 2**62  # ballot counts are summed in 64-bit integers


class ProfileError(ValueError):
    """A profile that cannot be counted; the message says what to fix."""


Ranking = tuple[int, ...]


@dataclass(frozen=True)
class Profile:
    """Candidates by index (0-based), seats, and rankings (most preferred first) with weights.

    A ranking lists candidate indices without repeats; the empty ranking is a blank ballot
    (it counts in the valid poll of no method and is kept only so that totals add up).
    `withdrawn` candidates are skipped wherever they appear, as if not on the ballot.
    """

    candidates: tuple[str, ...]
    seats: int
    ballots: Mapping[Ranking, int]
    withdrawn: frozenset[int] = field(default_factory=frozenset)
    title: str = ""

    def __post_init__(self) -> None:
        n = len(self.candidates)
        if n == 0:
            raise ProfileError("a profile needs at least one candidate")
        if self.seats < 1:
            raise ProfileError(f"seats must be at least 1, not {self.seats}")
        problem = (
            _table_problem(self.ballots, n)
            if isinstance(self.ballots, RankingTable)
            else _problem(self.ballots, n)
        )
        if problem is not None:
            raise ProfileError(problem)
        if self.voters > MOST_BALLOTS:
            raise ProfileError(f"{self.voters} ballots are more than Sovet counts (2**62)")
        if any(not 0 <= c < n for c in self.withdrawn):
            raise ProfileError("a withdrawn candidate is outside the candidate list")

    @property
    def voters(self) -> int:
        """How many ballots the profile holds, blank ones included."""
        if isinstance(self.ballots, RankingTable):
            return self.ballots.total()
        return sum(self.ballots.values())

    @property
    def continuing(self) -> list[int]:
        """Candidates standing: all but the withdrawn."""
        return [c for c in range(len(self.candidates)) if c not in self.withdrawn]

    def effective(self) -> dict[Ranking, int]:
        """Rankings with withdrawn candidates removed and equal rankings merged."""
        if not self.withdrawn:
            return dict(self.ballots)
        return group(
            (tuple(c for c in ranking if c not in self.withdrawn), weight)
            for ranking, weight in self.ballots.items()
        )


def _problem(ballots: Mapping[Ranking, int], candidates: int) -> str | None:
    """What makes these rankings no profile of `candidates`, or None."""
    for ranking, weight in ballots.items():
        if weight < 0:
            return f"ranking {ranking} has a negative weight {weight}"
        if not ranking:
            continue
        if len(set(ranking)) != len(ranking):
            return f"ranking {ranking} names a candidate twice"
        if min(ranking) < 0 or max(ranking) >= candidates:
            return f"ranking {ranking} names a candidate outside 0..{candidates - 1}"
    return None


def _table_problem(table: RankingTable, candidates: int) -> str | None:
    if table.end != candidates:
        return f"the rankings are of {table.end} candidates, not {candidates}"
    return table.problem()


def group(rankings: Iterable[tuple[Ranking, int]]) -> dict[Ranking, int]:
    """Merge equal rankings, adding their weights."""
    grouped: dict[Ranking, int] = {}
    for ranking, weight in rankings:
        grouped[ranking] = grouped.get(ranking, 0) + weight
    return grouped
