"""The ledger: RFC 6962 / RFC 9162 Merkle trees over an organization's record.

A plain Python package: it imports nothing from Django and nothing outside the standard library,
so anyone can check a proof with this docstring as the specification.

Hashing (SHA-256, 32-byte digests):

- the empty tree: ``SHA-256(b"")``;
- a leaf: ``SHA-256(0x00 || data)``;
- an inner node: ``SHA-256(0x01 || left || right)``;
- the tree of n > 1 leaves splits at k, the largest power of two strictly below n: its root is
  ``node(root of leaves [0, k), root of leaves [k, n))``.

Every node of such a tree is either complete (2**level leaves starting at a multiple of 2**level,
stored once under ``(level, index)`` and never changed as the log grows) or on the right edge of
the tree, whose root is rebuilt from the complete subtrees along the binary decomposition of its
size, folded from right to left.

Proofs are lists of 32-byte hashes ordered from the leaf towards the root, exactly as in RFC 6962
§2.1.1 (inclusion: PATH) and §2.1.2 (consistency: PROOF), verified as in RFC 9162 §2.1.3.2 and
§2.1.4.2. An inclusion proof of leaf ``index`` in a tree of ``size`` leaves has
``inner + popcount(index >> inner)`` hashes, where ``inner = bit_length(index XOR (size - 1))``.
A consistency proof from size m to size n (0 < m < n) has ``inner - low + popcount((m - 1) >>
inner)`` hashes, plus one when m is not a power of two, where ``low`` is the number of trailing
zero bits of m and ``inner = bit_length((m - 1) XOR (n - 1))``. A proof of any other length is
rejected before any hashing.

Consistency from size 0 and between equal sizes, which RFC 9162 leaves undefined (it covers
0 < m < n only):

- m == n: the proof is empty, and the trees are consistent if and only if the roots are equal;
- m == 0: the proof is empty, and the trees are consistent if and only if the old root is the
  empty-tree hash ``SHA-256(b"")``. The empty tree is a prefix of every tree, so there is nothing
  to prove, and a monitor that first saw a log while it was empty (every record starts so) moves
  on to its next tree head like any other; insisting on the empty-tree hash keeps a made-up old
  tree head from passing. Some verifiers (transparency-dev/merkle) refuse every proof from
  size 0 instead; this is the one case where this package accepts what they refuse.

Every hash a verifier is given (leaf hash, roots, each proof hash) must be exactly 32 bytes.
"""

from sovet.ledger.hashing import DIGEST_SIZE, EMPTY_ROOT, leaf_hash, node_hash
from sovet.ledger.proofs import (
    consistency_proof,
    consistency_proof_size,
    consistency_reads,
    inclusion_proof,
    inclusion_proof_size,
    inclusion_reads,
)
from sovet.ledger.tree import (
    Address,
    MemoryStore,
    Node,
    SubtreeStore,
    append,
    append_reads,
    extend,
    root,
    root_from_leaves,
    root_reads,
    subtree_levels,
)
from sovet.ledger.verify import ProofError, verify_consistency, verify_inclusion

__all__ = [
    "DIGEST_SIZE",
    "EMPTY_ROOT",
    "Address",
    "MemoryStore",
    "Node",
    "ProofError",
    "SubtreeStore",
    "append",
    "append_reads",
    "consistency_proof",
    "consistency_proof_size",
    "consistency_reads",
    "extend",
    "inclusion_proof",
    "inclusion_proof_size",
    "inclusion_reads",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_leaves",
    "root_reads",
    "subtree_levels",
    "verify_consistency",
    "verify_inclusion",
]
