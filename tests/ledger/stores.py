"""Stores for tests: one that records reads, one of prefetched hashes, one for a huge log."""

from sovet.ledger import leaf_hash, node_hash
from sovet.ledger.tree import Address, SubtreeStore


class Recording:
    """Pass reads through to a store, noting each address."""

    def __init__(self, store: SubtreeStore) -> None:
        self.store = store
        self.reads: list[Address] = []

    def get(self, level: int, index: int) -> bytes:
        self.reads.append((level, index))
        return self.store.get(level, index)


class Fetched:
    """Only the subtrees fetched beforehand, as a database store would fetch them in one query."""

    def __init__(self, hashes: dict[Address, bytes]) -> None:
        self.hashes = hashes

    def get(self, level: int, index: int) -> bytes:
        return self.hashes[level, index]


class Uniform:
    """A log of `size` identical leaves, for any size up to 2**64, without storing anything.

    Every complete subtree of a level has the same hash, so each is computed on demand; a read of
    a subtree that is not yet complete in a log of `size` leaves fails the test, because a real
    store would not have it.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.levels = [leaf_hash(b"the same entry")]
        while len(self.levels) < 65:
            self.levels.append(node_hash(self.levels[-1], self.levels[-1]))

    def get(self, level: int, index: int) -> bytes:
        assert index >= 0, f"read ({level}, {index})"
        assert (index + 1) << level <= self.size, f"read ({level}, {index}) beyond {self.size}"
        return self.levels[level]
