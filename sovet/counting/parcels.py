"""Parcels: each distinct ranking's papers, which always travel together, and who holds them.

The counts that pass papers on (STV, instant runoff) keep a parcel's position in its ranking
and the candidate holding it in arrays, so that passing a candidate's pile on is array work on
whole numbers, however many parcels there are. The votes themselves are summed by the count, in
exact integers or fractions, from the papers these arrays add up.
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sovet.counting.profile import Profile
from sovet.counting.table import RankingTable

__all__ = ["Parcels"]

Index = npt.NDArray[np.int64]


class Parcels:
    """The non-blank parcels of a profile, each held by its first preference not withdrawn."""

    def __init__(self, profile: Profile) -> None:
        table = RankingTable.of(profile.ballots, len(profile.candidates))
        self.end = table.end  # the holder of papers with no preference left
        self.ranks = table.ranks
        self.papers = table.counts
        self.position = np.full(self.papers.size, -1, dtype=np.int64)
        self.holder = np.full(self.papers.size, self.end, dtype=np.int64)
        standing = [c not in profile.withdrawn for c in range(self.end)]
        self.advance(np.arange(self.papers.size), standing)
        # Blank papers, and papers that rank only withdrawn candidates, are not in the poll.
        counted = np.flatnonzero((self.holder != self.end) & (self.papers > 0))
        if counted.size < self.papers.size:
            self.ranks, self.papers = self.ranks[counted], self.papers[counted]
            self.position, self.holder = self.position[counted], self.holder[counted]
        self.valid = int(self.papers.sum(dtype=np.int64))

    def advance(self, parcels: Index, continuing: Sequence[bool]) -> None:
        """Move parcels to their next continuing preference, or to `end` when none is left."""
        stops = np.array([*continuing, True])
        at = self.position[parcels] + 1
        held = self.ranks[parcels, at].astype(np.int64)
        going = np.flatnonzero(~stops[held])
        while going.size:  # every row ends with `end`, which stops
            at[going] += 1
            held[going] = self.ranks[parcels[going], at[going]]
            going = going[~stops[held[going]]]
        self.position[parcels] = at
        self.holder[parcels] = held

    def pile(self, candidate: int) -> Index:
        """The parcels a candidate holds."""
        return np.flatnonzero(self.holder == candidate)

    def papers_held(self, parcels: Index, kinds: Index | None = None, of: int = 1) -> Index:
        """Papers of `parcels` per holder (the last is `end`), or per holder and kind.

        With `kinds` (each parcel's class among `of`), cell holder * of + kind.
        """
        cells = self.holder[parcels] if kinds is None else self.holder[parcels] * of + kinds
        papers = np.zeros((self.end + 1) * of, dtype=np.int64)
        np.add.at(papers, cells, self.papers[parcels])
        return papers

    def papers_ranking(self) -> Index:
        """Papers per candidate (the last is `end`) of the parcels that rank them at all."""
        papers = np.zeros(self.end + 1, dtype=np.int64)
        for place in self.ranks.T:
            np.add.at(papers, place, self.papers)
        return papers
