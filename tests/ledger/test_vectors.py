"""Every case of the public vectors in ../shared/data/rfc6962 (its README names the sources).

Roots and complete subtrees are reproduced; every valid proof is accepted and is exactly what our
generators produce; every probe meant to fail is rejected. Where our documented rules (32-byte
hashes, consistency from size 0) part from a source, the test says so and asserts our rule.
"""

from collections.abc import Callable, Sequence
from typing import Any

from sovet.ledger import (
    EMPTY_ROOT,
    MemoryStore,
    ProofError,
    append,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_leaves,
    subtree_levels,
    verify_consistency,
    verify_inclusion,
)
from tests.ledger import naive

Vectors = dict[str, Any]

HASHER: dict[str, Callable[[dict[str, str]], bytes]] = {
    "empty_root": lambda case: EMPTY_ROOT,
    "hash_leaf": lambda case: leaf_hash(bytes.fromhex(case["leaf_hex"])),
    "hash_children": lambda case: node_hash(
        bytes.fromhex(case["left_hex"]), bytes.fromhex(case["right_hex"])
    ),
}

# Probes below are keyed by their path under testdata/consistency/.
# transparency-dev/merkle rejects every consistency proof from size 0; we accept one only with an
# empty proof and the empty tree's root as the old root (package docstring). Each of its probes
# from size 0 breaks our rule too, for the reason named here; none is rejected for its size alone.
TD_FROM_SIZE_0 = {
    "1/size1-sub-@1.json": "proof has 3 hashes; size 0 to size 8 needs 0",
    "3/size1-XOR-@2.json": "proof has 2 hashes; size 0 to size 5 needs 0",
    "additional/consistency-check-on-empty-tree-size1-is-zero-is-useless.json": (
        "proof has 1 hash; size 0 to size 1 needs 0"
    ),
    "additional/roots-do-not-match-and-sizes-are-zero.json": ("the new root is 12 bytes, not 32"),
    "additional/size1-is-zero-and-does-not-equal-size2.json": ("the old root is 12 bytes, not 32"),
    "additional/size1-is-zero-and-size2-is-not-zero.json": ("the new root is 12 bytes, not 32"),
    "additional/sizes-are-equal-zero-and-proof-is-empty.json": ("the old root is 12 bytes, not 32"),
    "additional/sizes-are-equal-zero-but-roots-are-not.json": ("the old root is 12 bytes, not 32"),
    "additional/sizes-match-but-proof-is-not-empty-and-sizes-are-zero.json": (
        "proof has 1 hash; size 0 to size 0 needs 0"
    ),
}

# transparency-dev/merkle accepts equal sizes with equal roots of any length (here 12 bytes). We
# refuse any hash that is not 32 bytes before comparing anything: a SHA-256 tree has no other.
TD_VALID_BUT_NOT_32_BYTES = {
    "additional/sizes-are-equal-one-and-proof-is-empty.json": ("the old root is 12 bytes, not 32"),
}


def hexes(values: Sequence[str] | None) -> list[bytes]:
    """Hashes from hex; the sources write an empty proof as null or as []."""
    return [bytes.fromhex(value) for value in values or []]


def rejection(verify: Callable[..., None], *args: Any) -> str | None:
    """The verifier's reason for refusing, or None if it accepts."""
    try:
        verify(*args)
    except ProofError as error:
        return str(error)
    return None


def grown(leaf_hashes: list[bytes]) -> MemoryStore:
    store = MemoryStore()
    for size, leaf in enumerate(leaf_hashes):
        for node in append(store, size, leaf):
            store.put(*node)
    return store


def td_tree(vectors: Vectors) -> tuple[list[bytes], MemoryStore]:
    entries = [bytes.fromhex(data) for data in vectors["td_reference_tree"]["leaf_inputs_hex"]]
    return entries, grown([leaf_hash(entry) for entry in entries])


def cctv_store(vectors: Vectors) -> MemoryStore:
    heads = vectors["cctv"]["tree_heads"]
    return grown([leaf_hash(head["leaf_data"].encode()) for head in heads])


def test_td_hasher(vectors):
    for case in vectors["td_hasher"]["cases"]:
        assert HASHER[case["op"]](case).hex() == case["want"], case["desc"]


def test_td_reference_tree_roots_at_every_size(vectors):
    entries, store = td_tree(vectors)
    leaf_hashes = [leaf_hash(entry) for entry in entries]
    wanted = vectors["td_reference_tree"]["root_hashes"]
    assert len(wanted) == len(entries) + 1
    for size, want in enumerate(wanted):
        assert root(store, size).hex() == want, size
        assert root_from_leaves(leaf_hashes[:size]).hex() == want, size
        assert naive.mth(entries[:size]).hex() == want, size


def test_td_reference_tree_complete_subtrees(vectors):
    entries, store = td_tree(vectors)
    wanted = vectors["td_reference_tree"]["node_hashes"]
    assert [[digest.hex() for digest in level] for level in store.levels] == wanted
    levels = subtree_levels([leaf_hash(entry) for entry in entries])
    assert [[digest.hex() for digest in level] for level in levels] == wanted


def test_td_reference_proofs_are_ours_and_verify(vectors):
    _, store = td_tree(vectors)
    for case in vectors["td_reference_proofs"]["inclusion"]:
        index, size, proof = case["leaf_index"], case["tree_size"], hexes(case["proof"])
        assert inclusion_proof(store, index, size) == proof, case
        verify_inclusion(bytes.fromhex(case["leaf_hash"]), index, size, proof, root(store, size))
        assert root(store, size).hex() == case["root"]
    for case in vectors["td_reference_proofs"]["consistency"]:
        old_size, size, proof = case["size1"], case["size2"], hexes(case["proof"])
        assert consistency_proof(store, old_size, size) == proof, case
        old_root, new_root = bytes.fromhex(case["root1"]), bytes.fromhex(case["root2"])
        verify_consistency(old_size, size, proof, old_root, new_root)
        assert (old_root, new_root) == (root(store, old_size), root(store, size))


def test_td_inclusion_probes(vectors):
    _, store = td_tree(vectors)
    for probe in vectors["td_probes"]["inclusion"]:
        leaf, tree_root = bytes.fromhex(probe["leafHash"]), bytes.fromhex(probe["root"])
        index, size, proof = probe["leafIdx"], probe["treeSize"], hexes(probe["proof"])
        reason = rejection(verify_inclusion, leaf, index, size, proof, tree_root)
        if probe["want_error"]:
            assert reason is not None, probe["path"]
            continue
        assert reason is None, (probe["path"], reason)
        # The valid probes are the reference tree's, and one tree of a single leaf of its own.
        tree = store if tree_root == root(store, size) else MemoryStore([[leaf]])
        assert root(tree, size) == tree_root, probe["path"]
        assert inclusion_proof(tree, index, size) == proof, probe["path"]


def test_td_consistency_probes(vectors):
    _, store = td_tree(vectors)
    seen = set()
    for probe in vectors["td_probes"]["consistency"]:
        old_root, new_root = bytes.fromhex(probe["root1"]), bytes.fromhex(probe["root2"])
        old_size, size, proof = probe["size1"], probe["size2"], hexes(probe["proof"])
        reason = rejection(verify_consistency, old_size, size, proof, old_root, new_root)
        path = probe["path"].removeprefix("testdata/consistency/")
        if path in TD_VALID_BUT_NOT_32_BYTES:
            assert not probe["want_error"], path
            assert reason == TD_VALID_BUT_NOT_32_BYTES[path], path
        elif old_size == 0:
            assert probe["want_error"], path
            assert reason == TD_FROM_SIZE_0[path], path
        elif probe["want_error"]:
            assert reason is not None, path
        else:
            assert reason is None, (path, reason)
            assert consistency_proof(store, old_size, size) == proof, path
            assert (old_root, new_root) == (root(store, old_size), root(store, size)), path
        seen.add(path)
    assert seen >= TD_FROM_SIZE_0.keys() | TD_VALID_BUT_NOT_32_BYTES.keys()


def test_cctv_tree_heads(vectors):
    store = MemoryStore()
    for size, head in enumerate(vectors["cctv"]["tree_heads"]):
        leaf = leaf_hash(head["leaf_data"].encode())
        assert leaf.hex() == head["leaf_hash"], head
        for node in append(store, size, leaf):
            store.put(*node)
        assert root(store, size + 1).hex() == head["root_hash"], head


def test_cctv_inclusion(vectors):
    store = cctv_store(vectors)
    for case in vectors["cctv"]["inclusion_valid"]:
        index, size, proof = case["leaf_index"], case["tree_size"], hexes(case["inclusion_path"])
        leaf, tree_root = bytes.fromhex(case["leaf_hash"]), bytes.fromhex(case["root_hash"])
        verify_inclusion(leaf, index, size, proof, tree_root)
        assert inclusion_proof(store, index, size) == proof, case
        assert root(store, size) == tree_root, case
    for case in vectors["cctv"]["inclusion_invalid"]:
        args = (
            bytes.fromhex(case["leaf_hash"]),
            case["leaf_index"],
            case["tree_size"],
            hexes(case["inclusion_path"]),
            bytes.fromhex(case["root_hash"]),
        )
        assert rejection(verify_inclusion, *args) is not None, case


def test_cctv_consistency(vectors):
    store = cctv_store(vectors)
    for case in vectors["cctv"]["consistency_valid"]:
        old_size, size, proof = case["old_size"], case["new_size"], hexes(case["consistency_path"])
        old_root, new_root = bytes.fromhex(case["old_root"]), bytes.fromhex(case["new_root"])
        verify_consistency(old_size, size, proof, old_root, new_root)
        assert consistency_proof(store, old_size, size) == proof, case
        assert (old_root, new_root) == (root(store, old_size), root(store, size)), case
    for case in vectors["cctv"]["consistency_invalid"]:
        args = (
            case["old_size"],
            case["new_size"],
            hexes(case["consistency_path"]),
            bytes.fromhex(case["old_root"]),
            bytes.fromhex(case["new_root"]),
        )
        assert rejection(verify_consistency, *args) is not None, case


def test_cctv_consistency_from_size_0_follows_our_rule(vectors):
    """CCTV accepts 0 -> 0 and 0 -> 1 with an empty proof; so do we, and transparency-dev would not.

    CCTV's invalid cases from size 0 break our rule: one has an old root that is not the empty
    tree's, the other carries a proof.
    """
    from_empty = [case for case in vectors["cctv"]["consistency_valid"] if case["old_size"] == 0]
    assert [(case["old_size"], case["new_size"]) for case in from_empty] == [(0, 0), (0, 1)]
    for case in from_empty:
        assert case["consistency_path"] == []
        assert bytes.fromhex(case["old_root"]) == EMPTY_ROOT
        verify_consistency(0, case["new_size"], [], EMPTY_ROOT, bytes.fromhex(case["new_root"]))
    refused = [
        rejection(
            verify_consistency,
            0,
            case["new_size"],
            hexes(case["consistency_path"]),
            bytes.fromhex(case["old_root"]),
            bytes.fromhex(case["new_root"]),
        )
        for case in vectors["cctv"]["consistency_invalid"]
        if case["old_size"] == 0
    ]
    assert refused == [
        "the old root is 022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c, "
        f"but the empty tree's root is {EMPTY_ROOT.hex()}",
        "proof has 4 hashes; size 0 to size 10 needs 0",
    ]
