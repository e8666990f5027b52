"""The record: an append-only log of every action, one sequence per organization."""
