"""The three hashes of RFC 6962 and the fold that joins complete subtrees into a root."""

import hashlib
from collections.abc import Sequence

__all__ = [
    "DIGEST_SIZE",
    "EMPTY_ROOT",
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "fold",
    "leaf_hash",
    "node_hash",
]

DIGEST_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# Distinct prefixes keep a leaf from ever hashing like an inner node (second-preimage defence).
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """Return the hash of a leaf whose content is `data`."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of the inner node whose children hash to `left` and `right`."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def fold(digests: Sequence[bytes]) -> bytes:
    """Join the roots of adjacent subtrees, given left to right, as the tree joins them.

    The tree of a range splits off its largest power of two first, so the rightmost subtrees are
    joined first: the result is node(d0, node(d1, ... node(d[-2], d[-1]))).
    """
    result = digests[-1]
    for digest in reversed(digests[:-1]):
        result = node_hash(digest, result)
    return result
