"""Counting ballots: exact single transferable vote, single-winner and list methods.

A plain Python package: it imports nothing from Django and works without a database.
"""

from sovet.counting.profile import Profile, ProfileError, group
from sovet.counting.result import Result, Round, TieBreak

__all__ = ["Profile", "ProfileError", "Result", "Round", "TieBreak", "group"]
