"""Tests for sovet.apportionment: hand-worked cases, properties, and independent references."""

import math
import random
from collections.abc import Mapping
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sovet.apportionment import ApportionmentError, Method, apportion, changes, house_size

DIVISOR_METHODS = [Method.DHONDT, Method.SAINTE_LAGUE]

Problem = tuple[dict[int, int], int, int]


# Each row: populations, seats, method, minimum, expected seats.
HAND_CASES = [
    pytest.param(
        # Quotients 100000/k: 100000 50000 33333 25000; 80000/k: 80000 40000 26667;
        # 30000/k: 30000 15000; 20000/k: 20000. Top seven: 100000 80000 50000 40000 33333
        # 30000 26667 -> 3, 3, 1, 0.
        {1: 100_000, 2: 80_000, 3: 30_000, 4: 20_000},
        7,
        Method.DHONDT,
        0,
        {1: 3, 2: 3, 3: 1, 4: 0},
        id="dhondt-textbook",
    ),
    pytest.param(
        # Divisors 1, 3, 5: 100000 33333 20000; 80000 26667 16000; 30000 10000; 20000 6667.
        # Top seven: 100000 80000 33333 30000 26667 20000 20000 -> 3, 2, 1, 1.
        {1: 100_000, 2: 80_000, 3: 30_000, 4: 20_000},
        7,
        Method.SAINTE_LAGUE,
        0,
        {1: 3, 2: 2, 3: 1, 4: 1},
        id="sainte-lague-textbook",
    ),
    pytest.param(
        # Quotas 10*53/100 = 5.3, 2.4, 2.3: floors 5+2+2 = 9, the last seat to remainder .4.
        {1: 53, 2: 24, 3: 23},
        10,
        Method.LARGEST_REMAINDER,
        0,
        {1: 5, 2: 3, 3: 2},
        id="hamilton-textbook",
    ),
    pytest.param(
        # d = 8.5: floor(53/8.5) = 6, floor(24/8.5) = 2, floor(23/8.5) = 2.
        {1: 53, 2: 24, 3: 23},
        10,
        Method.DHONDT,
        0,
        {1: 6, 2: 2, 3: 2},
        id="dhondt-favours-large",
    ),
    pytest.param(
        # Divisors 1, 3, 5, ...: 53 17.7 10.6 7.57 5.89 4.82 | 24 8 4.8 | 23 7.67 4.6. The tenth
        # seat goes to 53/11 = 4.82 over 24/5 = 4.8. Check: d = 9.62 gives round(5.51) = 6,
        # round(2.49) = 2, round(2.39) = 2.
        {1: 53, 2: 24, 3: 23},
        10,
        Method.SAINTE_LAGUE,
        0,
        {1: 6, 2: 2, 3: 2},
        id="sainte-lague-53-24-23",
    ),
    pytest.param(
        # Quotas 60/14 = 4.29, 4.29, 20/14 = 1.43: floors 4+4+1 = 9, last seat to .43.
        {1: 6, 2: 6, 3: 2},
        10,
        Method.LARGEST_REMAINDER,
        0,
        {1: 4, 2: 4, 3: 2},
        id="alabama-before",
    ),
    pytest.param(
        # Quotas 66/14 = 4.71, 4.71, 22/14 = 1.57: floors 4+4+1 = 9, two seats to the .71s,
        # so unit 3 loses a seat although the body grew: the Alabama paradox.
        {1: 6, 2: 6, 3: 2},
        11,
        Method.LARGEST_REMAINDER,
        0,
        {1: 5, 2: 5, 3: 1},
        id="alabama-after",
    ),
    pytest.param(
        # Quotas 8*100/144 = 5.56, 8*40/144 = 2.22, 8*4/144 = 0.22 -> unit 3 fixed at 2.
        # Then 6 seats for 140: unit 2's quota 6*40/140 = 1.71 < 2 -> fixed at 2.
        # Then 4 seats for 100: unit 1 gets 4. A single pass would have kept unit 2 free.
        {1: 100, 2: 40, 3: 4},
        8,
        Method.LARGEST_REMAINDER,
        2,
        {1: 4, 2: 2, 3: 2},
        id="hamilton-minimum-cascades",
    ),
    pytest.param(
        # Without minimum: 70 35 23.3 20 17.5 -> 4, 1, 0. With minimum 1 all start at 1 and the
        # next quotients are 70/2 = 35, 20/2 = 10, 10/2 = 5, then 70/3 = 23.3 -> 3, 1, 1.
        # Check: d = 20 gives max(1, floor(3.5)) = 3, max(1, 1) = 1, max(1, 0) = 1.
        {1: 70, 2: 20, 3: 10},
        5,
        Method.DHONDT,
        1,
        {1: 3, 2: 1, 3: 1},
        id="dhondt-minimum",
    ),
    pytest.param(
        {1: 70, 2: 20, 3: 10},
        5,
        Method.DHONDT,
        0,
        {1: 4, 2: 1, 3: 0},
        id="dhondt-no-minimum",
    ),
    pytest.param(
        # All at 1; next quotients 70/3 = 23.3, 20/3, 10/3, then 70/5 = 14 -> 3, 1, 1.
        {1: 70, 2: 20, 3: 10},
        5,
        Method.SAINTE_LAGUE,
        1,
        {1: 3, 2: 1, 3: 1},
        id="sainte-lague-minimum",
    ),
    pytest.param(
        # Quotients 70 23.3 14 10 | 20 6.7 | 10 3.3: after 70 23.3 20 14 the fifth seat is a
        # tie at 10 between 70/7 and 10/1; the larger population wins although its key is larger.
        {3: 70, 2: 20, 1: 10},
        5,
        Method.SAINTE_LAGUE,
        0,
        {1: 0, 2: 1, 3: 4},
        id="tie-larger-population-wins-divisor",
    ),
    pytest.param(
        # Quotas 2*1/4 = 0.5 and 2*3/4 = 1.5: floors 0+1, equal remainders .5 for the last seat;
        # the larger population wins although its key is larger.
        {1: 1, 2: 3},
        2,
        Method.LARGEST_REMAINDER,
        0,
        {1: 0, 2: 2},
        id="tie-larger-population-wins-remainder",
    ),
    pytest.param(
        # Three quotients of 10 for two seats: equal populations, so the smaller keys win.
        {3: 10, 1: 10, 2: 10},
        2,
        Method.DHONDT,
        0,
        {1: 1, 2: 1, 3: 0},
        id="tie-smaller-key-wins-divisor",
    ),
    pytest.param(
        # Quotas 4/3 each: floors 1+1+1, one seat left, three equal remainders -> key 1.
        {3: 10, 1: 10, 2: 10},
        4,
        Method.LARGEST_REMAINDER,
        0,
        {1: 2, 2: 1, 3: 1},
        id="tie-smaller-key-wins-remainder",
    ),
    pytest.param(
        # The empty unit gets its minimum; 3 seats for 10 members: quotas 1.5, 1.5, tie -> key 2.
        {1: 0, 2: 5, 3: 5},
        4,
        Method.LARGEST_REMAINDER,
        1,
        {1: 1, 2: 2, 3: 1},
        id="empty-unit-gets-minimum",
    ),
    pytest.param(
        {1: 0, 2: 5, 3: 5},
        4,
        Method.SAINTE_LAGUE,
        0,
        {1: 0, 2: 2, 3: 2},
        id="empty-unit-gets-nothing",
    ),
    pytest.param(
        {1: 0, 2: 0},
        2,
        Method.DHONDT,
        1,
        {1: 1, 2: 1},
        id="all-empty-minimum-only",
    ),
    pytest.param({1: 5, 2: 7}, 0, Method.SAINTE_LAGUE, 0, {1: 0, 2: 0}, id="no-seats"),
    pytest.param({}, 0, Method.LARGEST_REMAINDER, 0, {}, id="no-units-no-seats"),
]


@pytest.mark.parametrize(("populations", "seats", "method", "minimum", "expected"), HAND_CASES)
def test_hand_computed(
    populations: dict[int, int],
    seats: int,
    method: Method,
    minimum: int,
    expected: dict[int, int],
) -> None:
    result = apportion(populations, seats, method, minimum=minimum)
    assert result == expected
    assert list(result) == sorted(populations)


def test_method_accepts_its_string_value() -> None:
    assert apportion({1: 2, 2: 1}, 3, "dhondt") == {1: 2, 2: 1}  # type: ignore[arg-type]


def test_largest_remainder_is_not_house_monotone() -> None:
    # Why a statute may prefer a divisor method: with Hamilton, unit 3 loses a seat when the body
    # grows from 10 to 11 (the Alabama paradox); D'Hondt and Sainte-Laguë never do that.
    populations = {1: 6, 2: 6, 3: 2}
    smaller = apportion(populations, 10, Method.LARGEST_REMAINDER)
    larger = apportion(populations, 11, Method.LARGEST_REMAINDER)
    assert larger[3] < smaller[3]
    assert changes(smaller, larger) == {1: (4, 5), 2: (4, 5), 3: (2, 1)}
    for method in DIVISOR_METHODS:
        before, after = apportion(populations, 10, method), apportion(populations, 11, method)
        assert all(after[key] >= before[key] for key in populations)


# --- Hypothesis properties -------------------------------------------------------------------


@st.composite
def problems(
    draw: st.DrawFn, max_units: int = 40, max_population: int = 10**6, max_extra: int = 200
) -> Problem:
    """Populations, minimum, and seats from the minimums up to `max_extra` more."""
    minimum = draw(st.integers(0, 3))
    # Mixing tiny populations in makes equal quotients and remainders, hence ties, common.
    values = st.one_of(st.integers(0, min(10, max_population)), st.integers(0, max_population))
    populations = draw(
        st.dictionaries(st.integers(-1000, 1000), values, min_size=1, max_size=max_units)
    )
    extra = draw(st.integers(0, max_extra)) if any(populations.values()) else 0
    return populations, minimum * len(populations) + extra, minimum


all_methods = st.sampled_from(list(Method))
divisor_methods = st.sampled_from(DIVISOR_METHODS)


@given(problems(), all_methods)
def test_totals_and_minimums(problem: Problem, method: Method) -> None:
    populations, seats, minimum = problem
    result = apportion(populations, seats, method, minimum=minimum)
    assert list(result) == sorted(populations)
    assert sum(result.values()) == seats
    assert all(result[key] >= minimum for key in populations)
    assert all(result[key] == minimum for key, p in populations.items() if p == 0)


@given(problems(), all_methods, st.data())
def test_deterministic_and_order_independent(
    problem: Problem, method: Method, data: st.DataObject
) -> None:
    populations, seats, minimum = problem
    result = apportion(populations, seats, method, minimum=minimum)
    assert apportion(populations, seats, method, minimum=minimum) == result
    shuffled = dict(data.draw(st.permutations(list(populations.items()))))
    again = apportion(shuffled, seats, method, minimum=minimum)
    assert list(again.items()) == list(result.items())


@given(problems(), divisor_methods)
def test_divisor_methods_are_house_monotone(problem: Problem, method: Method) -> None:
    populations, seats, minimum = problem
    if not any(populations.values()):
        return
    before = apportion(populations, seats, method, minimum=minimum)
    after = apportion(populations, seats + 1, method, minimum=minimum)
    assert all(after[key] >= before[key] for key in populations)


@given(problems(), divisor_methods, st.data())
def test_divisor_methods_are_population_monotone(
    problem: Problem, method: Method, data: st.DataObject
) -> None:
    populations, seats, minimum = problem
    key = data.draw(st.sampled_from(sorted(populations)))
    grown = {**populations, key: populations[key] + data.draw(st.integers(1, 10**5))}
    before = apportion(populations, seats, method, minimum=minimum)
    after = apportion(grown, seats, method, minimum=minimum)
    assert after[key] >= before[key]


@given(problems())
def test_largest_remainder_stays_within_quota(problem: Problem) -> None:
    populations, seats, _ = problem
    total = sum(populations.values())
    if not total:
        return
    result = apportion(populations, seats, Method.LARGEST_REMAINDER)
    for key, population in populations.items():
        quota = Fraction(population * seats, total)
        assert math.floor(quota) <= result[key] <= math.ceil(quota)


# --- Independent references ------------------------------------------------------------------


def divisor(method: Method, held: int) -> Fraction:
    """The divisor a unit holding `held` seats is compared by."""
    return Fraction(held + 1) if method is Method.DHONDT else Fraction(2 * held + 1, 2)


def sequential_reference(
    populations: Mapping[int, int], seats: int, method: Method, minimum: int
) -> dict[int, int]:
    """Award seats one at a time to the highest Fraction quotient, applying the tie rule."""
    held = {key: minimum for key in sorted(populations)}
    for _ in range(seats - minimum * len(held)):
        best = max(
            (key for key in held if populations[key]),
            key=lambda key: (
                Fraction(populations[key]) / divisor(method, held[key]),
                populations[key],
                -key,
            ),
        )
        held[best] += 1
    return held


def satisfies_some_divisor(
    populations: Mapping[int, int], result: Mapping[int, int], method: Method, minimum: int
) -> bool:
    """Whether result[i] = max(minimum, round(p_i / d)) for some d, ties rounding either way."""
    shift = Fraction(0) if method is Method.DHONDT else Fraction(1, 2)
    seats = sum(result.values())
    candidates = {
        Fraction(p) / divisor(method, held)
        for p in populations.values()
        if p
        for held in range(seats + 1)
    }
    candidates.add(Fraction(max(populations.values()) + 1))
    for d in candidates:
        if all(
            max(minimum, math.ceil(p / d + shift) - 1)
            <= result[key]
            <= max(minimum, math.floor(p / d + shift))
            for key, p in populations.items()
        ):
            return True
    return False


def rounds_reference(populations: Mapping[int, int], seats: int, minimum: int) -> dict[int, int]:
    """Hamilton with the minimum applied in literal rounds, as the module docstring states it."""
    held = {key: minimum for key in sorted(populations)}
    free = {key for key, p in populations.items() if p}
    seats -= minimum * (len(populations) - len(free))
    while True:
        total = sum(populations[key] for key in free)
        low = {key for key in free if Fraction(populations[key] * seats, total) < minimum}
        if not low:
            break
        free -= low
        seats -= minimum * len(low)
    quotas = {key: Fraction(populations[key] * seats, total) for key in free}
    for key, quota in quotas.items():
        held[key] = math.floor(quota)
    left = seats - sum(held[key] for key in free)
    order = sorted(free, key=lambda key: (-(quotas[key] % 1), -populations[key], key))
    for key in order[:left]:
        held[key] += 1
    return held


small_problems = problems(max_units=6, max_population=60, max_extra=25)


@settings(max_examples=200)
@given(small_problems, divisor_methods)
def test_divisor_methods_match_sequential_reference(problem: Problem, method: Method) -> None:
    populations, seats, minimum = problem
    result = apportion(populations, seats, method, minimum=minimum)
    assert result == sequential_reference(populations, seats, method, minimum)


@settings(max_examples=200)
@given(small_problems, divisor_methods)
def test_divisor_methods_are_max_of_minimum_and_rounding(problem: Problem, method: Method) -> None:
    populations, seats, minimum = problem
    result = apportion(populations, seats, method, minimum=minimum)
    assert satisfies_some_divisor(populations, result, method, minimum)


@given(problems(max_units=8), divisor_methods, st.integers(0, 10**6))
def test_divisor_methods_with_many_seats(problem: Problem, method: Method, more: int) -> None:
    # Enough seats that the trial-divisor jump does most of the work: check the defining
    # inequality max_i p_i/div(s_i) <= min_{i: s_i > minimum} p_i/div(s_i - 1) directly.
    populations, seats, minimum = problem
    if not any(populations.values()):
        return
    result = apportion(populations, seats + more, method, minimum=minimum)
    assert sum(result.values()) == seats + more
    next_quotients = [Fraction(p) / divisor(method, result[k]) for k, p in populations.items()]
    last_quotients = [
        Fraction(p) / divisor(method, result[k] - 1)
        for k, p in populations.items()
        if result[k] > minimum
    ]
    assert max(next_quotients) <= min(last_quotients, default=math.inf)


@settings(max_examples=200)
@given(problems(max_units=12))
def test_largest_remainder_matches_rounds_reference(problem: Problem) -> None:
    populations, seats, minimum = problem
    result = apportion(populations, seats, Method.LARGEST_REMAINDER, minimum=minimum)
    assert result == rounds_reference(populations, seats, minimum)


@pytest.mark.parametrize("method", list(Method))
def test_large_body(method: Method) -> None:
    rng = random.Random(7)
    populations = {unit: rng.randint(0, 199) for unit in range(10_000)}
    result = apportion(populations, 5_000, method)
    assert sum(result.values()) == 5_000
    with_minimum = apportion(populations, 25_000, method, minimum=2)
    assert sum(with_minimum.values()) == 25_000
    assert min(with_minimum.values()) == 2


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("populations", "seats", "minimum", "message"),
    [
        ({1: 5, 2: -1}, 3, 0, r"population of unit 2 is negative \(-1\)"),
        ({1: 5, 2: 1.5}, 3, 0, r"population of unit 2 must be an integer, not 1\.5"),
        ({1: 5}, -1, 0, r"seats \(-1\) must not be negative"),
        ({1: 5}, 3, -1, r"minimum \(-1\) must not be negative"),
        ({1: 5}, 2.0, 0, r"seats must be an integer, not 2\.0"),
        (
            {1: 1, 2: 1, 3: 1, 4: 1},
            3,
            1,
            r"seats \(3\) are fewer than the minimum for 4 units \(4\)",
        ),
        ({}, 3, 0, r"cannot apportion 3 seats among no units"),
        ({1: 0, 2: 0}, 3, 1, r"no members to apportion seats among"),
    ],
)
@pytest.mark.parametrize("method", list(Method))
def test_apportion_errors(
    populations: dict[int, int], seats: int, minimum: int, message: str, method: Method
) -> None:
    with pytest.raises(ApportionmentError, match=message):
        apportion(populations, seats, method, minimum=minimum)


def test_unknown_method() -> None:
    with pytest.raises(ApportionmentError, match=r"unknown method 'hare'; use one of"):
        apportion({1: 5}, 3, "hare")  # type: ignore[arg-type]


def test_error_is_a_value_error() -> None:
    assert issubclass(ApportionmentError, ValueError)


# --- house_size and changes ------------------------------------------------------------------


def test_house_size() -> None:
    populations = {1: 150, 2: 49, 3: 0}
    assert house_size(populations, ratio=50) == 3  # 199 // 50
    assert house_size(populations, ratio=1) == 199
    assert house_size(populations, ratio=50, minimum=2) == 6  # 3 units at 2 beats 3
    assert house_size(populations, ratio=50, minimum=1) == 3
    assert house_size({}, ratio=10) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ratio": 0}, r"ratio \(0\) must be at least 1"),
        ({"ratio": 10, "minimum": -2}, r"minimum \(-2\) must not be negative"),
        ({"ratio": 10, "populations": {7: -3}}, r"population of unit 7 is negative \(-3\)"),
    ],
)
def test_house_size_errors(kwargs: dict[str, object], message: str) -> None:
    populations = kwargs.pop("populations", {1: 10})
    with pytest.raises(ApportionmentError, match=message):
        house_size(populations, **kwargs)  # type: ignore[arg-type]


def test_changes() -> None:
    before = {1: 2, 2: 3, 3: 1, 5: 0}
    after = {4: 1, 2: 2, 1: 2, 6: 0}
    result = changes(before, after)
    assert result == {2: (3, 2), 3: (1, 0), 4: (0, 1)}
    assert list(result) == [2, 3, 4]
    assert changes(before, before) == {}
    assert changes({}, {}) == {}
