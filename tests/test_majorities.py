"""Tests for sovet.majorities: hand-worked polls, quorum, choices, knockouts, and properties."""

import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sovet.majorities import (
    Base,
    Choice,
    ChoiceRule,
    Pairing,
    Rule,
    choose,
    decide,
    has_quorum,
    knockout,
    quorum_needed,
    quorum_sentence,
    yes_needed,
)

HALF = Fraction(1, 2)

# Each row: yes, no, abstain, present, entitled, rule, base, adopted, base size, threshold.
HAND_CASES = [
    pytest.param(
        # Paragraph 1 at the Second Congress (1903): Martov's formulation, 28 to 22, 1 abstention.
        28, 22, 1, 51, 51, Rule.SIMPLE, None, True, 50, 26, id="simple-1903",
    ),
    pytest.param(25, 25, 0, 50, 60, Rule.SIMPLE, None, False, 50, 26, id="simple-tie-rejects"),
    pytest.param(
        # Abstentions are not in the base: 10 to 9 passes however many abstain.
        10, 9, 30, 49, 60, Rule.SIMPLE, None, True, 19, 10, id="simple-abstentions-ignored",
    ),
    pytest.param(0, 0, 5, 5, 5, Rule.SIMPLE, None, False, 0, 1, id="simple-nobody-voted"),
    pytest.param(
        # More than half of 60 entitled is 31, whatever the 20 absent would have voted.
        28, 10, 2, 40, 60, Rule.ABSOLUTE, None, False, 60, 31, id="absolute-absentees-count",
    ),
    pytest.param(26, 0, 0, 30, 51, Rule.ABSOLUTE, None, True, 51, 26, id="absolute-odd"),
    pytest.param(
        26, 0, 0, 30, 51, Rule.ABSOLUTE, Base.ENTITLED, True, 51, 26, id="absolute-base-named"
    ),
    pytest.param(
        # At least two thirds: 20 * 3 >= 30 * 2 exactly.
        20, 10, 0, 30, 30, Rule.TWO_THIRDS, None, True, 30, 20, id="two-thirds-exactly",
    ),
    pytest.param(
        # 29 cast: 2/3 * 29 = 19.33, so 20 needed.
        19, 10, 0, 29, 30, Rule.TWO_THIRDS, Base.CAST, False, 29, 20, id="two-thirds-short",
    ),
    pytest.param(
        # 33 present: the abstainers count against, 22 needed.
        20, 10, 3, 33, 40, Rule.TWO_THIRDS, Base.PRESENT, False, 33, 22, id="two-thirds-present",
    ),
    pytest.param(
        40, 0, 0, 40, 60, Rule.TWO_THIRDS, Base.ENTITLED, True, 60, 40, id="two-thirds-entitled"
    ),
    pytest.param(
        30, 10, 0, 40, 40, Rule.THREE_QUARTERS, None, True, 40, 30, id="three-quarters-exactly"
    ),
    pytest.param(
        29, 10, 0, 40, 40, Rule.THREE_QUARTERS, None, False, 39, 30, id="three-quarters-short"
    ),
    pytest.param(
        30, 20, 0, 50, 50, Fraction(3, 5), None, True, 50, 30, id="three-fifths-exactly"
    ),
    pytest.param(
        # A share is "at least": half of the votes cast adopts on a tie, a simple majority not.
        25, 25, 0, 50, 50, HALF, None, True, 50, 25, id="share-half-tie-adopts",
    ),
    pytest.param(0, 0, 0, 0, 0, Rule.TWO_THIRDS, None, False, 0, 1, id="qualified-empty"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "present", "entitled", "rule", "base", "adopted", "size", "needed"),
    HAND_CASES,
)
def test_hand_cases(yes, no, abstain, present, entitled, rule, base, adopted, size, needed):
    decision = decide(
        yes=yes, no=no, abstain=abstain, present=present, entitled=entitled, rule=rule, base=base
    )
    assert (decision.adopted, decision.base_size, decision.threshold) == (adopted, size, needed)
    assert decision.yes == yes
    assert decision.rule == rule


@pytest.mark.parametrize(
    ("rule", "base", "yes", "sentence"),
    [
        (Rule.SIMPLE, None, 28, "adopted: 28 yes of 50 votes cast (more than half needed: 26)"),
        (Rule.SIMPLE, None, 25, "rejected: 25 yes of 50 votes cast (more than half needed: 26)"),
        (
            Rule.ABSOLUTE,
            None,
            28,
            "adopted: 28 yes of 55 votes entitled (more than half needed: 28)",
        ),
        (
            Rule.TWO_THIRDS,
            Base.PRESENT,
            28,
            "rejected: 28 yes of 51 votes present (at least two thirds needed: 34)",
        ),
        (
            Rule.THREE_QUARTERS,
            None,
            28,
            "rejected: 28 yes of 50 votes cast (at least three quarters needed: 38)",
        ),
        (Fraction(3, 5), None, 30, "adopted: 30 yes of 50 votes cast (at least 3/5 needed: 30)"),
    ],
)
def test_sentences(rule, base, yes, sentence):
    decision = decide(
        yes=yes, no=50 - yes, abstain=1, present=51, entitled=55, rule=rule, base=base
    )
    assert decision.sentence == sentence


def test_decision_names_its_base():
    decision = decide(yes=3, no=1, present=6, entitled=9, rule=Rule.TWO_THIRDS, base="present")
    assert decision.base is Base.PRESENT
    assert decision.base.label == "votes present"


def test_rule_given_as_its_stored_value():
    decision = decide(yes=2, no=1, present=3, entitled=3, rule="two_thirds")
    assert decision.rule is Rule.TWO_THIRDS
    assert decision.adopted


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (dict(yes=-1, no=0, present=0, entitled=0), "yes must be a non-negative integer, not -1"),
        (dict(yes=1, no=0, invalid=-2, present=1, entitled=1), "invalid must be"),
        (dict(yes=1.5, no=0, present=2, entitled=2), "yes must be a non-negative integer"),
        (
            dict(yes=3, no=2, abstain=1, invalid=1, present=6, entitled=9),
            r"yes, no, abstain and invalid votes \(7\) exceed the votes present \(6\)",
        ),
        (
            dict(yes=3, no=2, present=10, entitled=9),
            r"votes present \(10\) exceed the votes entitled \(9\)",
        ),
    ],
)
def test_impossible_tallies_refused(counts, message):
    with pytest.raises(ValueError, match=message):
        decide(**counts, rule=Rule.SIMPLE)


@pytest.mark.parametrize(
    ("rule", "base", "message"),
    [
        (
            Rule.SIMPLE,
            Base.PRESENT,
            "the simple majority counts the votes cast, not the votes present",
        ),
        (Rule.ABSOLUTE, Base.CAST, "the absolute majority counts the votes entitled"),
        ("unanimous", None, "unknown Rule 'unanimous'; use one of 'simple', 'absolute'"),
        (Rule.TWO_THIRDS, "quorum", "unknown Base 'quorum'"),
        (Fraction(0), None, "share"),
        (Fraction(3, 2), None, "share"),
    ],
)
def test_bad_rule_or_base_refused(rule, base, message):
    with pytest.raises(ValueError, match=message):
        decide(yes=1, no=0, present=1, entitled=1, rule=rule, base=base)


@pytest.mark.parametrize(
    ("entitled", "share", "needed"),
    [
        (51, HALF, 26),
        (50, HALF, 25),
        (60, Fraction(2, 3), 40),
        (61, Fraction(2, 3), 41),
        (7, Fraction(1), 7),
        # An empty body never has a quorum: at least one vote must be present.
        (0, HALF, 1),
    ],
)
def test_quorum_needed(entitled, share, needed):
    assert quorum_needed(entitled, share) == needed


def test_quorum_sentences():
    assert quorum_sentence(36, 51, HALF) == "quorum: 36 of 51 votes present, 26 needed"
    assert quorum_sentence(26, 51, HALF) == "quorum: 26 of 51 votes present, 26 needed"
    assert quorum_sentence(25, 51, HALF) == "no quorum: 25 of 51 votes present, 26 needed"


def test_quorum_refuses_impossible_counts():
    with pytest.raises(ValueError, match=r"votes present \(52\) exceed the votes entitled \(51\)"):
        has_quorum(52, 51, HALF)
    with pytest.raises(ValueError, match="entitled must be a non-negative integer"):
        quorum_needed(-1, HALF)
    with pytest.raises(ValueError, match="share"):
        has_quorum(1, 1, Fraction(0))


@pytest.mark.parametrize(
    ("votes", "rule", "winner", "tied", "sentence"),
    [
        (
            {"A": 20, "B": 15, "C": 10},
            ChoiceRule.PLURALITY,
            "A",
            (),
            "A chosen: 20 of 45 votes cast, the most",
        ),
        (
            {"A": 20, "B": 15, "C": 10},
            ChoiceRule.MAJORITY,
            None,
            (),
            "no choice: A leads with 20 of 45 votes cast (more than half needed: 23)",
        ),
        (
            {"A": 23, "B": 22},
            ChoiceRule.MAJORITY,
            "A",
            (),
            "A chosen: 23 of 45 votes cast (more than half needed: 23)",
        ),
        (
            # The tied options come in the order given.
            {"C": 5, "B": 20, "A": 20},
            ChoiceRule.PLURALITY,
            None,
            ("B", "A"),
            "no choice: B and A tied with 20 of 45 votes cast each",
        ),
        (
            {"A": 22, "B": 22, "C": 1},
            ChoiceRule.MAJORITY,
            None,
            ("A", "B"),
            "no choice: A and B tied with 22 of 45 votes cast each (more than half needed: 23)",
        ),
        (
            {"A": 3, "B": 3, "C": 3},
            ChoiceRule.PLURALITY,
            None,
            ("A", "B", "C"),
            "no choice: A, B and C tied with 3 of 9 votes cast each",
        ),
        ({"A": 0}, ChoiceRule.PLURALITY, None, (), "no choice: no votes cast"),
        ({"A": 1}, "majority", "A", (), "A chosen: 1 of 1 votes cast (more than half needed: 1)"),
    ],
)
def test_choices(votes, rule, winner, tied, sentence):
    assert choose(votes, rule) == Choice(
        ChoiceRule(rule), winner, tied, sum(votes.values()), sentence
    )


def test_bad_choices_refused():
    with pytest.raises(ValueError, match="no options"):
        choose({}, ChoiceRule.PLURALITY)
    with pytest.raises(ValueError, match="votes for 'B' must be a non-negative integer, not -1"):
        choose({"A": 1, "B": -1}, ChoiceRule.PLURALITY)
    with pytest.raises(ValueError, match="unknown ChoiceRule 'approval'"):
        choose({"A": 1}, "approval")


# Who wins each pairing, by a table drawn up in advance.
PREFERRED = {
    frozenset({"Lenin", "Martov"}): "Martov",
    frozenset({"Lenin", "Axelrod"}): "Lenin",
    frozenset({"Martov", "Axelrod"}): "Martov",
}


def table(first, second):
    return PREFERRED[frozenset({first, second})]


def test_knockout_order_and_survivor():
    survivor, pairings = knockout(["Axelrod", "Lenin", "Martov"], table)
    assert survivor == "Martov"
    assert pairings == [
        Pairing("Axelrod", "Lenin", "Lenin"),
        Pairing("Lenin", "Martov", "Martov"),
    ]


def test_knockout_holds_each_vote_once_in_order():
    held = []

    def first_wins(first, second):
        held.append((first, second))
        return first

    survivor, pairings = knockout(["A", "B", "C", "D"], first_wins)
    assert survivor == "A"
    assert held == [("A", "B"), ("A", "C"), ("A", "D")]
    assert [tuple(pairing) for pairing in pairings] == [(*pair, "A") for pair in held]


def test_knockout_of_one_formulation_needs_no_vote():
    assert knockout(["Lenin"], table) == ("Lenin", [])


def test_knockout_refusals():
    with pytest.raises(ValueError, match="no formulations"):
        knockout([], table)
    with pytest.raises(ValueError, match="'Lenin' is listed more than once"):
        knockout(["Lenin", "Martov", "Lenin"], table)
    with pytest.raises(ValueError, match="returned 'status quo', which is neither"):
        knockout(["Lenin", "Martov"], lambda first, second: "status quo")


# Properties.

counts = st.integers(0, 40)
more_than_half = st.sampled_from([(Rule.SIMPLE, None), (Rule.ABSOLUTE, None)])
shares = st.sampled_from([Rule.TWO_THIRDS, Rule.THREE_QUARTERS]) | st.fractions(
    min_value=Fraction(1, 20), max_value=1, max_denominator=20
)
rules = more_than_half | st.tuples(shares, st.sampled_from(Base))


@st.composite
def polls(draw):
    yes, no, abstain, invalid, away, absent = (draw(counts) for _ in range(6))
    present = yes + no + abstain + invalid + away
    rule, base = draw(rules)
    return dict(
        yes=yes,
        no=no,
        abstain=abstain,
        invalid=invalid,
        present=present,
        entitled=present + absent,
        rule=rule,
        base=base,
    )


def possible(poll):
    ballots = [poll[name] for name in ("yes", "no", "abstain", "invalid")]
    return min(ballots) >= 0 and sum(ballots) <= poll["present"] <= poll["entitled"]


@given(polls())
def test_one_more_yes_never_rejects(poll):
    moves = [
        {"no": -1},
        {"abstain": -1},
        {"invalid": -1},
        {},  # a delegate present who had not voted
        {"present": 1, "entitled": 1},  # a newly accredited delegate
    ]
    if not decide(**poll).adopted:
        return
    for move in moves:
        changed = {**poll, "yes": poll["yes"] + 1}
        for name, step in move.items():
            changed[name] += step
        if possible(changed):
            assert decide(**changed).adopted, move


@given(polls())
def test_threshold_is_exact(poll):
    decision = decide(**poll)
    needed, size = decision.threshold, decision.base_size
    assert decision.adopted == (decision.yes >= needed)
    if decision.rule in (Rule.SIMPLE, Rule.ABSOLUTE):
        assert 2 * needed > size >= 2 * (needed - 1)
    else:
        share = {Rule.TWO_THIRDS: Fraction(2, 3), Rule.THREE_QUARTERS: Fraction(3, 4)}.get(
            decision.rule, decision.rule
        )
        assert needed >= share * size
        assert needed == 1 or needed - 1 < share * size
    assert yes_needed(decision.rule, size) == needed
    # Moving votes between yes and no keeps every base: threshold - 1 fails, threshold passes.
    voted = poll["yes"] + poll["no"]
    for yes in (needed - 1, needed):
        if 0 <= yes <= voted:
            moved = decide(**{**poll, "yes": yes, "no": voted - yes})
            assert moved.base_size == size
            assert moved.adopted == (yes == needed)


@given(polls())
def test_sentence_states_the_numbers(poll):
    decision = decide(**poll)
    numbers = [int(number) for number in re.findall(r"\d+", decision.sentence)]
    assert decision.sentence.startswith("adopted: " if decision.adopted else "rejected: ")
    assert (numbers[0], numbers[1], numbers[-1]) == (
        decision.yes,
        decision.base_size,
        decision.threshold,
    )
    assert decision.base.label in decision.sentence


@given(
    st.fractions(min_value=Fraction(1, 1000), max_value=1),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)
def test_quorum_is_exact_and_monotonic(share, entitled, present):
    present = min(present, entitled)
    needed = quorum_needed(entitled, share)
    assert needed >= 1
    assert needed >= share * entitled
    assert needed == 1 or needed - 1 < share * entitled
    assert has_quorum(present, entitled, share) == (present >= needed)
    sentence = quorum_sentence(present, entitled, share)
    assert [int(n) for n in re.findall(r"\d+", sentence)] == [present, entitled, needed]


@given(st.lists(counts, min_size=1, max_size=6), st.sampled_from(ChoiceRule))
def test_a_winner_has_the_most_votes_alone(tally, rule):
    votes = {f"option {index}": count for index, count in enumerate(tally)}
    choice = choose(votes, rule)
    cast = sum(tally)
    assert choice.votes_cast == cast
    if choice.winner is not None:
        assert all(
            count < votes[choice.winner]
            for option, count in votes.items()
            if option != choice.winner
        )
        assert rule is ChoiceRule.PLURALITY or 2 * votes[choice.winner] > cast
        assert choice.tied == ()
    elif rule is ChoiceRule.PLURALITY:
        assert cast == 0 or len(choice.tied) > 1
