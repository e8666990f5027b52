"""Thresholds the statute sets: pure functions over exact fractions."""

from fractions import Fraction
from math import ceil


def supports_needed(share: Fraction, eligible: int) -> int:
    """Return how many supports reach `share` of `eligible` members (at least one)."""
    if not 0 < share <= 1:
        raise ValueError(f"a share lies in (0, 1], not {share}")
    if eligible < 0:
        raise ValueError("eligible members cannot be negative")
    return max(1, ceil(share * eligible))
