"""List (party) seats: D'Hondt, Sainte-Laguë and largest remainder over party votes.

These are thin names over `sovet.apportionment`, which holds the one implementation the
foundation's council apportionment also uses: exact integer arithmetic, and its tie rule (equal
quotients or remainders for the last seat go to the party with more votes, then to the party whose
name sorts first). No legal threshold is applied: pass only the parties that qualify.
"""

from collections.abc import Mapping

from sovet.apportionment import ApportionmentError, Method, apportion

__all__ = ["dhondt", "largest_remainder", "list_pr", "sainte_lague"]


def list_pr(party_votes: Mapping[str, int], seats: int, method: str | Method) -> dict[str, int]:
    """Share `seats` among parties by votes with the named method; every party is listed."""
    try:
        chosen = Method(str(method).replace("-", "_"))
    except ValueError:
        choices = ", ".join(repr(m.value) for m in Method)
        raise ApportionmentError(f"unknown list method {method!r}; use one of {choices}") from None
    return apportion(party_votes, seats, chosen)


def dhondt(votes: Mapping[str, int], seats: int) -> dict[str, int]:
    """Share `seats` by D'Hondt (divisors 1, 2, 3, ...)."""
    return apportion(votes, seats, Method.DHONDT)


def sainte_lague(votes: Mapping[str, int], seats: int) -> dict[str, int]:
    """Share `seats` by Sainte-Laguë (divisors 1, 3, 5, ...)."""
    return apportion(votes, seats, Method.SAINTE_LAGUE)


def largest_remainder(votes: Mapping[str, int], seats: int) -> dict[str, int]:
    """Share `seats` by largest remainder with the Hare quota (Hamilton)."""
    return apportion(votes, seats, Method.LARGEST_REMAINDER)
