"""Checking proofs as RFC 9162 §2.1.3.2 and §2.1.4.2 do, saying what is wrong when they fail.

The input is untrusted: every hash must be 32 bytes and the proof exactly as long as the sizes
require, both checked before any hashing. With the length right, the RFC's checks that the walk
ends exactly at the root (sn reaching 0 with the last hash, never before) always hold, so the
walks below leave them out, and with them the one step that only serves them: once fn equals
sn, the RFC shifts both until fn is odd, which keeps them equal, so every later hash is a left
sibling either way.
"""

from collections.abc import Sequence

from sovet.ledger.hashing import DIGEST_SIZE, EMPTY_ROOT, node_hash
from sovet.ledger.proofs import consistency_proof_size, inclusion_proof_size

__all__ = ["ProofError", "verify_consistency", "verify_inclusion"]


class ProofError(ValueError):
    """A proof that does not hold; the message says what is wrong with it."""


def _check_digest(digest: bytes, name: str) -> None:
    if len(digest) != DIGEST_SIZE:
        raise ProofError(f"{name} is {len(digest)} bytes, not {DIGEST_SIZE}")


def _check_proof_digests(proof: Sequence[bytes]) -> None:
    for number, digest in enumerate(proof, start=1):
        _check_digest(digest, f"hash {number} of {len(proof)} in the proof")


def _check_proof_length(proof: Sequence[bytes], needed: int, what: str) -> None:
    if len(proof) != needed:
        count = "1 hash" if len(proof) == 1 else f"{len(proof)} hashes"
        raise ProofError(f"proof has {count}; {what} needs {needed}")


def _mismatch(name: str, computed: bytes, given: bytes) -> ProofError:
    return ProofError(
        f"{name} does not match: the proof leads to {computed.hex()}, not {given.hex()}"
    )


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that `proof` puts `leaf_hash` at `index` in the tree of `size` leaves with `root`.

    Raise ProofError, saying why, if it does not.
    """
    _check_digest(leaf_hash, "the leaf hash")
    _check_digest(root, "the root")
    _check_proof_digests(proof)
    if index < 0:
        raise ProofError(f"index {index} is negative")
    if index >= size:
        raise ProofError(f"index {index} is not below size {size}")
    _check_proof_length(proof, inclusion_proof_size(index, size), f"index {index} of size {size}")
    computed = _inclusion_root(leaf_hash, index, size, proof)
    if computed != root:
        raise _mismatch("root", computed, root)


def _inclusion_root(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Walk up from the leaf as RFC 9162 §2.1.3.2 does (fn: our node, sn: the last node).

    While fn and sn differ, fn's parity says on which side the sibling is; from the level where
    they meet (the right edge of the tree), every sibling is on the left.
    """
    fn, sn = index, size - 1
    result = leaf_hash
    for sibling in proof:
        if fn % 2 == 1 or fn == sn:
            result = node_hash(sibling, result)
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return result


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check that `proof` shows the tree of `old_size` leaves a prefix of that of `new_size`.

    Raise ProofError, saying why, if it does not. From size 0 and between equal sizes the proof
    must be empty (see the package docstring for why).
    """
    _check_digest(old_root, "the old root")
    _check_digest(new_root, "the new root")
    _check_proof_digests(proof)
    if old_size < 0:
        raise ProofError(f"old size {old_size} is negative")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    needed = consistency_proof_size(old_size, new_size)
    _check_proof_length(proof, needed, f"size {old_size} to size {new_size}")
    if old_size == 0 and old_root != EMPTY_ROOT:
        raise ProofError(
            f"the old root is {old_root.hex()}, but the empty tree's root is {EMPTY_ROOT.hex()}"
        )
    if old_size == new_size and old_root != new_root:
        raise ProofError(f"both trees have size {old_size}, but their roots differ")
    if old_size in (0, new_size):
        return
    computed_old, computed_new = _consistency_roots(old_size, new_size, proof, old_root)
    if computed_old != old_root:
        raise _mismatch("old root", computed_old, old_root)
    if computed_new != new_root:
        raise _mismatch("new root", computed_new, new_root)


def _consistency_roots(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes
) -> tuple[bytes, bytes]:
    """Rebuild both roots from the proof as RFC 9162 §2.1.4.2 does (0 < old_size < new_size)."""
    # An old tree of 2**k leaves is itself the complete subtree the proof starts from.
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    fn, sn = old_size - 1, new_size - 1
    # The levels inside that subtree have no proof hashes.
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    old = new = path[0]
    for sibling in path[1:]:
        if fn % 2 == 1 or fn == sn:
            old, new = node_hash(sibling, old), node_hash(sibling, new)
        else:
            new = node_hash(new, sibling)
        fn, sn = fn >> 1, sn >> 1
    return old, new
