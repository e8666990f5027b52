"""Inclusion and consistency proofs (RFC 6962 §2.1.1 and §2.1.2) read from stored subtrees.

Each proof hash is the root of a sibling on the way from a node up to the root: a complete
subtree, read once, or the single sibling on the tree's right edge, folded from the complete
subtrees along its size. A proof thus reads at most 2 * bit_length(n) stored hashes.
"""

from sovet.ledger.tree import Address, SubtreeStore, decompose, range_root

__all__ = [
    "consistency_proof",
    "consistency_proof_size",
    "consistency_reads",
    "inclusion_proof",
    "inclusion_proof_size",
    "inclusion_reads",
]

Range = tuple[int, int]


def _siblings(index: int, size: int, low: int) -> list[Range]:
    """Return the leaf ranges of the siblings of leaf `index`'s ancestors, from level `low` up.

    Below level `inner` the ancestors of `index` and of the last leaf differ, so every ancestor
    has a sibling; the sibling at level inner - 1 lies on the right edge of the tree and may be
    incomplete. From `inner` up the ancestors are those of the last leaf, and only those that
    are right children have a sibling (a left child on the right edge has none: the tree
    promotes it).
    """
    inner = (index ^ (size - 1)).bit_length()
    ranges = []
    for level in range(low, inner):
        start = ((index >> level) ^ 1) << level
        ranges.append((start, min(start + (1 << level), size)))
    for level in range(inner, size.bit_length()):
        if index >> level & 1:
            start = ((index >> level) - 1) << level
            ranges.append((start, start + (1 << level)))
    return ranges


def _inclusion_ranges(index: int, size: int) -> list[Range]:
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not a leaf of a tree of size {size}")
    return _siblings(index, size, 0)


def _consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """Return the ranges of RFC 6962 SUBPROOF(old_size, D[new_size], true), leaf to root.

    The old tree's last leaves form a complete subtree of 2**low leaves, low being the number of
    trailing zero bits of old_size. The proof is that subtree (unless it is the whole old tree,
    whose root the verifier has) and then its siblings on the way up the new tree.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    low = (old_size & -old_size).bit_length() - 1
    last = old_size - (1 << low)
    first = [] if last == 0 else [(last, old_size)]
    return first + _siblings(old_size - 1, new_size, low)


def _reads(ranges: list[Range]) -> list[Address]:
    return [address for start, end in ranges for address in decompose(start, end)]


def inclusion_reads(index: int, size: int) -> list[Address]:
    """Return the complete subtrees `inclusion_proof` reads, for a store to fetch at once."""
    return _reads(_inclusion_ranges(index, size))


def inclusion_proof(store: SubtreeStore, index: int, size: int) -> list[bytes]:
    """Return the audit path of leaf `index` in the tree of the first `size` leaves."""
    return [range_root(store, start, end) for start, end in _inclusion_ranges(index, size)]


def consistency_reads(old_size: int, new_size: int) -> list[Address]:
    """Return the complete subtrees `consistency_proof` reads, for a store to fetch at once."""
    return _reads(_consistency_ranges(old_size, new_size))


def consistency_proof(store: SubtreeStore, old_size: int, new_size: int) -> list[bytes]:
    """Return the proof that the tree of `old_size` leaves is a prefix of that of `new_size`.

    Empty when the sizes are equal or the old tree is empty (see the package docstring).
    """
    return [range_root(store, s, e) for s, e in _consistency_ranges(old_size, new_size)]


def inclusion_proof_size(index: int, size: int) -> int:
    """Return how many hashes prove leaf `index` in a tree of `size` leaves (0 <= index < size)."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_proof_size(old_size: int, new_size: int) -> int:
    """Return how many hashes prove a tree of `old_size` leaves a prefix of one of `new_size`."""
    if old_size in (0, new_size):
        return 0
    low = (old_size & -old_size).bit_length() - 1
    inner = ((old_size - 1) ^ (new_size - 1)).bit_length()
    first = 0 if old_size == 1 << low else 1
    return first + inner - low + ((old_size - 1) >> inner).bit_count()
