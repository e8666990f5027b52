"""Proofs read from the store are RFC 6962's PATH and PROOF, verify, and read O(log n) subtrees."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sovet.ledger import (
    MemoryStore,
    consistency_proof,
    consistency_proof_size,
    consistency_reads,
    inclusion_proof,
    inclusion_proof_size,
    inclusion_reads,
    leaf_hash,
    root,
    subtree_levels,
    verify_consistency,
    verify_inclusion,
)
from tests.ledger import naive
from tests.ledger.stores import Fetched, Recording, Uniform

ENTRIES = [f"entry {i}".encode() for i in range(3000)]
LEAF_HASHES = [leaf_hash(entry) for entry in ENTRIES]
# One store of 3000 leaves holds every complete subtree of every smaller tree, too.
STORE = MemoryStore(subtree_levels(LEAF_HASHES))


@st.composite
def trees(draw):
    """A tree size n, an old size 1 <= m <= n, and a leaf index below n."""
    size = draw(st.integers(1, len(ENTRIES)))
    return size, draw(st.integers(1, size)), draw(st.integers(0, size - 1))


def test_every_proof_of_every_tree_up_to_33_leaves_is_the_rfc_one():
    for size in range(1, 34):
        entries = ENTRIES[:size]
        new_root = root(STORE, size)
        assert new_root == naive.mth(entries)
        for index in range(size):
            proof = inclusion_proof(STORE, index, size)
            assert proof == naive.path(index, entries), (index, size)
            assert len(proof) == inclusion_proof_size(index, size)
            verify_inclusion(LEAF_HASHES[index], index, size, proof, new_root)
        for old_size in range(1, size):
            proof = consistency_proof(STORE, old_size, size)
            assert proof == naive.proof(old_size, entries), (old_size, size)
            assert len(proof) == consistency_proof_size(old_size, size)
            verify_consistency(old_size, size, proof, root(STORE, old_size), new_root)


@given(trees())
def test_proofs_are_the_rfc_ones_and_verify(tree):
    size, old_size, index = tree
    entries = ENTRIES[:size]
    new_root = root(STORE, size)
    assert new_root == naive.mth(entries)
    proof = inclusion_proof(STORE, index, size)
    assert proof == naive.path(index, entries)
    verify_inclusion(LEAF_HASHES[index], index, size, proof, new_root)
    proof = consistency_proof(STORE, old_size, size)
    if old_size < size:
        assert proof == naive.proof(old_size, entries)
    verify_consistency(old_size, size, proof, root(STORE, old_size), new_root)


@given(st.integers(1, 2**64 - 1), st.data())
def test_proofs_in_huge_trees_read_few_complete_subtrees_and_verify(size, data):
    """Reads stay within 2 bit_length(n), and never touch a subtree the log has not completed."""
    old_size = data.draw(st.integers(1, size))
    index = data.draw(st.integers(0, size - 1))
    log = Uniform(size)
    new_root = root(log, size)
    store = Recording(log)
    proof = inclusion_proof(store, index, size)
    assert store.reads == inclusion_reads(index, size)
    assert len(store.reads) <= 2 * size.bit_length()
    verify_inclusion(log.levels[0], index, size, proof, new_root)
    store = Recording(log)
    proof = consistency_proof(store, old_size, size)
    assert store.reads == consistency_reads(old_size, size)
    assert len(store.reads) <= 2 * size.bit_length()
    verify_consistency(old_size, size, proof, root(log, old_size), new_root)


def test_proofs_need_only_the_subtrees_their_reads_name():
    """A database store can fetch the named subtrees in one query and prove from those alone."""
    index, old_size, size = 1234, 1000, 2999
    for reads, prove in [
        (inclusion_reads(index, size), lambda store: inclusion_proof(store, index, size)),
        (consistency_reads(old_size, size), lambda store: consistency_proof(store, old_size, size)),
    ]:
        fetched = {address: STORE.get(*address) for address in reads}
        assert prove(Fetched(fetched)) == prove(STORE)


def test_proofs_from_size_0_and_between_equal_sizes_are_empty():
    assert consistency_proof(STORE, 0, 0) == consistency_proof(STORE, 0, 5) == []
    assert consistency_proof(STORE, 5, 5) == []
    assert consistency_reads(0, 5) == consistency_reads(5, 5) == []


def test_proofs_that_cannot_exist_are_refused():
    with pytest.raises(ValueError, match="index 8 is not a leaf of a tree of size 8"):
        inclusion_proof(STORE, 8, 8)
    with pytest.raises(ValueError, match="index -1 is not a leaf of a tree of size 8"):
        inclusion_reads(-1, 8)
    with pytest.raises(ValueError, match="no consistency proof from size 9 to size 8"):
        consistency_proof(STORE, 9, 8)
    with pytest.raises(ValueError, match="no consistency proof from size -1 to size 8"):
        consistency_reads(-1, 8)
