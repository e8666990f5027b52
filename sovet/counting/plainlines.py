"""Plain BLT ballot lines (`weight c1 c2 ... 0`), judged and read a chunk at a time with numpy.

A chunk's bytes are classified, cut into numbers and lines, and every line is found plain or
not. A plain line is whitespace-separated numbers only: a weight above 0, candidates 1..n each
at most once, and the 0 that ends the ballot. Everything else (the header, comments,
nicknames, `-` skips, ballot IDs, the closing 0, names, and every mistake) is left to the BLT
tokenizer, which reads it line by line and names the line of any error. Whether a line is
plain never depends on the lines before it, so a chunk is judged once; the tokenizer decides,
at each line, whether it stands where plain ballot lines may be taken.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sovet.counting.table import Keys

__all__ = ["PlainLines", "plain_lines"]

DIGIT, SPACE, NEWLINE, CR, OTHER = 0, 1, 2, 3, 4
_KIND = np.full(256, OTHER, dtype=np.uint8)
_KIND[ord("0") : ord("9") + 1] = DIGIT
_KIND[[ord(" "), ord("\t")]] = SPACE
_KIND[ord("\n")] = NEWLINE
_KIND[ord("\r")] = CR
_LONGEST = 9  # digits of a number read here: longer ones are left to the tokenizer

Int = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PlainLines:
    """The lines of a chunk (each ended by a newline): where each ends, and the plain ones."""

    ends: Int  # offset just past each line's newline
    plain: npt.NDArray[np.bool_]
    keys: npt.NDArray[np.uint64]  # of each line's ranking (meaningless where not plain)
    weights: Int
    stops: Int  # indices of the lines that are not plain

    def run(self, line: int) -> int:
        """How many plain lines follow one another from `line` on."""
        at = int(np.searchsorted(self.stops, line))
        upto = int(self.stops[at]) if at < self.stops.size else int(self.plain.size)
        return max(upto - line, 0)


def plain_lines(chunk: bytes, keys: Keys) -> PlainLines:
    """Judge every line of `chunk` (whole lines, each ended by a newline); read the plain ones."""
    if chunk and not chunk.endswith(b"\n"):
        raise ValueError("plain_lines takes whole lines: the chunk must end with a newline")
    a = np.frombuffer(chunk, dtype=np.uint8)
    kind = _KIND[a]
    newline = np.flatnonzero(kind == NEWLINE)
    lines = int(newline.size)
    cr = np.flatnonzero(kind == CR)
    if cr.size:
        # CR LF ends a line like LF; a lone CR is a line break only the tokenizer handles.
        inside = cr[cr + 1 < a.size]
        kind[inside[a[inside + 1] == ord("\n")]] = SPACE
    plain = np.ones(lines, dtype=np.bool_)
    plain[np.searchsorted(newline, np.flatnonzero(kind >= CR))] = False

    edge = np.diff((kind == DIGIT).view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edge == 1)
    length = np.flatnonzero(edge == -1) - starts
    numbers = int(starts.size)
    # Each line's first number: found for the lines' starts among the numbers' starts (a
    # search per line, not per number).
    first = np.searchsorted(starts, np.concatenate(([0], newline[:-1] + 1)))
    per_line = np.diff(first, append=numbers)
    plain[np.searchsorted(first, np.flatnonzero(length > _LONGEST), side="right") - 1] = False
    value = a[starts].astype(np.int64) - ord("0")
    for at in range(1, min(int(length.max(initial=0)), _LONGEST)):
        more = np.flatnonzero(length > at)
        value[more] = value[more] * 10 + (a[starts[more] + at].astype(np.int64) - ord("0"))

    ranked = per_line - 2
    plain &= (per_line >= 2) & (ranked <= keys.capacity)
    if not numbers:
        nothing = np.zeros(lines, dtype=np.int64)
        return PlainLines(newline + 1, plain, nothing.astype(np.uint64), nothing, np.arange(lines))
    # A line's candidates are its numbers after the first (the weight) and before the last (the
    # 0). Sums over them are differences of running sums at `head` and `tail`; unsigned sums
    # wrap around and their differences stay exact, and whatever the weight and the 0 add
    # cancels out.
    head = np.minimum(first, numbers - 1)
    tail = np.clip(first + per_line - 2, 0, numbers - 1)
    weights = value[head]
    plain &= (weights > 0) & (value[np.minimum(tail + 1, numbers - 1)] == 0)
    outside = np.cumsum((value < 1) | (value > keys.candidates), dtype=np.int64)
    plain &= outside[tail] == outside[head]
    position = np.arange(numbers, dtype=np.int64) - np.repeat(first + 1, per_line)
    digits = value.astype(np.uint64) << (position * keys.bits).astype(np.uint64)
    running = np.cumsum(digits)
    line_keys = running[tail] - running[head]
    if keys.candidates <= 63:
        # k different powers of two add up to k one-bits; a repeated candidate carries: fewer.
        running = np.cumsum(np.uint64(1) << value.astype(np.uint64))
        plain &= np.bitwise_count(running[tail] - running[head]) == ranked
    else:
        line = np.repeat(np.arange(lines), per_line)
        _refuse_repeats(plain, line, value, position, ranked, keys.capacity)
    return PlainLines(newline + 1, plain, line_keys, weights, np.flatnonzero(~plain))


def _refuse_repeats(
    plain: npt.NDArray[np.bool_], line: Int, value: Int, position: Int, ranked: Int, capacity: int
) -> None:
    """Mark lines that rank a candidate twice as not plain (the tokenizer names the error)."""
    use = (position >= 0) & (position < np.minimum(ranked, capacity)[line])
    rows = np.zeros((plain.size, capacity), dtype=np.int64)
    rows[line[use], position[use]] = value[use]
    rows.sort(axis=1)
    plain &= ~((rows[:, 1:] == rows[:, :-1]) & (rows[:, 1:] != 0)).any(axis=1)
