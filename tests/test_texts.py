"""Tests for sovet.texts: amendments, word-level changes, and their HTML and Markdown."""

from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sovet.texts import Segment, apply, changes, to_html, to_markdown

# Paragraph 1 of the party rules at the Second Congress (1903), as the two drafts put it.
LENIN = (
    "A member of the Party is one who accepts its programme and supports the Party both "
    "financially and by personal participation in one of the Party organisations."
)
MARTOV = (
    "A member of the Russian Social-Democratic Labour Party is one who accepts its programme, "
    "supports the Party financially, and renders it regular personal assistance under the "
    "direction of one of its organisations."
)


def joined(segments, without):
    return "".join(segment.text for segment in segments if segment.kind != without)


def test_paragraph_one_changes_round_trip():
    segments = changes(LENIN, MARTOV)
    assert joined(segments, without="inserted") == LENIN
    assert joined(segments, without="deleted") == MARTOV
    assert Segment("deleted", "participation in ") in segments
    assert Segment("inserted", "assistance under the direction of ") in segments
    assert Segment("same", "organisations.") == segments[-1]


def test_paragraph_one_as_html():
    page = to_html(changes(LENIN, MARTOV))
    assert page.startswith("A member of the <ins>Russian Social-Democratic Labour</ins> Party is")
    assert "<del>programme and</del> <ins>programme,</ins> supports" in page
    assert "<del>both financially</del> <ins>financially,</ins> and" in page
    assert (
        "personal <del>participation in</del> <ins>assistance under the direction of</ins>" in page
    )
    assert "one of <del>the Party</del> <ins>its</ins> organisations." in page


def test_paragraph_one_as_markdown():
    text = to_markdown(changes(LENIN, MARTOV))
    assert "personal ~~participation in~~ **assistance under the direction of** one of" in text
    assert text.endswith("one of ~~the Party~~ **its** organisations.")


def test_amendments_reach_martov_from_lenin():
    text = apply(LENIN, "of the Party is", "of the Russian Social-Democratic Labour Party is")
    text = apply(text, "programme and supports", "programme, supports")
    old = "both financially and by personal participation in one of the Party organisations."
    new = (
        "financially, and renders it personal assistance under the direction of its organisations."
    )
    # An amendment to the amendment changes only its new words; the motion stays untouched.
    new = apply(new, "renders it personal", "renders it regular personal")
    new = apply(new, "direction of its", "direction of one of its")
    assert apply(text, old, new) == MARTOV


@pytest.mark.parametrize(
    ("text", "old", "new", "result"),
    [
        ("the Party organisations", "Party ", "", "the organisations"),
        ("one who accepts", "one who accepts", "whoever accepts", "whoever accepts"),
        # Inserting: the neighbouring word is replaced by itself and the new words.
        (
            "accepts its programme",
            "accepts",
            "accepts and defends",
            "accepts and defends its programme",
        ),
        ("", "", "A new motion.", "A new motion."),
    ],
)
def test_apply(text, old, new, result):
    assert apply(text, old, new) == result


@pytest.mark.parametrize(
    ("old", "message"),
    [
        ("Bund", r"the words to replace, 'Bund', occur 0 times, not once$"),
        ("the Party", "'the Party', occur 3 times, not once"),
        ("", r"occur 160 times, not once; to insert, replace the neighbouring words"),
    ],
)
def test_apply_needs_exactly_one_occurrence(old, message):
    with pytest.raises(ValueError, match=message):
        apply(LENIN, old, "x")


def test_overlapping_occurrences_are_ambiguous():
    with pytest.raises(ValueError, match="occur 2 times"):
        apply("aaa", "aa", "b")


def test_changes_keep_whitespace_outside_the_markup():
    segments = changes("a b\n\nc", "a c")
    assert segments == [
        Segment("same", "a "),
        Segment("deleted", "b\n\n"),
        Segment("same", "c"),
    ]
    assert to_html(segments) == "a <del>b</del>\n\nc"
    assert to_markdown(segments) == "a ~~b~~\n\nc"


def test_no_changes():
    assert changes(LENIN, LENIN) == [Segment("same", LENIN)]
    assert changes("", "") == []
    assert to_html([]) == ""


def test_html_escapes_everything():
    segments = [
        Segment("same", 'x<y "z" '),
        Segment("deleted", "a&b "),
        Segment("inserted", "<script>"),
    ]
    assert to_html(segments) == (
        "x&lt;y &quot;z&quot; <del>a&amp;b</del> <ins>&lt;script&gt;</ins>"
    )


def test_markdown_escapes_its_specials():
    segments = [
        Segment("same", "*a* [b](c) "),
        Segment("deleted", "~~d~~ "),
        Segment("inserted", "_e_ #1 `f` | <g> \\"),
    ]
    assert to_markdown(segments) == (
        r"\*a\* \[b\](c) ~~\~\~d\~\~~~ **\_e\_ \#1 \`f\` \| \<g\> \\**"
    )


# Texts from few words and varied spacing, so that versions share much and differ somewhere.
words = st.sampled_from(["the", "Party", "member", "programme,", "<&*~>", "organisations."])
spaces = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", ""])
texts = st.lists(st.tuples(spaces, words), max_size=12).map(
    lambda pairs: "".join(space + word for space, word in pairs)
) | st.text(max_size=40)


@given(texts, texts)
def test_changes_round_trip(before, after):
    segments = changes(before, after)
    assert joined(segments, without="inserted") == before
    assert joined(segments, without="deleted") == after
    assert all(segment.text for segment in segments)
    assert all(a.kind != b.kind for a, b in pairwise(segments))


@given(texts, st.text(min_size=1, max_size=10), texts, texts)
def test_apply_replaces_the_one_occurrence(head, old, tail, new):
    text = head + old + tail
    assume(old not in text[text.index(old) + 1 :])
    assert apply(text, old, new) == head + new + tail
