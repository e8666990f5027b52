from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sovet.thresholds import supports_needed


@pytest.mark.parametrize(
    ("share", "eligible", "needed"),
    [
        (Fraction(1, 2), 10, 5),
        (Fraction(1, 2), 11, 6),
        (Fraction(2, 3), 9, 6),
        (Fraction(2, 3), 10, 7),
        (Fraction(1, 3), 1, 1),
        (Fraction(1, 2), 0, 1),
        (Fraction(1), 7, 7),
    ],
)
def test_cases(share, eligible, needed):
    assert supports_needed(share, eligible) == needed


@given(st.fractions(min_value=Fraction(1, 1000), max_value=1), st.integers(0, 10**6))
def test_smallest_count_reaching_the_share(share, eligible):
    needed = supports_needed(share, eligible)
    assert needed >= 1
    assert Fraction(needed) >= share * eligible
    assert needed == 1 or Fraction(needed - 1) < share * eligible


def test_bad_share_refused():
    with pytest.raises(ValueError, match="share"):
        supports_needed(Fraction(0), 5)
