"""Distinct rankings as arrays (RankingTable) and as streamed keys (Keys): the same rankings
and counts as a dict of tuples, whatever the order and batching they arrive in."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sovet.counting.profile import Profile, ProfileError
from sovet.counting.table import Keys, RankingTable


@st.composite
def rankings(draw, candidates: int, longest: int | None = None):
    """Strict rankings of `candidates` with positive counts (some blank)."""
    size = min(candidates, longest or candidates)
    found = draw(
        st.dictionaries(
            st.lists(st.integers(0, candidates - 1), max_size=size, unique=True).map(tuple),
            st.integers(1, 10**12),
            max_size=40,
        )
    )
    return found


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), rankings(n, 12))))
def test_a_table_is_the_mapping_it_was_made_from(case):
    candidates, ballots = case
    table = RankingTable.of(ballots, candidates)
    assert dict(table.items()) == ballots
    assert table == ballots and len(table) == len(ballots) and set(table) == set(ballots)
    assert all(table[ranking] == count for ranking, count in ballots.items())
    assert table.total() == sum(ballots.values())
    assert table.problem() is None
    profile = Profile(candidates=tuple(map(str, range(candidates))), seats=1, ballots=table)
    assert profile.voters == sum(ballots.values())
    assert profile == Profile(candidates=profile.candidates, seats=1, ballots=ballots)


@pytest.mark.parametrize("candidates", [5, 64, 65, 300])
def test_a_table_names_what_makes_it_no_profile(candidates):
    """Both ways of finding a repeat (bits up to 64 candidates, sorting beyond) find it."""
    end = candidates
    repeat = np.array([[0, 1, end], [2, 2, end]], dtype=np.uint16)
    counts = np.array([1, 1], dtype=np.int64)
    assert "(2, 2) names a candidate twice" in RankingTable(repeat, counts, end).problem()
    negative = RankingTable(repeat[:1].copy(), np.array([-3], dtype=np.int64), end)
    assert "negative weight -3" in negative.problem()
    gap = RankingTable(np.array([[0, end, 1, end]], dtype=np.uint16), counts[:1].copy(), end)
    assert "gap" in gap.problem()
    outside = RankingTable(np.array([[end + 1, end]], dtype=np.uint16), counts[:1].copy(), end)
    assert "outside" in outside.problem()
    with pytest.raises(ProfileError, match="twice"):
        Profile(
            candidates=tuple(map(str, range(candidates))),
            seats=1,
            ballots=RankingTable(repeat, counts, end),
        )


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 70).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(
                    st.lists(st.integers(0, n - 1), max_size=min(n, 20), unique=True).map(tuple),
                    st.integers(1, 5),
                ),
                max_size=300,
            ),
            st.integers(1, 50),
        )
    )
)
def test_keys_group_rankings_streamed_in_any_batches(case):
    """Rankings that fit a key are grouped however they are batched; longer ones come back."""
    candidates, ballots, batch = case
    keys = Keys(candidates)
    expected: Counter = Counter()
    longer: Counter = Counter()
    for start in range(0, len(ballots), batch):
        part: Counter = Counter()
        for ranking, count in ballots[start : start + batch]:
            part[ranking] += count
            expected[ranking] += count
        longer.update(keys.add_rankings(part))
    assert all(len(ranking) > keys.capacity for ranking in longer)
    table = keys.table(longer)
    assert dict(table.items()) == dict(expected)
    assert table.problem() is None


def test_keys_stay_grouped_as_a_million_equal_ballots_stream_in():
    """Memory follows the distinct rankings: waiting keys are merged as they pile up."""
    keys = Keys(12)
    one = np.array([0b0010_0001], dtype=np.uint64)  # candidate 0, then candidate 1
    for _ in range(100):
        keys.add(np.repeat(one, 10_000), np.ones(10_000, dtype=np.int64))
        assert keys.rows <= 2 * 65_536 + 10_000
    table = keys.table()
    assert dict(table.items()) == {(0, 1): 1_000_000}
