"""Ties that a method's own rule cannot settle are decided by lot: a draw seeded so that anyone
can repeat it. The seed and the outcome are part of the result."""

import hashlib
import random

from sovet.counting.profile import Profile
from sovet.counting.result import TieBreak

__all__ = ["draw", "profile_seed"]


def profile_seed(profile: Profile) -> int:
    """Return a seed derived from the profile itself, so that a recount draws the same lots."""
    digest = hashlib.sha256()
    digest.update(repr((profile.candidates, profile.seats, sorted(profile.withdrawn))).encode())
    for ranking, weight in sorted(profile.ballots.items()):
        digest.update(repr((ranking, weight)).encode())
    return int.from_bytes(digest.digest()[:8], "big")


def draw(among: list[int], *, seed: int, round: int, purpose: str) -> TieBreak:
    """Choose one of `among` by lot; the same seed, round and purpose always choose the same."""
    if not among:
        raise ValueError("a draw needs at least one candidate")
    generator = random.Random(f"{seed}:{round}:{purpose}")
    candidates = sorted(among)
    return TieBreak(
        round=round,
        among=candidates,
        chosen=generator.choice(candidates),
        seed=seed,
        purpose=purpose,
    )
