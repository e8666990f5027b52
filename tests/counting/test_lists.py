"""List seats: textbook cases, and the same answers as the shared apportionment code."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sovet.apportionment import ApportionmentError, Method, apportion
from sovet.counting.lists import dhondt, largest_remainder, list_pr, sainte_lague

# Wikipedia's running example for both divisor methods: 230,000 votes, 8 seats.
PARTIES = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}


def test_dhondt_textbook() -> None:
    # Quotients 100, 80, 50, 40, 33.3, 30, 26.7, 25 (thousands) take the 8 seats.
    assert dhondt(PARTIES, 8) == {"A": 4, "B": 3, "C": 1, "D": 0}


def test_sainte_lague_textbook() -> None:
    # Quotients 100, 80, 33.3, 30, 26.7, 20, 20, 16 (divisors 1, 3, 5).
    assert sainte_lague(PARTIES, 8) == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_largest_remainder_textbook() -> None:
    # Hare quota 28,750: quotas 3.48, 2.78, 1.04, 0.70; the two spare seats go to B and D.
    assert largest_remainder(PARTIES, 8) == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_dhondt_favours_large_parties_where_sainte_lague_does_not() -> None:
    # D'Hondt: 7000, 3500, 2333, 1750 (Big), 1500 (Small1); Sainte-Laguë: 7000, 2333 (Big),
    # 1500 (Small1), 1450 (Small2), 1400 (Big).
    votes = {"Big": 7_000, "Small1": 1_500, "Small2": 1_450}
    assert dhondt(votes, 5) == {"Big": 4, "Small1": 1, "Small2": 0}
    assert sainte_lague(votes, 5) == {"Big": 3, "Small1": 1, "Small2": 1}


def test_largest_remainder_alabama_paradox() -> None:
    # One more seat in the house costs C a seat.
    votes = {"A": 6, "B": 6, "C": 2}
    assert largest_remainder(votes, 10) == {"A": 4, "B": 4, "C": 2}
    assert largest_remainder(votes, 11) == {"A": 5, "B": 5, "C": 1}


def test_tie_for_last_seat_follows_the_shared_rule() -> None:
    # Equal quotients: more votes first, then the name that sorts first.
    assert dhondt({"A": 10, "B": 10}, 1) == {"A": 1, "B": 0}
    assert dhondt({"A": 6, "B": 12}, 2) == {"A": 0, "B": 2}


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("dhondt", Method.DHONDT),
        ("sainte_lague", Method.SAINTE_LAGUE),
        ("sainte-lague", Method.SAINTE_LAGUE),
        ("largest_remainder", Method.LARGEST_REMAINDER),
        (Method.DHONDT, Method.DHONDT),
    ],
)
def test_list_pr_by_name(name: str, method: Method) -> None:
    assert list_pr(PARTIES, 8, name) == apportion(PARTIES, 8, method)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ApportionmentError, match="unknown list method"):
        list_pr(PARTIES, 8, "hare-clark")
    with pytest.raises(ApportionmentError, match="negative"):
        dhondt({"A": -1}, 1)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 10_000), min_size=1),
    st.integers(0, 40),
)
def test_wrappers_are_the_shared_apportionment(votes: dict[str, int], seats: int) -> None:
    if seats and not any(votes.values()):
        with pytest.raises(ApportionmentError):
            dhondt(votes, seats)
        return
    for wrapper, method in (
        (dhondt, Method.DHONDT),
        (sainte_lague, Method.SAINTE_LAGUE),
        (largest_remainder, Method.LARGEST_REMAINDER),
    ):
        got = wrapper(votes, seats)
        assert got == apportion(votes, seats, method) == list_pr(votes, seats, method.value)
        assert sum(got.values()) == seats and set(got) == set(votes)
