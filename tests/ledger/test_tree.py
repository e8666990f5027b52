"""Growing the tree: appending one leaf at a time, in bulk, and reading roots of any size."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sovet.ledger import (
    EMPTY_ROOT,
    MemoryStore,
    append,
    append_reads,
    extend,
    leaf_hash,
    root,
    root_from_leaves,
    root_reads,
    subtree_levels,
)
from tests.ledger import naive
from tests.ledger.stores import Recording, Uniform

ENTRIES = [f"entry {i}".encode() for i in range(1100)]
LEAF_HASHES = [leaf_hash(entry) for entry in ENTRIES]


def grown(leaf_hashes: list[bytes]) -> MemoryStore:
    """A store filled the way a log fills it: one append at a time."""
    store = MemoryStore()
    for size, leaf in enumerate(leaf_hashes):
        for node in append(store, size, leaf):
            store.put(*node)
    return store


GROWN = grown(LEAF_HASHES)


def test_empty_tree():
    assert root(MemoryStore(), 0) == EMPTY_ROOT == naive.mth([])
    assert root_from_leaves([]) == EMPTY_ROOT
    assert subtree_levels([]) == MemoryStore().levels == []


def test_appending_gives_the_recursive_root_at_every_size_past_1024():
    store = MemoryStore()
    for size, leaf in enumerate(LEAF_HASHES):
        for node in append(store, size, leaf):
            store.put(*node)
        assert root(store, size + 1) == naive.mth(ENTRIES[: size + 1]), size + 1


@given(st.lists(st.binary(max_size=40), max_size=150))
def test_appending_gives_the_recursive_root_at_every_size(entries):
    store = MemoryStore()
    for size, entry in enumerate(entries):
        for node in append(store, size, leaf_hash(entry)):
            store.put(*node)
        assert root(store, size + 1) == naive.mth(entries[: size + 1])
    assert store.levels == subtree_levels([leaf_hash(entry) for entry in entries])


@given(st.integers(0, len(ENTRIES)))
def test_a_grown_store_keeps_the_root_of_every_earlier_size(size):
    assert root(GROWN, size) == naive.mth(ENTRIES[:size])


def test_bulk_levels_are_what_appending_stores():
    for size in range(70):
        assert subtree_levels(LEAF_HASHES[:size]) == grown(LEAF_HASHES[:size]).levels, size
    assert subtree_levels(LEAF_HASHES) == GROWN.levels


def frontier(store: MemoryStore, size: int) -> list[bytes]:
    return [store.get(level, index) for level, index in root_reads(size)]


@given(st.integers(0, 300), st.integers(0, 140))
def test_extending_a_frontier_adds_what_appending_adds(size, added):
    nodes, after = extend(frontier(GROWN, size), size, LEAF_HASHES[size : size + added])
    appended = [
        node for n in range(size, size + added) for node in append(GROWN, n, LEAF_HASHES[n])
    ]
    assert nodes == appended
    assert after == frontier(GROWN, size + added)


def test_extending_one_leaf_at_a_time_keeps_the_root():
    store, known = MemoryStore(), []
    for size, leaf in enumerate(LEAF_HASHES[:200]):
        nodes, known = extend(known, size, [leaf])
        for node in nodes:
            store.put(*node)
        assert root(store, size + 1) == naive.mth(ENTRIES[: size + 1])


def test_extend_refuses_a_frontier_of_the_wrong_length():
    with pytest.raises(ValueError, match="a tree of 3 leaves has a frontier of 2 hashes, not 1"):
        extend(LEAF_HASHES[:1], 3, [])


@given(st.lists(st.binary(max_size=40), max_size=300))
def test_root_from_leaves_is_the_recursive_root(entries):
    assert root_from_leaves([leaf_hash(entry) for entry in entries]) == naive.mth(entries)


def test_append_returns_the_leaf_then_each_completed_parent():
    store = grown(LEAF_HASHES[:7])
    nodes = append(store, 7, LEAF_HASHES[7])
    assert [(level, index) for level, index, _ in nodes] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert nodes[0][2] == LEAF_HASHES[7]
    assert nodes[-1][2] == naive.mth(ENTRIES[:8])
    assert append_reads(7) == [(0, 6), (1, 2), (2, 0)]
    assert [(level, index) for level, index, _ in append(store, 6, LEAF_HASHES[6])] == [(0, 6)]


@given(st.integers(0, 2**64 - 2))
def test_append_reads_only_complete_left_siblings(size):
    store = Recording(Uniform(size))
    nodes = append(store, size, leaf_hash(b"the same entry"))
    assert store.reads == append_reads(size)
    assert len(nodes) == len(store.reads) + 1 <= size.bit_length() + 1
    for level, index, _ in nodes:
        assert (index + 1) << level == size + 1


@given(st.integers(0, 2**64 - 1))
def test_a_root_reads_one_subtree_per_binary_digit_of_the_size(size):
    store = Recording(Uniform(size))
    root(store, size)
    assert store.reads == root_reads(size)
    assert len(store.reads) == size.bit_count()


def test_memory_store_refuses_gaps_and_reports_missing_subtrees():
    store = grown(LEAF_HASHES[:3])
    with pytest.raises(ValueError, match="level 1 holds 1 subtrees, so the next is 1"):
        store.put(1, 2, LEAF_HASHES[0])
    with pytest.raises(LookupError, match="no complete subtree at level 1, index 1"):
        store.get(1, 1)
    with pytest.raises(LookupError, match="no complete subtree at level 0, index -1"):
        store.get(0, -1)
    with pytest.raises(LookupError, match="no complete subtree at level 5, index 0"):
        store.get(5, 0)
    with pytest.raises(LookupError, match="no complete subtree at level -1, index 0"):
        store.get(-1, 0)


def test_append_refuses_a_leaf_hash_of_the_wrong_length():
    with pytest.raises(ValueError, match="the leaf hash is 31 bytes, not 32"):
        append(MemoryStore(), 0, bytes(31))


def test_negative_sizes_are_refused():
    with pytest.raises(ValueError, match="size -1 is negative"):
        root(MemoryStore(), -1)
    with pytest.raises(ValueError, match="size -1 is negative"):
        append(MemoryStore(), -1, LEAF_HASHES[0])
