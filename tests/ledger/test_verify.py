"""Verifiers reject every change to a proof, and say what is wrong with malformed input."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sovet.ledger import (
    EMPTY_ROOT,
    MemoryStore,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    subtree_levels,
    verify_consistency,
    verify_inclusion,
)

LEAF_HASHES = [leaf_hash(f"entry {i}".encode()) for i in range(1500)]
STORE = MemoryStore(subtree_levels(LEAF_HASHES))
LEAF_5 = LEAF_HASHES[5]
PATH_5 = inclusion_proof(STORE, 5, 8)
PROOF_6_8 = consistency_proof(STORE, 6, 8)
ROOT_6, ROOT_8 = root(STORE, 6), root(STORE, 8)


def flip(digest: bytes, bit: int) -> bytes:
    """The digest with one bit inverted."""
    return (int.from_bytes(digest, "big") ^ 1 << bit).to_bytes(len(digest), "big")


@st.composite
def inclusions(draw):
    """Arguments of a valid inclusion: leaf hash, index, size, proof, root."""
    size = draw(st.integers(1, len(LEAF_HASHES)))
    index = draw(st.integers(0, size - 1))
    return [LEAF_HASHES[index], index, size, inclusion_proof(STORE, index, size), root(STORE, size)]


@st.composite
def consistencies(draw):
    """Arguments of a valid consistency, 0 < m <= n: old size, new size, proof, both roots."""
    size = draw(st.integers(1, len(LEAF_HASHES)))
    old_size = draw(st.integers(1, size))
    proof = consistency_proof(STORE, old_size, size)
    return [old_size, size, proof, root(STORE, old_size), root(STORE, size)]


def with_one_bit_flipped(args: list, proof_at: int, hashes_at: list[int], data) -> list:
    """The arguments with one bit inverted in one hash: one of `hashes_at`, or one in the proof."""
    proof = args[proof_at]
    targets = [(at, None) for at in hashes_at] + [
        (proof_at, number) for number in range(len(proof))
    ]
    at, number = data.draw(st.sampled_from(targets))
    bit = data.draw(st.integers(0, 255))
    changed = list(args)
    if number is None:
        changed[at] = flip(args[at], bit)
    else:
        changed[at] = [*proof[:number], flip(proof[number], bit), *proof[number + 1 :]]
    return changed


def one_hash_more_or_less(proof: list[bytes], data) -> list[list[bytes]]:
    """The proof with a hash inserted anywhere, and (if it has any) with one removed."""
    at = data.draw(st.integers(0, len(proof)))
    extra = data.draw(st.binary(min_size=32, max_size=32))
    changed = [[*proof[:at], extra, *proof[at:]]]
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        changed.append(proof[:at] + proof[at + 1 :])
    return changed


@given(inclusions(), st.data())
def test_one_flipped_bit_breaks_an_inclusion_proof(args, data):
    verify_inclusion(*args)
    with pytest.raises(ProofError, match="root does not match"):
        verify_inclusion(*with_one_bit_flipped(args, 3, [0, 4], data))


@given(consistencies(), st.data())
def test_one_flipped_bit_breaks_a_consistency_proof(args, data):
    verify_consistency(*args)
    with pytest.raises(ProofError, match=r"root does not match|roots differ"):
        verify_consistency(*with_one_bit_flipped(args, 2, [3, 4], data))


@given(inclusions(), st.data())
def test_an_inclusion_proof_one_hash_longer_or_shorter_is_refused(args, data):
    leaf, index, size, proof, tree_root = args
    for changed in one_hash_more_or_less(proof, data):
        with pytest.raises(ProofError, match=f"^proof has {len(changed)} hash"):
            verify_inclusion(leaf, index, size, changed, tree_root)


@given(consistencies(), st.data())
def test_a_consistency_proof_one_hash_longer_or_shorter_is_refused(args, data):
    old_size, size, proof, old_root, new_root = args
    for changed in one_hash_more_or_less(proof, data):
        with pytest.raises(ProofError, match=f"^proof has {len(changed)} hash"):
            verify_consistency(old_size, size, changed, old_root, new_root)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((LEAF_5[:31], 5, 8, PATH_5, ROOT_8), "the leaf hash is 31 bytes, not 32"),
        ((LEAF_5, 5, 8, PATH_5, b""), "the root is 0 bytes, not 32"),
        (
            (LEAF_5, 5, 8, [PATH_5[0], PATH_5[1][:31], PATH_5[2]], ROOT_8),
            "hash 2 of 3 in the proof is 31 bytes, not 32",
        ),
        ((LEAF_5, -1, 8, PATH_5, ROOT_8), "index -1 is negative"),
        ((LEAF_5, 9, 8, PATH_5, ROOT_8), "index 9 is not below size 8"),
        ((LEAF_5, 8, 8, PATH_5, ROOT_8), "index 8 is not below size 8"),
        ((LEAF_5, 0, 0, [], EMPTY_ROOT), "index 0 is not below size 0"),
        ((LEAF_5, 5, 8, PATH_5[:2], ROOT_8), "proof has 2 hashes; index 5 of size 8 needs 3"),
        ((LEAF_5, 0, 1, PATH_5[:1], LEAF_5), "proof has 1 hash; index 0 of size 1 needs 0"),
        (
            (LEAF_5, 5, 8, PATH_5, ROOT_6),
            f"root does not match: the proof leads to {ROOT_8.hex()}, not {ROOT_6.hex()}",
        ),
        ((LEAF_HASHES[4], 5, 8, PATH_5, ROOT_8), "root does not match"),
    ],
)
def test_inclusion_errors_name_what_is_wrong(args, message):
    with pytest.raises(ProofError, match=f"^{re.escape(message)}"):
        verify_inclusion(*args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((6, 8, PROOF_6_8, ROOT_6[:31], ROOT_8), "the old root is 31 bytes, not 32"),
        ((6, 8, PROOF_6_8, ROOT_6, ROOT_8 + b"!"), "the new root is 33 bytes, not 32"),
        (
            (6, 8, [*PROOF_6_8[:2], b""], ROOT_6, ROOT_8),
            "hash 3 of 3 in the proof is 0 bytes, not 32",
        ),
        ((-1, 8, PROOF_6_8, ROOT_6, ROOT_8), "old size -1 is negative"),
        ((9, 8, PROOF_6_8, ROOT_6, ROOT_8), "old size 9 is larger than new size 8"),
        ((6, 8, PROOF_6_8[1:], ROOT_6, ROOT_8), "proof has 2 hashes; size 6 to size 8 needs 3"),
        ((8, 8, PROOF_6_8, ROOT_8, ROOT_8), "proof has 3 hashes; size 8 to size 8 needs 0"),
        ((0, 8, PROOF_6_8, EMPTY_ROOT, ROOT_8), "proof has 3 hashes; size 0 to size 8 needs 0"),
        ((8, 8, [], ROOT_6, ROOT_8), "both trees have size 8, but their roots differ"),
        (
            (6, 8, PROOF_6_8, ROOT_8, ROOT_8),
            f"old root does not match: the proof leads to {ROOT_6.hex()}, not {ROOT_8.hex()}",
        ),
        (
            (6, 8, PROOF_6_8, ROOT_6, ROOT_6),
            f"new root does not match: the proof leads to {ROOT_8.hex()}, not {ROOT_6.hex()}",
        ),
    ],
)
def test_consistency_errors_name_what_is_wrong(args, message):
    with pytest.raises(ProofError, match=f"^{re.escape(message)}"):
        verify_consistency(*args)


def test_consistency_from_the_empty_tree_needs_the_empty_root_and_no_proof():
    """The rule the package docstring states: the empty tree is a prefix of every tree."""
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(0, 8, [], EMPTY_ROOT, ROOT_8)
    message = f"the old root is {ROOT_6.hex()}, but the empty tree's root is {EMPTY_ROOT.hex()}"
    with pytest.raises(ProofError, match=f"^{re.escape(message)}$"):
        verify_consistency(0, 8, [], ROOT_6, ROOT_8)
    with pytest.raises(ProofError, match=r"^both trees have size 0, but their roots differ$"):
        verify_consistency(0, 0, [], EMPTY_ROOT, ROOT_8)


def test_a_proof_error_is_a_value_error():
    assert issubclass(ProofError, ValueError)
