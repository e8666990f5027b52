"""Seat apportionment: how many delegates each unit sends to a council, by its membership.

Three methods (see `Method`): largest remainder (Hamilton, Hare quota), and the divisor methods
D'Hondt (Jefferson, divisors 1, 2, 3, ...) and Sainte-Laguë (Webster, divisors 1, 3, 5, ...).
Every method follows these rules:

- Exact arithmetic: integers only (quotients and quotas are compared exactly), never floats, so
  the same populations give the same seats on every machine and in every implementation.
- Every unit gets at least `minimum` seats. A unit with no members gets exactly `minimum`
  (possibly 0); if every unit is empty and seats remain beyond the minimums, there is nobody to
  give them to and `ApportionmentError` is raised.
- Divisor methods give unit i `max(minimum, round(p_i / d))` for a divisor d that makes the total
  come out right, rounding down for D'Hondt and to the nearest integer for Sainte-Laguë. The same
  thing, step by step: starting from the minimums, each further seat goes to the unit whose next
  quotient p / divisor(seats it holds) is highest.
- Largest remainder: a unit whose exact quota p_i * S / P is below `minimum` gets `minimum` and
  drops out (S and P lose its seats and members); repeat until no quota is below `minimum`. The
  remaining units get their quotas rounded down, and leftover seats go to the largest remainders.
- Ties (equal quotients or equal remainders competing for the last seats): the unit with the
  larger population wins; between equal populations, the smaller key wins.
- Invalid input raises `ApportionmentError`, a `ValueError` whose message says what to fix:
  negative or non-integer populations, negative seats or minimum, ratio below 1, fewer seats than
  the minimums need, or seats but no units.
- Results list every unit, including those with no seats, in sorted key order.

Largest remainder keeps every unit within its quota rounded down or up (when minimum is 0) but is
not house-monotone: one more seat in the body can cost a unit a seat (the Alabama paradox).
Divisor methods are house-monotone but can stray outside quota.
"""

import enum
import heapq
from collections.abc import Hashable, Mapping
from typing import Any, Protocol, TypeVar

__all__ = ["ApportionmentError", "Method", "apportion", "changes", "house_size"]


class _UnitKey(Hashable, Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_UnitKey)


class Method(enum.StrEnum):
    """An apportionment method."""

    LARGEST_REMAINDER = "largest_remainder"
    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte_lague"


class ApportionmentError(ValueError):
    """Input that cannot be apportioned; the message says what to fix."""


def house_size(populations: Mapping[K, int], *, ratio: int, minimum: int = 0) -> int:
    """Seats for one delegate per `ratio` members: total // ratio, but at least minimum per unit."""
    _check_count("ratio", ratio, least=1)
    _check_count("minimum", minimum, least=0)
    total = sum(population for _, population in _sorted_units(populations))
    return max(total // ratio, minimum * len(populations))


def apportion(
    populations: Mapping[K, int], seats: int, method: Method, *, minimum: int = 0
) -> dict[K, int]:
    """Share `seats` among the units by population, every unit getting at least `minimum`."""
    try:
        method = Method(method)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in Method)
        raise ApportionmentError(f"unknown method {method!r}; use one of {choices}") from None
    _check_count("seats", seats, least=0)
    _check_count("minimum", minimum, least=0)
    units = _sorted_units(populations)
    count = len(units)
    if seats and not count:
        raise ApportionmentError(f"cannot apportion {seats} seats among no units")
    if seats < minimum * count:
        raise ApportionmentError(
            f"seats ({seats}) are fewer than the minimum for {count} units ({minimum * count})"
        )
    held = [minimum] * count
    spare = seats - minimum * count
    populated = [index for index, (_, population) in enumerate(units) if population]
    if spare and not populated:
        raise ApportionmentError(
            f"no members to apportion seats among: all {count} units have population 0, "
            f"but {spare} seats remain beyond the minimum"
        )
    if spare:
        # Populated units keep their sorted-key order, which the tie rule relies on.
        populations_left = [units[index][1] for index in populated]
        seats_left = spare + minimum * len(populated)
        if method is Method.LARGEST_REMAINDER:
            got = _largest_remainder(populations_left, seats_left, minimum)
        else:
            step = 1 if method is Method.DHONDT else 2
            got = _highest_averages(populations_left, seats_left, minimum, step)
        for index, unit_seats in zip(populated, got, strict=True):
            held[index] = unit_seats
    return {key: unit_seats for (key, _), unit_seats in zip(units, held, strict=True)}


def changes(before: Mapping[K, int], after: Mapping[K, int]) -> dict[K, tuple[int, int]]:
    """Units whose seats differ, as {unit: (old, new)}; a unit absent on one side counts 0 there."""
    return {
        key: (before.get(key, 0), after.get(key, 0))
        for key in sorted(before.keys() | after.keys())
        if before.get(key, 0) != after.get(key, 0)
    }


def _check_count(name: str, value: int, *, least: int) -> None:
    """Raise unless `value` is an int of at least `least`."""
    if not isinstance(value, int):
        raise ApportionmentError(f"{name} must be an integer, not {value!r}")
    if value < least:
        bound = "must not be negative" if least == 0 else f"must be at least {least}"
        raise ApportionmentError(f"{name} ({value}) {bound}")


def _sorted_units(populations: Mapping[K, int]) -> list[tuple[K, int]]:
    """The (key, population) pairs in key order, after checking every population."""
    units = [(key, populations[key]) for key in sorted(populations)]
    for key, population in units:
        if not isinstance(population, int):
            raise ApportionmentError(
                f"population of unit {key!r} must be an integer, not {population!r}"
            )
        if population < 0:
            raise ApportionmentError(f"population of unit {key!r} is negative ({population})")
    return units


def _highest_averages(populations: list[int], seats: int, minimum: int, step: int) -> list[int]:
    """Divisor-method seats for positive populations; unit divisors are step*s + 1 at s seats."""
    count = len(populations)
    total = sum(populations)
    spare = seats - minimum * count
    # Jump close to the answer with a trial divisor d: rounding p/d by the method's rule awards
    # exactly the seats whose quotients are at least d, which every later seat must also beat, so
    # the seat-by-seat award below reaches the same result. d is chosen so that even with rounding
    # up (half a seat per unit for Sainte-Laguë) the estimate cannot overshoot `seats`.
    if step == 1:
        held = [max(minimum, p * spare // total) for p in populations]
    elif 2 * spare > count:
        # Sainte-Laguë round(p/d) with d = 2P / (2*spare - count), kept in integers.
        scaled = 2 * spare - count
        held = [max(minimum, (p * scaled + total) // (2 * total)) for p in populations]
    else:
        held = [minimum] * count
    left = seats - sum(held)
    if left:
        # Quotients p/a and q/b with divisors up to D differ by at least 1/D² when they differ,
        # so floor(p*D²/a) orders them exactly; plain integer tuples keep heapq fast.
        largest_divisor = step * seats + 1
        scale = largest_divisor * largest_divisor
        heap = [
            (-(p * scale // (step * s + 1)), -p, index)
            for index, (p, s) in enumerate(zip(populations, held, strict=True))
        ]
        heapq.heapify(heap)
        for _ in range(left):
            _, negative_p, index = heap[0]
            held[index] += 1
            quotient = -negative_p * scale // (step * held[index] + 1)
            heapq.heapreplace(heap, (-quotient, negative_p, index))
    return held


def _largest_remainder(populations: list[int], seats: int, minimum: int) -> list[int]:
    """Hamilton seats for positive populations, each unit getting at least `minimum`."""
    held = [0] * len(populations)
    total = sum(populations)
    # Quotas are proportional to population, so units below the minimum come first in ascending
    # order; fixing one only lowers the others' quotas, so removing them one at a time reaches the
    # same units as repeated rounds of removing every unit below the minimum.
    ascending = sorted(range(len(populations)), key=populations.__getitem__)
    first_free = 0
    while (
        first_free < len(ascending) and populations[ascending[first_free]] * seats < minimum * total
    ):
        index = ascending[first_free]
        held[index] = minimum
        seats -= minimum
        total -= populations[index]
        first_free += 1
    free = sorted(ascending[first_free:])
    ranking = []
    for index in free:
        held[index], remainder = divmod(populations[index] * seats, total)
        ranking.append((-remainder, -populations[index], index))
    left = seats - sum(held[index] for index in free)
    for _, _, index in sorted(ranking)[:left]:
        held[index] += 1
    return held
