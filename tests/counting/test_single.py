"""Single-winner methods: hand examples, a real election, differential tests with pref_voting."""

import itertools
import json
import random
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pref_voting.iterative_methods as pv_iterative
import pref_voting.margin_based_methods as pv_margin
import pref_voting.profiles_with_ties as pv_profiles
import pref_voting.scoring_methods as pv_scoring
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sovet.counting.formats import read_ranked_csv
from sovet.counting.profile import Profile, ProfileError, Ranking
from sovet.counting.single import approval, irv, pairwise, plurality, schulze


def make(spec: list[tuple[int, str]], names: str, seats: int = 1, **kw: object) -> Profile:
    """Build a profile from (count, "ABC") pairs, candidates named by single letters."""
    ballots: dict[Ranking, int] = {}
    for count, order in spec:
        ranking = tuple(names.index(c) for c in order)
        ballots[ranking] = ballots.get(ranking, 0) + count
    return Profile(tuple(names), seats, ballots, **kw)  # type: ignore[arg-type]


# Tennessee's capital (Wikipedia's running example): Memphis, Nashville, Chattanooga, Knoxville.
TENNESSEE = [(42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM")]

# Schulze (2011), section 3, examples 1-4; example 1 is also Wikipedia's.
SCHULZE_1 = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]
SCHULZE_2 = [
    (5, "ACBD"),
    (2, "ACDB"),
    (3, "ADCB"),
    (4, "BACD"),
    (3, "CBDA"),
    (3, "CDBA"),
    (1, "DACB"),
    (5, "DBAC"),
    (4, "DCBA"),
]
SCHULZE_3 = [
    (3, "ABDEC"),
    (5, "ADEBC"),
    (1, "ADECB"),
    (2, "BADEC"),
    (2, "BDECA"),
    (4, "CABDE"),
    (6, "CBADE"),
    (2, "DBECA"),
    (5, "DECAB"),
]
SCHULZE_4 = [(3, "ABCD"), (2, "DABC"), (2, "DBCA"), (2, "CBDA")]


# ---------------------------------------------------------------- instant runoff


def test_irv_tennessee_rounds() -> None:
    result = irv(make(TENNESSEE, "MNCK"))
    assert result.elected_names == ["K"]
    first, second, third = result.rounds
    assert first.action == "first preferences"
    assert first.votes == {0: 42, 1: 26, 2: 15, 3: 17}
    assert first.excluded == [2]
    assert second.subject == 2 and second.transfers == {2: -15, 3: 15}
    assert second.votes == {0: 42, 1: 26, 3: 32} and second.excluded == [1]
    assert third.transfers == {1: -26, 3: 26}
    assert third.votes == {0: 42, 3: 58} and third.elected == [3]
    assert "58 of 100" in third.note
    assert result.valid == 100 and not result.tie_breaks


def test_irv_majority_of_continuing_votes_after_exhaustion() -> None:
    # After B's exclusion 3 ballots exhaust: A's 4 of the 7 continuing votes are a majority,
    # though not a majority of the 10 cast.
    result = irv(make([(4, "A"), (3, "C"), (3, "B")], "ABC"))
    assert result.elected_names == ["A"]
    assert result.rounds[-1].exhausted == 3
    assert result.rounds[-1].votes == {0: 4, 2: 3}


def test_irv_skips_excluded_and_withdrawn_preferences() -> None:
    spec = [(5, "ABD"), (4, "BD"), (3, "CBA"), (2, "DCA")]
    result = irv(make(spec, "ABCD", withdrawn=frozenset({1})))
    # B withdrawn: its 4 first preferences count for D; C's 3 pass over B to A.
    assert [r.votes for r in result.rounds] == [{0: 5, 2: 3, 3: 6}, {0: 8, 3: 6}]
    assert result.rounds[1].transfers == {0: 3, 2: -3}
    assert result.elected_names == ["A"]


def test_irv_tie_broken_by_earlier_round() -> None:
    spec = [(9, "A"), (5, "B"), (4, "C"), (1, "DC"), (2, "E")]
    result = irv(make(spec, "ABCDE"))
    # Round 1 excludes D, whose vote goes to C; round 2 excludes E. At round 3 B and C have 5
    # each, as at round 2, so the look-back reaches round 1, where C had fewer (4 against 5).
    third = result.rounds[2]
    assert third.votes == {0: 9, 1: 5, 2: 5}
    assert third.excluded == [2]
    assert "fewest at round 1" in third.note
    assert not result.tie_breaks


def test_irv_tie_at_every_round_drawn_by_lot_reproducibly() -> None:
    profile = make([(3, "A"), (2, "B"), (2, "C")], "ABC")
    first = irv(profile, seed=7)
    again = irv(profile, seed=7)
    assert first.to_json() == again.to_json()
    (tie,) = first.tie_breaks
    assert tie.among == [1, 2] and tie.purpose == "exclude" and tie.seed == 7
    assert first.rounds[0].excluded == [tie.chosen]
    # The default seed comes from the profile, so a recount draws the same lot.
    assert irv(profile).tie_breaks[0].seed == irv(profile).tie_breaks[0].seed


def test_irv_edge_cases() -> None:
    assert irv(make([], "A")).elected_names == ["A"]
    assert irv(make([(1, "")], "AB")).valid == 0
    with pytest.raises(ProfileError, match="one seat"):
        irv(make(TENNESSEE, "MNCK", seats=2))
    for method in (irv, plurality, approval, schulze):
        with pytest.raises(ProfileError):
            method(make([(1, "AB")], "AB", withdrawn=frozenset({0, 1})))


def test_irv_json_has_rounds() -> None:
    data = irv(make(TENNESSEE, "MNCK")).to_json()
    assert data["elected"] == ["K"]
    assert [r["action"] for r in data["rounds"]] == ["first preferences", "exclusion", "exclusion"]
    json.dumps(data)


def test_irv_minneapolis_2013(elections: Path) -> None:
    path = elections / "minneapolis_2013_mayor.csv"
    profile = read_ranked_csv(path)
    assert profile.voters == 80_101
    assert len(profile.candidates) == 36
    result = irv(profile)
    names = profile.candidates
    first = {names[c]: v for c, v in result.rounds[0].votes.items()}
    # The published first preferences (Hodges 28,935, Andrew 19,584, Samuels 8,335, Winton 7,511)
    # count the rank-1 column only. Skipping an `undervote` moves a later choice up, so round 1
    # here also holds the ballots whose first ranking was left blank: 21, 57, 9 and 17 of them.
    assert first["BETSY HODGES"] == 28_935 + 21
    assert first["MARK ANDREW"] == 19_584 + 57
    assert first["DON SAMUELS"] == 8_335 + 9
    assert first["CAM WINTON"] == 7_511 + 17
    assert result.elected_names == ["BETSY HODGES"]
    final = result.rounds[-1]
    assert 2 * final.votes[names.index("BETSY HODGES")] > sum(final.votes.values())
    for round_ in result.rounds:
        assert sum(round_.votes.values()) + round_.exhausted == result.valid


# ---------------------------------------------------------------- plurality and approval


def test_plurality_tennessee() -> None:
    result = plurality(make(TENNESSEE, "MNCK"))
    assert result.elected_names == ["M"]
    assert result.rounds[0].votes == {0: 42, 1: 26, 2: 15, 3: 17}


def test_plurality_several_seats_counts_first_preferences_only() -> None:
    result = plurality(make(TENNESSEE, "MNCK", seats=2))
    assert result.elected_names == ["M", "N"]


def test_plurality_tie_for_last_seat_by_lot() -> None:
    profile = make([(5, "A"), (3, "B"), (3, "C"), (3, "D"), (1, "E")], "ABCDE", seats=3)
    result = plurality(profile, seed=1)
    assert result.elected[0] == 0
    assert set(result.elected[1:]) < {1, 2, 3} and len(result.elected) == 3
    assert [t.among for t in result.tie_breaks] == [
        [1, 2, 3],
        sorted({1, 2, 3} - {result.elected[1]}),
    ]
    assert "by lot" in result.rounds[0].note


def test_plurality_tied_but_all_elected_needs_no_draw() -> None:
    result = plurality(make([(3, "A"), (3, "B"), (1, "C")], "ABC", seats=2))
    assert result.elected == [0, 1] and not result.tie_breaks


def test_plurality_too_many_seats() -> None:
    with pytest.raises(ProfileError, match="seats"):
        plurality(make([(1, "A")], "AB", seats=3))


def test_approval_counts_every_ranked_candidate() -> None:
    result = approval(make([(4, "AB"), (3, "C"), (2, "BC"), (1, "")], "ABC"))
    assert result.rounds[0].votes == {0: 4, 1: 6, 2: 5}
    assert result.elected_names == ["B"]
    assert result.valid == 9


def test_approval_several_seats_and_withdrawn() -> None:
    profile = make([(4, "AB"), (3, "CA"), (2, "BC")], "ABC", seats=2, withdrawn=frozenset({0}))
    result = approval(profile)
    assert result.rounds[0].votes == {1: 6, 2: 5}
    assert result.elected_names == ["B", "C"]


# ---------------------------------------------------------------- Schulze


def test_schulze_paper_example_1_matrices() -> None:
    result = schulze(make(SCHULZE_1, "ABCDE"))
    assert result.elected_names == ["E"]
    assert result.pairwise == [
        [0, 20, 26, 30, 22],
        [25, 0, 16, 33, 18],
        [19, 29, 0, 17, 24],
        [15, 12, 28, 0, 14],
        [23, 27, 21, 31, 0],
    ]
    supports = [[None if p is None else p[0] for p in row] for row in result.strongest_paths]
    assert supports == [
        [None, 28, 28, 30, 24],
        [25, None, 28, 33, 24],
        [25, 29, None, 29, 24],
        [25, 28, 28, None, 24],
        [25, 28, 28, 31, None],
    ]
    # Beatpath wins give the Schulze order E > A > C > B > D.
    assert result.rounds[0].votes == {0: 3, 1: 1, 2: 2, 3: 0, 4: 4}
    assert result.potential_winners == [4] and not result.tie_breaks


@pytest.mark.parametrize(
    ("spec", "names", "winners"),
    [(SCHULZE_2, "ABCD", "D"), (SCHULZE_3, "ABCDE", "B"), (SCHULZE_4, "ABCD", "BD")],
)
def test_schulze_paper_examples(spec: list[tuple[int, str]], names: str, winners: str) -> None:
    result = schulze(make(spec, names))
    assert [names[c] for c in result.potential_winners] == list(winners)
    assert result.elected_names[0] in winners
    assert len(result.tie_breaks) == (len(winners) > 1)


def test_schulze_tie_by_lot_is_recorded() -> None:
    result = schulze(make(SCHULZE_4, "ABCD"), seed=3)
    (tie,) = result.tie_breaks
    assert tie.among == [1, 3] and tie.chosen == result.elected[0] and tie.seed == 3
    assert schulze(make(SCHULZE_4, "ABCD"), seed=3).elected == result.elected


def test_schulze_tennessee_condorcet_winner() -> None:
    assert schulze(make(TENNESSEE, "MNCK")).elected_names == ["N"]


def test_schulze_unranked_tied_below_ranked() -> None:
    result = schulze(make([(3, "A"), (2, "BC"), (2, "CB")], "ABC"))
    assert result.pairwise == [[0, 3, 3], [4, 0, 2], [4, 2, 0]]
    # B and C each beat A 4-3 and tie each other: both are potential winners.
    assert result.potential_winners == [1, 2]


def test_schulze_winning_votes_and_margins_differ_on_truncated_ballots() -> None:
    # B beats A 8-2 (margin 6), A beats C 10-7 (margin 3), C beats B 9-8 (margin 1).
    # Winning votes drop the weakest defeat by support, B>A (8): A wins.
    # Margins drop the narrowest, C>B (1): B wins.
    profile = make([(7, "C"), (8, "BA"), (2, "AC")], "ABC")
    winning = schulze(profile)
    assert winning.pairwise == [[0, 2, 10], [8, 0, 8], [7, 9, 0]]
    assert winning.elected_names == ["A"]
    assert winning.strongest_paths[0][1] == (9, 8)  # A-C-B, weakest link C>B 9-8
    assert winning.strongest_paths[1][0] == (8, 2)
    margins = schulze(profile, measure="margins")
    assert margins.elected_names == ["B"] and margins.measure == "margins"
    assert winning.to_json()["measure"] == "winning_votes"


def test_schulze_opposition_breaks_equal_support() -> None:
    # B beats A 6-5, A beats C 6-3, C beats B 8-3. Schulze's ">win" compares support, then
    # opposition, so A>C (6-3) is stronger than B>A (6-5): A's path to B (6, 3) beats B's path
    # to A (6, 5), and A alone wins. Support alone would leave A and C tied as potential winners.
    profile = make([(1, "BA"), (2, "B"), (3, ""), (3, "CB"), (5, "AC")], "ABC")
    result = schulze(profile)
    assert result.pairwise == [[0, 5, 6], [6, 0, 3], [3, 8, 0]]
    assert result.strongest_paths[0][1] == (6, 3)
    assert result.strongest_paths[1][0] == (6, 5)
    assert result.potential_winners == [0] and result.elected_names == ["A"]
    assert result.valid == 11


def test_schulze_withdrawn_and_json() -> None:
    profile = make(SCHULZE_1, "ABCDE", withdrawn=frozenset({4}))
    result = schulze(profile)
    assert 4 not in result.rounds[0].votes
    without = schulze(make([(c, r.replace("E", "")) for c, r in SCHULZE_1], "ABCDE"))
    assert result.potential_winners == [c for c in without.potential_winners if c != 4]
    data = result.to_json()
    assert set(data["pairwise"]) == {"A", "B", "C", "D"}
    assert data["pairwise"]["A"]["B"] == 20
    assert data["strongest_paths"]["A"]["D"] == [30, 15]
    json.dumps(data)


def test_schulze_rejects_several_seats_and_bad_measure() -> None:
    with pytest.raises(ProfileError):
        schulze(make(SCHULZE_1, "ABCDE", seats=2))
    with pytest.raises(ValueError, match="measure"):
        schulze(make(SCHULZE_1, "ABCDE"), measure="ranked pairs")  # type: ignore[arg-type]


# ---------------------------------------------------------------- random profiles

NAMES = "ABCDEF"


PERMUTATIONS = {n: list(itertools.permutations(range(n))) for n in range(2, 6)}


@st.composite
def profiles(draw: st.DrawFn, *, complete: bool = False, nonempty: bool = False) -> Profile:
    """Small profiles: 2-5 candidates, up to 9 distinct (possibly truncated) rankings."""
    n = draw(st.integers(2, 5))
    least = n if complete else (1 if nonempty else 0)
    # One composite draw per ballot keeps generation cheap enough for thousands of examples.
    ballot = st.tuples(st.sampled_from(PERMUTATIONS[n]), st.integers(least, n), st.integers(1, 6))
    ballots: dict[Ranking, int] = {}
    for order, length, weight in draw(st.lists(ballot, min_size=1, max_size=9)):
        ballots[order[:length]] = ballots.get(order[:length], 0) + weight
    return Profile(tuple(NAMES[:n]), 1, ballots)


def to_pref_voting(profile: Profile) -> object:
    """The same ballots as a pref_voting ProfileWithTies; unranked candidates tie below."""
    rankings = [{c: i + 1 for i, c in enumerate(r)} for r in profile.ballots]
    pv = pv_profiles.ProfileWithTies(
        rankings, rcounts=list(profile.ballots.values()), candidates=profile.continuing
    )
    pv.use_extended_strict_preference()
    return pv


def naive_pairwise(profile: Profile) -> list[list[int]]:
    n = len(profile.candidates)
    d = [[0] * n for _ in range(n)]
    for ranking, weight in profile.ballots.items():
        place = {c: i for i, c in enumerate(ranking)}
        for a in range(n):
            for b in range(n):
                if a != b and a in place and place[a] < place.get(b, n):
                    d[a][b] += weight
    return d


def random_profiles(count: int, *, seed: int, nonempty: bool = False) -> list[Profile]:
    """`count` small random profiles from a fixed seed: thousands cost well under a second."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        n = rng.randint(2, 5)
        ballots: dict[Ranking, int] = {}
        for _ in range(rng.randint(1, 9)):
            order = rng.sample(range(n), n)
            ranking = tuple(order[: rng.randint(1 if nonempty else 0, n)])
            ballots[ranking] = ballots.get(ranking, 0) + rng.randint(1, 6)
        made.append(Profile(tuple(NAMES[:n]), 1, ballots))
    return made


# Hypothesis explores and shrinks; the seeded sweeps add thousands of cases cheaply, since
# generating an example through hypothesis costs far more than counting it.
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SWEEP = 5000


def check_schulze(profile: Profile) -> None:
    """Sovet's Schulze against pref_voting's beat_path under both measures, and Condorcet."""
    pv = to_pref_voting(profile)
    big = profile.voters + 1
    # Schulze's ">win": more support is stronger, then less opposition. pref_voting compares one
    # number per link, so encode the pair as support * (voters + 1) - opposition, which orders
    # defeats exactly as ">win" does (opposition never exceeds the number of voters).
    winning = pv_margin.beat_path(
        pv, strength_function=lambda a, b: pv.support(a, b) * big - pv.support(b, a)
    )
    result = schulze(profile)
    assert result.potential_winners == winning
    assert result.elected[0] in winning
    # pref_voting's beat_path measures links by margin by default.
    margins = schulze(profile, measure="margins")
    assert margins.potential_winners == pv_margin.beat_path(pv)
    d = result.pairwise
    standing = profile.continuing
    condorcet = [a for a in standing if all(d[a][b] > d[b][a] for b in standing if b != a)]
    if condorcet:
        assert result.elected == margins.elected == condorcet


def check_irv(profile: Profile) -> None:
    """Sovet's IRV against pref_voting's, allowing for their different tie rules."""
    pv = to_pref_voting(profile)
    result = irv(profile)
    # pref_voting removes every candidate tied for fewest at once; Sovet removes one, looking back
    # at earlier rounds and then drawing lots. Parallel-universe tie-breaking (PUT) collects the
    # winners under every order of removing tied candidates, so Sovet's winner must be among them;
    # without any tie for fewest, both remove the same candidate each round and agree exactly.
    # (pref_voting counts on to the last two instead of stopping at a majority of continuing
    # votes; that cannot change the winner, whose majority only grows.)
    assert result.elected[0] in pv_iterative.instant_runoff_put(pv)
    if not any("tied" in r.note for r in result.rounds):
        assert pv_iterative.instant_runoff(pv) == result.elected


def check_plurality(profile: Profile) -> None:
    """Sovet's plurality against pref_voting's: same scores, winner among its winners."""
    pv = to_pref_voting(profile)
    expected = pv_scoring.plurality(pv)
    result = plurality(profile)
    assert result.elected[0] in expected
    assert [t.among for t in result.tie_breaks] == ([expected] if len(expected) > 1 else [])
    assert {c: int(v) for c, v in result.rounds[0].votes.items()} == pv.plurality_scores()


@FAST
@given(profiles())
def test_pairwise_matches_naive_count(profile: Profile) -> None:
    assert pairwise(profile) == naive_pairwise(profile)


@settings(FAST, max_examples=1500)
@given(profiles())
def test_schulze_matches_pref_voting(profile: Profile) -> None:
    check_schulze(profile)


def test_schulze_matches_pref_voting_sweep() -> None:
    for profile in random_profiles(SWEEP, seed=2011):
        check_schulze(profile)


@FAST
@given(profiles(complete=True))
def test_schulze_measures_agree_on_complete_rankings(profile: Profile) -> None:
    # With every candidate ranked, support + opposition is the same for every pair, so winning
    # votes, its opposition tie-break, and margins all order the defeats alike.
    assert (
        schulze(profile).potential_winners == schulze(profile, measure="margins").potential_winners
    )


@FAST
@given(profiles())
def test_irv_matches_pref_voting(profile: Profile) -> None:
    check_irv(profile)


def test_irv_matches_pref_voting_sweep() -> None:
    for profile in random_profiles(SWEEP, seed=2013):
        check_irv(profile)


@FAST
@given(profiles(nonempty=True))
def test_plurality_matches_pref_voting(profile: Profile) -> None:
    check_plurality(profile)


def test_plurality_matches_pref_voting_sweep() -> None:
    for profile in random_profiles(SWEEP, seed=1, nonempty=True):
        check_plurality(profile)


@FAST
@given(profiles(), st.integers(1, 5))
def test_approval_and_plurality_elect_the_highest(profile: Profile, seats: int) -> None:
    seats = min(seats, len(profile.candidates))
    profile = Profile(profile.candidates, seats, profile.ballots)
    approvals: Counter[int] = Counter()
    firsts: Counter[int] = Counter()
    for ranking, weight in profile.ballots.items():
        approvals.update(dict.fromkeys(ranking, weight))
        if ranking:
            firsts[ranking[0]] += weight
    for method, scores in ((approval, approvals), (plurality, firsts)):
        result = method(profile)
        assert len(set(result.elected)) == seats
        lowest_in = min(scores[c] for c in result.elected)
        assert all(scores[c] <= lowest_in for c in profile.continuing if c not in result.elected)
        assert result.rounds[0].votes == {c: Fraction(scores[c]) for c in profile.continuing}
