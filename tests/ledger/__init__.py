"""The ledger's Merkle trees: every public test vector, the RFC's recursive definitions as the
reference, and properties that must hold for any size."""
