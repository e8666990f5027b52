"""Distinct rankings as arrays: one row per ranking, and how many ballots cast it.

A million ballots of a real election hold a few thousand distinct rankings, an impartial
culture several hundred thousand. As Python tuples in a dict those cost about 150 bytes each
and a second to build; as rows of small integers they cost a dozen bytes and are built and
counted by numpy. Only whole numbers live in these arrays (candidate indices and ballot
counts); every vote value a count compares stays an exact Python integer or fraction.

A row lists candidate indices, most preferred first, padded with `end` (the number of
candidates), and ends with at least one `end`, so a reader walking a row always stops.
"""

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Keys", "RankingTable"]

Ranking = tuple[int, ...]
Rows = npt.NDArray[Any]  # unsigned integers, as narrow as the candidates allow
Counts = npt.NDArray[np.int64]


def _row_type(candidates: int) -> type[np.unsignedinteger[Any]]:
    """The narrowest unsigned type that holds 0..candidates (`end` included)."""
    if candidates < 1 << 8:
        return np.uint8
    if candidates < 1 << 16:
        return np.uint16
    return np.uint32


class RankingTable(Mapping[Ranking, int]):
    """Rankings as the rows of `ranks`, with `counts`; read-only, each ranking once.

    It is the Mapping a Profile expects (ranking tuple -> ballots), so every method that
    walks rankings in Python still can; methods that count in bulk use the arrays.
    """

    def __init__(self, ranks: Rows, counts: Counts, candidates: int) -> None:
        if ranks.ndim != 2 or ranks.shape[0] != counts.shape[0] or ranks.shape[1] < 1:
            raise ValueError("ranks must be a matrix with one row per count and a column")
        self.ranks = ranks
        self.counts = counts
        self.end = candidates
        ranks.flags.writeable = False
        counts.flags.writeable = False

    @classmethod
    def of(cls, ballots: Mapping[Ranking, int], candidates: int) -> "RankingTable":
        """The table of a profile's ballots (itself if it already is one)."""
        if isinstance(ballots, RankingTable) and ballots.end == candidates:
            return ballots
        width = max((len(r) for r in ballots), default=0) + 1
        ranks = np.full((len(ballots), width), candidates, dtype=_row_type(candidates))
        for row, ranking in enumerate(ballots):
            ranks[row, : len(ranking)] = ranking
        counts = np.fromiter(ballots.values(), dtype=np.int64, count=len(ballots))
        return cls(ranks, counts, candidates)

    def problem(self) -> str | None:
        """What makes these rows no profile (a count below 0, a candidate twice, ...), or None."""
        if self.counts.size and int(self.counts.min()) < 0:
            row = int(np.argmin(self.counts))
            return f"ranking {self._tuple(row)} has a negative weight {int(self.counts[row])}"
        if (self.ranks[:, -1] != self.end).any() or (self.ranks > self.end).any():
            return f"a ranking names a candidate outside 0..{self.end - 1}"
        if ((self.ranks[:, 1:] != self.end) & (self.ranks[:, :-1] == self.end)).any():
            return "a ranking has a gap: candidates after its end"
        repeats = np.flatnonzero(self._repeats())
        if repeats.size:
            return f"ranking {self._tuple(int(repeats[0]))} names a candidate twice"
        return None

    def _repeats(self) -> npt.NDArray[np.bool_]:
        """Which rows name a candidate twice."""
        ranked = self.ranks != self.end
        if self.end <= 64:
            # k different powers of two add up to k one-bits; a repeat carries and has fewer.
            bits = np.zeros(self.ranks.shape[0], dtype=np.uint64)
            for column, used in zip(self.ranks.T, ranked.T, strict=True):
                bits += np.where(used, np.uint64(1) << column.astype(np.uint64), np.uint64(0))
            repeated: npt.NDArray[np.bool_] = np.bitwise_count(bits) != ranked.sum(axis=1)
            return repeated
        ordered = np.sort(self.ranks, axis=1)
        twice = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] != self.end)
        repeated = twice.any(axis=1)
        return repeated

    def total(self) -> int:
        """How many ballots the table holds."""
        return int(self.counts.sum(dtype=np.int64))

    def _tuple(self, row: int) -> Ranking:
        values = self.ranks[row].tolist()
        return tuple(values[: values.index(self.end)])

    @cached_property
    def _rankings(self) -> list[Ranking]:
        end, found = self.end, []
        for values in self.ranks.tolist():
            found.append(tuple(values[: values.index(end)]))
        return found

    @cached_property
    def _lookup(self) -> dict[Ranking, int]:
        return dict(zip(self._rankings, self.counts.tolist(), strict=True))

    def __getitem__(self, ranking: Ranking) -> int:
        return self._lookup[ranking]

    def __iter__(self) -> Iterator[Ranking]:
        return iter(self._rankings)

    def __len__(self) -> int:
        return int(self.counts.shape[0])

    def items(self) -> Any:  # an ItemsView in spirit: pairs in row order, without lookups
        return zip(self._rankings, self.counts.tolist(), strict=True)

    def values(self) -> Any:
        return self.counts.tolist()


def _grouped(keys: npt.NDArray[np.uint64], counts: Counts) -> tuple[npt.NDArray[np.uint64], Counts]:
    """Each key once, in order, with its counts added up."""
    if bool((counts == 1).all()):  # ballots one per line: sorting the keys alone is enough
        keys = np.sort(keys)
        first = _firsts(keys)
        return keys[first], np.diff(first, append=keys.size).astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    first = _firsts(keys)
    return keys[first], np.add.reduceat(counts, first)


def _firsts(ordered: npt.NDArray[np.uint64]) -> Counts:
    """Where each run of equal keys starts in a sorted array."""
    return np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))


class Keys:
    """Rankings folded into one unsigned 64-bit key each, merged as they stream in.

    Candidate c (0-based) is the digit c + 1 in base 2**bits, the first preference lowest;
    0 marks the end. A ranking longer than `capacity` has no key. Keys are grouped (equal keys
    summed) whenever the waiting ones outnumber the merged, so memory stays within a small
    multiple of the distinct rankings.
    """

    def __init__(self, candidates: int) -> None:
        self.candidates = candidates
        self.bits = candidates.bit_length()
        self.capacity = 64 // self.bits
        self.keys: npt.NDArray[np.uint64] = np.zeros(0, dtype=np.uint64)
        self.counts: Counts = np.zeros(0, dtype=np.int64)
        self.waiting: list[tuple[npt.NDArray[np.uint64], Counts]] = []
        self.waiting_rows = 0
        self.ballots = 0  # as a Python integer, which cannot overflow

    def add(self, keys: npt.NDArray[np.uint64], counts: Counts) -> None:
        """Take keys with their ballot counts (copied: the caller may reuse its arrays)."""
        if not keys.size:
            return
        self.ballots += int(counts.sum(dtype=np.int64))
        self.waiting.append((keys.copy(), counts.copy()))
        self.waiting_rows += int(keys.size)
        if self.waiting_rows > max(1 << 16, self.keys.size):
            self._merge()

    @property
    def rows(self) -> int:
        """How many keys have been taken (before grouping)."""
        return int(self.keys.size) + self.waiting_rows

    def add_rankings(self, rankings: Mapping[Ranking, int]) -> dict[Ranking, int]:
        """Take the rankings that have keys; return the others (too long for one)."""
        longer: dict[Ranking, int] = {}
        keys, counts = [], []
        for ranking, count in rankings.items():
            if len(ranking) > self.capacity:
                longer[ranking] = count
            else:
                keys.append(sum((c + 1) << (self.bits * at) for at, c in enumerate(ranking)))
                counts.append(count)
        self.add(np.array(keys, dtype=np.uint64), np.array(counts, dtype=np.int64))
        return longer

    def _merge(self) -> None:
        if not self.waiting:
            return
        keys, counts = _grouped(
            np.concatenate([k for k, _ in self.waiting]),
            np.concatenate([c for _, c in self.waiting]),
        )
        self.waiting, self.waiting_rows = [], 0
        if self.keys.size:
            union = np.sort(np.concatenate([self.keys, keys]))
            union = union[_firsts(union)]
            total = np.zeros(union.size, dtype=np.int64)
            # Both sides hold each key once, so each adds to distinct places.
            total[np.searchsorted(union, self.keys)] += self.counts
            total[np.searchsorted(union, keys)] += counts
            keys, counts = union, total
        self.keys, self.counts = keys, counts

    def table(self, longer: Mapping[Ranking, int] | None = None) -> RankingTable:
        """The table of every key, and of `longer` rankings (those with no key) after them.

        The counts are summed in 64-bit integers: a caller checks `ballots` first (a profile
        holds at most MOST_BALLOTS, far below the limit, so no sum can have wrapped around).
        """
        self._merge()
        longer = longer or {}
        width = max([0, *(len(r) for r in longer)])
        mask = np.uint64((1 << self.bits) - 1)
        # The key with the most digits is the largest: its length is the longest ranking's.
        used = -(-int(self.keys.max(initial=0)).bit_length() // self.bits)
        width = max(width, used) + 1
        end = self.candidates
        ranks = np.full(
            (self.keys.size + len(longer), width), end, dtype=_row_type(self.candidates)
        )
        for at in range(used):
            digit = (self.keys >> np.uint64(self.bits * at)) & mask
            ranks[: self.keys.size, at] = np.where(digit == 0, end + 1, digit) - 1
        for row, ranking in enumerate(longer, self.keys.size):
            ranks[row, : len(ranking)] = ranking
        counts = np.concatenate(
            [self.counts, np.fromiter(longer.values(), dtype=np.int64, count=len(longer))]
        )
        return RankingTable(ranks, counts, end)
