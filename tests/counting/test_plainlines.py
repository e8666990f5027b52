"""The bulk BLT line reader judges each line as a plain reading would, and reads plain lines
to the same ranking and weight; the BLT reader built on it names the line of a mistake deep in
a large file and reads lines it leaves to the tokenizer."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sovet.counting import formats
from sovet.counting.formats import FormatError, read_blt
from sovet.counting.plainlines import plain_lines
from sovet.counting.table import Keys


def reference(line: bytes, keys: Keys) -> tuple[int, tuple[int, ...]] | None:
    """(weight, ranking) of a plain line, read the slow and obvious way, or None."""
    if line.endswith(b"\r"):
        line = line[:-1]
    if re.search(rb"[^0-9 \t]", line):
        return None
    items = line.split()
    if len(items) < 2 or any(len(item) > 9 for item in items):
        return None
    weight, *candidates, end = map(int, items)
    ranking = tuple(c - 1 for c in candidates)
    if weight < 1 or end != 0 or len(ranking) > keys.capacity:
        return None
    if any(not 0 <= c < keys.candidates for c in ranking) or len(set(ranking)) != len(ranking):
        return None
    return weight, ranking


def gap(draw) -> bytes:
    return draw(st.sampled_from([b" ", b" ", b" ", b"  ", b"\t", b" \t "]))


@st.composite
def ballot_line(draw, candidates: int) -> bytes:
    """A plain line, often spoiled in one of the ways real files are."""
    ranking = draw(st.lists(st.integers(1, candidates), max_size=min(candidates, 14), unique=True))
    weight = draw(st.integers(1, 10**9 - 1))
    numbers = [str(weight).encode(), *(str(c).encode() for c in ranking), b"0"]
    if draw(st.booleans()):
        numbers = [b"0" * draw(st.integers(1, 2)) + n for n in numbers]  # leading zeros
    spoil = draw(
        st.sampled_from(
            ["none"] * 8
            + [
                "weight 0",
                "no end",
                "repeat",
                "zero inside",
                "too big",
                "letter",
                "comment",
                "blank",
                "long number",
                "lone CR",
                "only 0",
                "dash",
                "nick",
            ]
        )
    )
    if spoil == "weight 0":
        numbers[0] = b"0"
    elif spoil == "no end":
        numbers.pop()
    elif spoil == "repeat" and len(numbers) > 2:
        numbers.insert(2, numbers[1])
    elif spoil == "zero inside":
        numbers.insert(1, b"0")
    elif spoil == "too big":
        numbers.insert(1, str(candidates + draw(st.integers(1, 100))).encode())
    elif spoil == "letter":
        numbers.insert(draw(st.integers(0, len(numbers))), b"x")
    elif spoil == "comment":
        numbers.append(b"# why")
    elif spoil == "blank":
        numbers = []
    elif spoil == "long number":
        numbers[0] = b"1234567890"
    elif spoil == "only 0":
        numbers = [b"0"]
    elif spoil == "dash":
        numbers.insert(1, b"-")
    elif spoil == "nick":
        numbers.insert(1, b"alice")
    line = b""
    for number in numbers:
        line += (gap(draw) if line or draw(st.booleans()) else b"") + number
    if spoil == "lone CR":
        line += b"\r" + line
    if draw(st.integers(0, 5)) == 0:
        line += gap(draw)
    if draw(st.integers(0, 5)) == 0:
        line += b"\r"  # CR LF
    return line


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([1, 3, 12, 17, 63, 64, 70, 300]).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(ballot_line(n), max_size=60))
    )
)
def test_each_line_is_judged_and_read_as_a_plain_reading_would(case):
    candidates, lines = case
    keys = Keys(candidates)
    judged = plain_lines(b"".join(line + b"\n" for line in lines), keys)
    assert judged.plain.size == len(lines)
    for index, line in enumerate(lines):
        expected = reference(line, keys)
        assert bool(judged.plain[index]) == (expected is not None), line
        if expected is not None:
            weight, ranking = expected
            assert int(judged.weights[index]) == weight
            # Candidate c is the digit c + 1 in base 2**bits, the first preference lowest.
            key = sum((c + 1) << (keys.bits * at) for at, c in enumerate(ranking))
            assert int(judged.keys[index]) == key
    assert list(judged.stops) == [
        i for i, line in enumerate(lines) if reference(line, keys) is None
    ]


def test_a_chunk_must_end_with_its_last_line():
    with pytest.raises(ValueError, match="end with a newline"):
        plain_lines(b"1 2 0\n1 2", Keys(3))


def _big(tmp_path, candidates: int, ballots: list[str]):
    path = tmp_path / "big.blt"
    names = "\n".join(f'"C{i}"' for i in range(candidates))
    path.write_text(f"{candidates} 1\n" + "\n".join(ballots) + f'\n0\n{names}\n"Big"\n')
    return path


def test_a_mistake_deep_in_a_large_file_is_named_by_its_line(tmp_path):
    lines = [f"1 {1 + i % 5} {1 + (i + 1) % 5} 0" for i in range(60_000)]
    assert len("\n".join(lines)) > 5 * formats._BLT_CHUNK
    lines[41_234] = "1 2 3 2 0"
    with pytest.raises(FormatError) as error:
        read_blt(_big(tmp_path, 5, lines))
    assert error.value.line == 41_236  # the header is line 1, the first ballot line 2
    assert "ranked twice" in error.value.reason


def test_rankings_too_long_for_a_key_are_read_line_by_line(tmp_path):
    """300 candidates take 9 bits each: a key holds 7 of them; longer rankings still count."""
    short = [f"2 {c} {c + 1} 0" for c in range(1, 200)] * 100
    long = [f"1 {' '.join(str(c) for c in range(first, first + 12))} 0" for first in (1, 50)]
    profile = read_blt(_big(tmp_path, 300, short[:5000] + long + short[5000:] + long))
    expected = {(c - 1, c): 200 for c in range(1, 200)}
    expected |= {tuple(range(first - 1, first + 11)): 2 for first in (1, 50)}
    assert dict(profile.ballots) == expected


@pytest.mark.parametrize("bulk", [True, False])
def test_ballots_past_what_64_bits_can_add_are_refused(tmp_path, bulk):
    """Counts are summed in 64-bit integers, so a file of more than 2**62 ballots is refused,
    whether its heavy line comes among lines read in bulk or alone."""
    heavy = f"{2**62 + 1} 1 0"
    path = _big(tmp_path, 3, [*(["1 2 0"] * 10 if bulk else []), heavy])
    with pytest.raises(FormatError, match=r"more than Sovet counts \(2\*\*62\)"):
        read_blt(path)
