"""Growing a Merkle tree and reading its roots from stored complete subtrees.

A complete subtree of 2**level leaves starting at leaf index * 2**level never changes once its
last leaf is in, so it is hashed once, stored under (level, index), and read back whenever a root
or a proof needs it: appending reads and writes O(log n) hashes, a root reads at most log2(n) + 1.
"""

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from sovet.ledger.hashing import DIGEST_SIZE, EMPTY_ROOT, NODE_PREFIX, fold, node_hash

__all__ = [
    "Address",
    "MemoryStore",
    "Node",
    "SubtreeStore",
    "append",
    "append_reads",
    "decompose",
    "extend",
    "range_root",
    "root",
    "root_from_leaves",
    "root_reads",
    "subtree_levels",
]

Address = tuple[int, int]
"""A complete subtree as (level, index): leaves [index * 2**level, (index + 1) * 2**level)."""


Node = tuple[int, int, bytes]
"""A complete subtree and its hash, as a store keeps it: (level, index, digest)."""


class SubtreeStore(Protocol):
    """Where the hashes of complete subtrees are kept, e.g. in memory or in a database table.

    Nothing here writes to a store: `append` returns the nodes to keep, so that a database store
    saves them in the same transaction as the entry they belong to.
    """

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of the complete subtree at (level, index), or raise LookupError."""
        ...


class MemoryStore:
    """Complete-subtree hashes in one list per level, for logs that fit in memory.

    Nodes of a level complete from left to right, so a level only ever grows at its end.
    """

    def __init__(self, levels: list[list[bytes]] | None = None) -> None:
        self.levels: list[list[bytes]] = [] if levels is None else levels

    def get(self, level: int, index: int) -> bytes:
        """Return the hash at (level, index); raise LookupError if it is not stored."""
        if not 0 <= level < len(self.levels) or not 0 <= index < len(self.levels[level]):
            raise LookupError(f"no complete subtree at level {level}, index {index}")
        return self.levels[level][index]

    def put(self, level: int, index: int, digest: bytes) -> None:
        """Store the hash of the next complete subtree of `level`."""
        while len(self.levels) <= level:
            self.levels.append([])
        row = self.levels[level]
        if index != len(row):
            raise ValueError(f"level {level} holds {len(row)} subtrees, so the next is {len(row)}")
        row.append(digest)


def decompose(start: int, end: int) -> list[Address]:
    """Return the complete subtrees that leaves [start, end) split into, left to right.

    The range must be a node of some tree: `start` a multiple of a power of two at least
    `end - start` (true of [0, n) and of every sibling in a proof). Then the tree splits it along
    the binary digits of its length, highest first, and every part is a complete subtree.
    """
    parts = []
    length = end - start
    for level in reversed(range(length.bit_length())):
        if length >> level & 1:
            parts.append((level, start >> level))
            start += 1 << level
    return parts


def range_root(store: SubtreeStore, start: int, end: int) -> bytes:
    """Return the root of the tree of leaves [start, end), a range as `decompose` takes it."""
    return fold([store.get(level, index) for level, index in decompose(start, end)])


def _check_size(size: int) -> None:
    if size < 0:
        raise ValueError(f"size {size} is negative")


def root_reads(size: int) -> list[Address]:
    """Return the complete subtrees `root` reads, so that a store can fetch them at once."""
    _check_size(size)
    return decompose(0, size)


def root(store: SubtreeStore, size: int) -> bytes:
    """Return the root of the tree of the first `size` leaves the store has seen."""
    _check_size(size)
    return range_root(store, 0, size) if size else EMPTY_ROOT


def append_reads(size: int) -> list[Address]:
    """Return the complete subtrees `append` reads: the left siblings the new leaf completes.

    Leaf `size` completes one parent for each trailing one bit of `size`, that is, for each
    trailing zero bit of `size + 1`.
    """
    _check_size(size)
    completed = ((size + 1) & -(size + 1)).bit_length() - 1
    return [(level, (size >> level) - 1) for level in range(completed)]


def append(store: SubtreeStore, size: int, leaf_hash: bytes) -> list[Node]:
    """Return the complete subtrees that appending `leaf_hash` to a tree of `size` leaves adds.

    The leaf itself comes first, then each parent it completes, lowest first. The store is only
    read; the caller stores the nodes, in the same transaction as the entry.
    """
    if len(leaf_hash) != DIGEST_SIZE:
        raise ValueError(f"the leaf hash is {len(leaf_hash)} bytes, not {DIGEST_SIZE}")
    nodes: list[Node] = [(0, size, leaf_hash)]
    digest = leaf_hash
    for level, index in append_reads(size):
        digest = node_hash(store.get(level, index), digest)
        nodes.append((level + 1, size >> (level + 1), digest))
    return nodes


class _Frontier(dict[Address, bytes]):
    """The subtrees an `extend` knows: the frontier it started from and what it has added."""

    def get(self, level: int, index: int) -> bytes:  # type: ignore[override]
        return self[level, index]


def extend(
    frontier: Sequence[bytes], size: int, leaf_hashes: Iterable[bytes]
) -> tuple[list[Node], list[bytes]]:
    """Append leaves to a tree known only by its frontier; return the new nodes and frontier.

    The frontier of a tree of `size` leaves is the hashes of `root_reads(size)`, left to right:
    all that appending reads, so a database can keep it beside the tree's size and read both in
    the statement that locks them, instead of fetching stored subtrees.
    """
    addresses = root_reads(size)
    if len(frontier) != len(addresses):
        raise ValueError(
            f"a tree of {size} leaves has a frontier of {len(addresses)} hashes, "
            f"not {len(frontier)}"
        )
    known = _Frontier(zip(addresses, frontier, strict=True))
    nodes: list[Node] = []
    for digest in leaf_hashes:
        for level, index, node in append(known, size, digest):
            known[level, index] = node
            nodes.append((level, index, node))
        size += 1
    return nodes, [known[address] for address in root_reads(size)]


def _parents(row: Sequence[bytes]) -> list[bytes]:
    """Hash each pair of adjacent nodes; an unpaired last node has no parent yet.

    Copying a hasher that has already taken the 0x01 prefix saves a concatenation per node, which
    is most of the Python overhead left once the loop runs in C.
    """
    primed = hashlib.sha256(NODE_PREFIX).copy
    parents = []
    pairs = iter(row)
    for left, right in zip(pairs, pairs, strict=False):
        hasher = primed()
        hasher.update(left)
        hasher.update(right)
        parents.append(hasher.digest())
    return parents


def _rows(leaf_hashes: Sequence[bytes]) -> Iterator[Sequence[bytes]]:
    """Yield the complete subtrees of each level, leaves first, holding one level at a time."""
    row = leaf_hashes
    while row:
        yield row
        row = _parents(row)


def subtree_levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Return every complete subtree of the tree of `leaf_hashes`: levels[level][index].

    Hashes a whole level per step, to rebuild or check a large log at nearly the speed of hashlib;
    `MemoryStore(subtree_levels(leaf_hashes))` holds what `append` would have stored.
    """
    return [list(row) for row in _rows(leaf_hashes)]


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the root of the tree of `leaf_hashes`, keeping only one level in memory.

    A level with an odd number of complete subtrees ends in one that has no sibling yet: that is
    the part of the root's decomposition at this level.
    """
    parts = [row[-1] for row in _rows(leaf_hashes) if len(row) % 2]
    if not parts:
        return EMPTY_ROOT
    return fold(parts[::-1])
