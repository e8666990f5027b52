"""Reading and writing ballot files. Bad input raises FormatError naming the line.

Readers stream: a file is read in chunks, and memory grows with the number of distinct
rankings, never with the number of ballots. In BLT, runs of plain ballot lines (numbers only)
are read a chunk at a time with numpy (`plainlines`) into a table of distinct rankings
(`table.RankingTable`); everything else goes through the tokenizer, line by line. In the other
formats a line already seen is counted by a dictionary lookup on its bytes.

Formats: BLT (OpenSTV, Droop, ERS, Loomio), PrefLib `.soi`/`.toi`, ranked-ballot CSV (the
scot-elex Scottish ward format, a cast-vote record with rank1..rankN columns of names, and
VoteKit's RankProfile CSV). Sovet's rankings are strict, so equal rankings (BLT `b=c`, PrefLib
`{a,b}`, VoteKit `{'a','b'}`) are refused with the line that holds them rather than guessed at.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sovet.counting.plainlines import PlainLines, plain_lines
from sovet.counting.profile import MOST_BALLOTS, Profile, ProfileError
from sovet.counting.table import Keys

__all__ = [
    "BltOptions",
    "FormatError",
    "Progress",
    "parse_blt",
    "profile_to_json",
    "read_ballots",
    "read_blt",
    "read_preflib",
    "read_ranked_csv",
    "write_blt",
]

Ranking = tuple[int, ...]
Progress = Callable[[int, int], None]
"""Called with (bytes read, total bytes) after each chunk read, the last time with both equal."""

_CHUNK = 1 << 20
_BLT_CHUNK = 1 << 15  # small enough that the bulk reader's arrays are reused, not mapped anew
_SEEN = 1 << 16  # lines the per-line reader remembers
_BOM = b"\xef\xbb\xbf"
EXTENSIONS = {".blt": "BLT", ".soi": "PrefLib", ".toi": "PrefLib", ".csv": "CSV"}


class FormatError(ValueError):
    """A ballot file that cannot be read: the message names the line and what is wrong."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


# ---------------------------------------------------------------------------------------------
# Shared plumbing


def _raw_chunks(path: Path, progress: Progress | None, size: int = _CHUNK) -> Iterator[bytes]:
    """Yield the file's bytes `size` at a time, each piece cut after a newline where it has one."""
    total = path.stat().st_size
    done, tail = 0, b""
    with path.open("rb") as stream:
        while chunk := stream.read(size):
            if not done and chunk.startswith(_BOM):
                done, chunk = len(_BOM), chunk[len(_BOM) :]
            done += len(chunk)
            buffer = tail + chunk if tail else chunk
            # Cutting after a newline never splits a CRLF pair between two chunks.
            cut = buffer.rfind(b"\n") + 1
            tail = buffer[cut:]
            if cut:
                yield buffer[:cut]
            if progress is not None:
                progress(done, total)
    if tail:
        yield tail


def _raw_lines(path: Path, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, line bytes without its end)."""
    before = 0
    for buffer in _raw_chunks(path, progress):
        lines = buffer.splitlines()
        yield from enumerate(lines, before + 1)
        before += len(lines)


def _decode(path: Path, number: int, raw: bytes) -> str:
    """Return a line as text, or say where it stops being UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(
            path,
            number,
            f"not UTF-8 text (byte 0x{raw[error.start]:02x} at column {error.start + 1})",
        ) from None


def _text_lines(path: Path, progress: Progress | None) -> Iterator[str]:
    """Yield decoded lines with their line ends, for the csv module."""
    for number, raw in _raw_lines(path, progress):
        yield _decode(path, number, raw) + "\n"


def _merge(
    counts: dict[Any, int], rankings: dict[Any, Ranking], other: dict[Ranking, int]
) -> dict[Ranking, int]:
    """Fold line-keyed counts into ranking-keyed ones, freeing the line keys as it goes."""
    ballots = other
    while counts:
        key, weight = counts.popitem()
        ranking = rankings.pop(key)
        ballots[ranking] = ballots.get(ranking, 0) + weight
    return ballots


def _profile(path: Path, line: int, **fields: Any) -> Profile:
    """Build a Profile, turning its complaints into a FormatError at `line`."""
    try:
        return Profile(**fields)
    except ProfileError as error:
        raise FormatError(path, line, str(error)) from None


def _seats(path: Path, seats: int | None) -> None:
    """Refuse a seats override below 1."""
    if seats is not None and seats < 1:
        raise FormatError(path, 0, f"seats must be at least 1, not {seats}")


def _whole(path: Path, line: int, text: str, what: str) -> int:
    """Read a non-negative whole number, allowing a decimal point with zeros after it (`2.0`)."""
    match = re.fullmatch(r"(\d+)(?:\.(\d*))?", text)
    if match is None:
        if re.fullmatch(r"-\d+(?:\.\d*)?", text):
            raise FormatError(path, line, f"{what} {text} is negative")
        raise FormatError(path, line, f"{text!r} is not {what}")
    if match.group(2) and match.group(2).strip("0"):
        raise FormatError(
            path, line, f"{what} {text} is not a whole number (Sovet counts whole ballots)"
        )
    return int(match.group(1))


# ---------------------------------------------------------------------------------------------
# BLT


@dataclass(frozen=True)
class BltOptions:
    """What a BLT file says beyond the profile: Droop's option lines and the trailing strings."""

    nicknames: tuple[str, ...] = ()
    tie_order: tuple[int, ...] = ()  # [tie]: candidate indices, as Droop breaks ties by lot
    droop: tuple[str, ...] = ()  # [droop ...]: counting options such as `precision=6`
    undeclared: frozenset[int] = frozenset()  # [undeclared ...]: write-ins (Minneapolis rule)
    source: str = ""  # Wichmann's quoted source string after the title
    comment: str = ""  # and his quoted comment string after that
    ballot_ids: bool = False  # the ballots carried OpenSTV `(id)` labels (ignored)


_BLT_TOKEN = re.compile(r'"[^"]*"?|[^\s"]+')
_OPTIONS = ("nick", "withdrawn", "tie", "droop", "undeclared")


class _BltSource:
    """Tokens of a BLT file; runs of plain ballot lines are read in bulk and never tokenized."""

    def __init__(self, path: Path, progress: Progress | None) -> None:
        self.path = path
        self.chunks = _raw_chunks(path, progress, _BLT_CHUNK)
        self.line = 0
        self.fast = False  # set while the parser waits for the first token of a ballot
        self.keys: Keys | None = None  # plain ballot lines, once the candidates are known
        self.cid: dict[bytes, int] = {}
        self.seen: dict[bytes, Ranking] = {}  # text after the weight -> its ranking
        self.ballots: dict[Ranking, int] = {}  # ballots of other lines read without tokens

    def tokens(self) -> Iterator[str]:
        """Yield tokens, skipping `#` and `/* */` comments; quoted strings are one token."""
        depth, number = 0, 0
        for buffer in self.chunks:
            whole = buffer[: buffer.rfind(b"\n") + 1]
            judged: PlainLines | None = None
            offset, index = 0, 0  # where the next line starts, and its index in `whole`
            while offset < len(buffer):
                if self.fast and not depth and self.keys is not None and offset < len(whole):
                    if judged is None:
                        judged = plain_lines(whole, self.keys)
                    run = judged.run(index)
                    if run:
                        taken = slice(index, index + run)
                        self.keys.add(judged.keys[taken], judged.weights[taken])
                        index, number = index + run, number + run
                        offset = int(judged.ends[index - 1])
                        continue
                stop = buffer.find(b"\n", offset) + 1 or len(buffer)
                for raw in buffer[offset:stop].splitlines():
                    number += 1
                    if self.fast and not depth and self._counted(raw):
                        continue
                    self.line = number
                    text = _decode(self.path, number, raw)
                    for token in _BLT_TOKEN.findall(text):
                        if not depth and token[0] == '"':
                            yield token
                            continue
                        if token.startswith("/*"):
                            depth += 1
                        if depth:
                            if token.endswith("*/") and token != "/*":
                                depth -= 1
                            continue
                        if token[0] == "#":
                            break
                        yield token
                offset, index = stop, index + 1
        self.line = number  # errors at the end of the file name its last line

    def _counted(self, raw: bytes) -> bool:
        """Count a line `weight c1 c2 ... 0` of numbers or nicknames without tokens, if it is one.

        Lines of numbers alone are read in bulk; this is for nicknames, and for lines the bulk
        reader leaves (rankings too long for a key). A line seen before costs two lookups.
        """
        head, _, rest = raw.partition(b" ")
        if not head.isdigit() or not (weight := int(head)):
            return False
        ranking = self.seen.get(rest)
        if ranking is None:
            ranking = self._plain(rest)
            if ranking is None:
                return False
            if len(self.seen) < _SEEN:
                self.seen[rest] = ranking
        self.ballots[ranking] = self.ballots.get(ranking, 0) + weight
        return True

    def _plain(self, rest: bytes) -> Ranking | None:
        """The ranking of `c1 c2 ... 0` if every item is a known candidate, each once."""
        items = rest.split()
        if not items or items[-1] != b"0":
            return None
        del items[-1]
        try:
            ranking = tuple(map(self.cid.__getitem__, items))
        except KeyError:
            return None
        if len(set(ranking)) != len(ranking):
            return None
        return ranking


def parse_blt(path: Path | str, *, progress: Progress | None = None) -> tuple[Profile, BltOptions]:
    """Read a BLT file with everything it says: the profile and Droop's options."""
    path = Path(path)
    source = _BltSource(path, progress)
    tokens = source.tokens()

    def take(what: str) -> str:
        try:
            return next(tokens)
        except StopIteration:
            raise FormatError(path, source.line, f"the file ends where {what} should be") from None

    def number(what: str) -> int:
        token = take(what)
        if not token.isdigit():
            raise FormatError(path, source.line, f"{token!r} is not {what}")
        return int(token)

    count = number("the number of candidates")
    seats = number("the number of seats")
    if count < 1:
        raise FormatError(path, source.line, "the number of candidates must be at least 1")
    if seats < 1:
        raise FormatError(path, source.line, "the number of seats must be at least 1")
    nick: dict[str, int] = {}

    def candidate(token: str) -> int:
        """Index of a candidate given by number (1-based) or by [nick] name."""
        if token.isdigit() and token.isascii():
            if 1 <= int(token) <= count:
                return int(token) - 1
            raise FormatError(path, source.line, f"candidate {token} is not 1..{count}")
        if token in nick:
            return nick[token]
        if "=" in token:
            raise FormatError(
                path,
                source.line,
                f"equal rankings ({token}) are not supported: Sovet counts strict rankings",
            )
        known = "a [nick] name or " if nick else ""
        raise FormatError(
            path, source.line, f"{token!r} is not a candidate ({known}a number 1..{count})"
        )

    withdrawn: set[int] = set()
    options: dict[str, Any] = {}
    token = take("the first ballot")
    while True:
        if token.startswith("["):
            name, items = _blt_option(token, take)
            line = source.line
            if name not in _OPTIONS:
                raise FormatError(
                    path, line, f"unknown option [{name}]: Droop knows {', '.join(_OPTIONS)}"
                )
            if name in options and name != "droop":
                raise FormatError(path, line, f"option [{name}] is given twice")
            if name == "nick":
                if len(items) != count or len(set(items)) != count:
                    raise FormatError(
                        path, line, f"[nick] must list {count} different nicknames, one a candidate"
                    )
                nick = {item: index for index, item in enumerate(items)}
                options["nick"] = tuple(items)
            elif name == "droop":
                options["droop"] = options.get("droop", ()) + tuple(items)
            else:
                chosen = [candidate(item) for item in items]
                if len(set(chosen)) != len(chosen):
                    raise FormatError(path, line, f"[{name}] names a candidate twice")
                if name == "withdrawn" and withdrawn & set(chosen):
                    raise FormatError(path, line, "a candidate is withdrawn twice")
                if name == "tie" and len(chosen) != count:
                    raise FormatError(path, line, f"[tie] must list all {count} candidates")
                if name == "withdrawn":
                    withdrawn.update(chosen)
                options[name] = tuple(chosen)
        elif re.fullmatch(r"-\d+", token):
            index = int(token[1:]) - 1
            if not 0 <= index < count:
                raise FormatError(
                    path, source.line, f"withdrawn candidate {token[1:]} is not 1..{count}"
                )
            if index in withdrawn:
                raise FormatError(path, source.line, f"candidate {index + 1} is withdrawn twice")
            withdrawn.add(index)
        else:
            break
        token = take("the first ballot")

    source.keys = Keys(count)
    source.cid = {str(i + 1).encode(): i for i in range(count)}
    for name, index in nick.items():
        if not name.isdigit():
            source.cid.setdefault(name.encode(), index)
    other = source.ballots
    ids: bool | None = None
    while True:
        start = source.line
        has_id = token.startswith("(")
        if has_id:
            label = token
            while not label.endswith(")"):
                label += " " + take("the end of a ballot ID `)`")
            token = take("the ballot weight after a ballot ID")
        if ids is None:
            ids = has_id
        elif ids != has_id and token != "0":
            raise FormatError(
                path, source.line, "some ballots have an (id) and some do not: all or none"
            )
        weight = _whole(path, source.line, token, "a ballot weight")
        if weight == 0:
            if has_id:
                raise FormatError(path, source.line, "a ballot with an (id) has weight 0")
            break
        ranking: list[int] = []
        while (token := take("the 0 that ends a ballot")) != "0":
            if token == "-":  # OpenSTV: a skipped ranking
                continue
            if token.startswith('"'):
                raise FormatError(
                    path, source.line, f"{token} found inside a ballot: its ending 0 is missing"
                )
            choice = candidate(token)
            if choice in ranking:
                raise FormatError(
                    path, source.line, f"candidate {token} is ranked twice on one ballot"
                )
            ranking.append(choice)
        if has_id and weight != 1:
            raise FormatError(path, start, f"a ballot with an (id) has weight {weight}, not 1")
        key = tuple(ranking)
        other[key] = other.get(key, 0) + weight
        source.fast = not ids  # lines with an (id) are never plain
        try:
            token = next(tokens)
        except StopIteration:
            raise FormatError(
                path,
                source.line,
                "the file ends inside the ballots: the 0 line that ends them is missing",
            ) from None
        finally:
            source.fast = False

    def quoted(token: str, what: str) -> str:
        if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
            if token.startswith('"'):
                raise FormatError(path, source.line, f"{what} is not closed by a quote on its line")
            raise FormatError(
                path, source.line, f"{token!r} found where {what} in quotes should be"
            )
        return token[1:-1].strip()

    names = []
    for index in range(count):
        try:
            token = next(tokens)
        except StopIteration:
            raise FormatError(
                path, source.line, f"the file ends after {index} of {count} candidate names"
            ) from None
        names.append(quoted(token, f"the name of candidate {index + 1}"))
    extra = []
    for what in ("the title", "the source", "the comment"):
        token = next(tokens, "")
        if not token.startswith('"'):
            break  # Droop ignores unquoted material at the end of a file
        extra.append(quoted(token, what))
    extra += ["", "", ""]
    source.seen.clear()
    ballots: Mapping[Ranking, int] = other
    if source.keys.rows:
        total = source.keys.ballots + sum(other.values())
        if total > MOST_BALLOTS:
            raise FormatError(
                path, source.line, f"{total} ballots are more than Sovet counts (2**62)"
            )
        ballots = source.keys.table(source.keys.add_rankings(other))
    profile = _profile(
        path,
        source.line,
        candidates=tuple(names),
        seats=seats,
        ballots=ballots,
        withdrawn=frozenset(withdrawn),
        title=extra[0],
    )
    settings = BltOptions(
        nicknames=options.get("nick", ()),
        tie_order=options.get("tie", ()),
        droop=options.get("droop", ()),
        undeclared=frozenset(options.get("undeclared", ())),
        source=extra[1],
        comment=extra[2],
        ballot_ids=bool(ids),
    )
    return profile, settings


def _blt_option(token: str, take: Callable[[str], str]) -> tuple[str, list[str]]:
    """Read `[name item ...]`, which may spread over several tokens, as Droop does."""
    name = token[1:]
    items: list[str] = []
    if name.endswith("]"):
        return name[:-1], items
    while True:
        item = take(f"the ] that closes option [{name}")
        if item != "]":
            items.append(item.removesuffix("]"))
        if item.endswith("]"):
            return name, items


def read_blt(path: Path | str, *, progress: Progress | None = None) -> Profile:
    """Read a BLT file: `candidates seats`, withdrawals (`-c` or `[withdrawn]`), other Droop
    options, ballot lines `weight c1 c2 ... 0` ended by `0`, quoted names and a quoted title."""
    return parse_blt(path, progress=progress)[0]


# ---------------------------------------------------------------------------------------------
# PrefLib


_PREFLIB_HEADER = re.compile(r"#\s*([A-Z][A-Z ]*?)\s*(\d*)\s*:\s*(.*)")


def read_preflib(
    path: Path | str, *, seats: int | None = None, progress: Progress | None = None
) -> Profile:
    """Read PrefLib `.soi`/`.toi` (`# ...` header, then `count: c1,c2,...` lines).

    Seats come from the `# NUMBER SEATS: k` line this project's data adds, else 1; `seats`
    overrides both. Ties (`{a,b}` in `.toi`) are refused: Sovet's rankings are strict.
    """
    path = Path(path)
    _seats(path, seats)
    header: dict[str, tuple[int, str]] = {}
    names: dict[int, str] = {}
    cid: dict[bytes, int] = {}
    count = 0
    counts: dict[bytes, int] = {}
    rankings: dict[bytes, Ranking] = {}
    other: dict[Ranking, int] = {}
    orders = voters = last = 0
    for number, raw in _raw_lines(path, progress):
        if cid:
            head, colon, rest = raw.partition(b":")
            if colon and head.isdigit():
                orders += 1
                weight = int(head)
                voters += weight
                seen = counts.get(rest)
                if seen is not None:
                    counts[rest] = seen + weight
                    continue
                try:
                    quick = tuple([cid[item.strip()] for item in rest.split(b",")])
                except KeyError:
                    pass
                else:
                    if len(set(quick)) == len(quick):
                        counts[rest] = weight
                        rankings[rest] = quick
                        continue
                orders -= 1
                voters -= weight
        last = number
        entry = _decode(path, number, raw).strip()
        if not entry:
            continue
        if entry.startswith("#"):
            if cid:
                raise FormatError(path, number, "a `#` header entry after the orders began")
            match = _PREFLIB_HEADER.fullmatch(entry)
            if match is None:
                raise FormatError(path, number, f"{entry!r} is not a `# KEY: value` header line")
            key, index, value = match.group(1), match.group(2), match.group(3).strip()
            if key == "ALTERNATIVE NAME" and index:
                names[int(index)] = value
            elif not index:
                header[key] = (number, value)
            continue
        if not cid:
            count = _preflib_count(path, number, header, names)
            cid = {str(i + 1).encode(): i for i in range(count)}
        weight_text, separator, items = entry.partition(":")
        if not separator:
            raise FormatError(path, number, f"{entry!r} is not `count: c1,c2,...`")
        weight = _whole(path, number, weight_text.strip(), "a count of voters")
        ranking: list[int] = []
        for item in (i.strip() for i in items.split(",")):
            if not item and items.strip():
                raise FormatError(path, number, "an empty place between commas")
            if not item:
                continue
            if item.startswith("{"):
                inside = [i.strip() for i in item.strip("{}").split(",") if i.strip()]
                if not item.endswith("}") or len(inside) != 1:
                    tie = re.search(r"\{[^}]*\}?", items)
                    shown = tie.group() if tie else item
                    raise FormatError(
                        path,
                        number,
                        f"tied alternatives {shown} are not supported: Sovet counts strict "
                        "rankings",
                    )
                item = inside[0]
            if not (item.isdigit() and 1 <= int(item) <= count):
                raise FormatError(path, number, f"alternative {item!r} is not 1..{count}")
            if int(item) - 1 in ranking:
                raise FormatError(path, number, f"alternative {item} is ranked twice")
            ranking.append(int(item) - 1)
        orders += 1
        voters += weight
        key = tuple(ranking)
        other[key] = other.get(key, 0) + weight
    if not cid:
        raise FormatError(path, last, "no orders: the file ends after its header")
    for key, found in (("NUMBER VOTERS", voters), ("NUMBER UNIQUE ORDERS", orders)):
        if key in header:
            line, value = header[key]
            if value != str(found):
                raise FormatError(
                    path, line, f"{key} says {value} but the file holds {found} (truncated?)"
                )
    if seats is None:
        seats = 1
        if "NUMBER SEATS" in header:
            line, value = header["NUMBER SEATS"]
            seats = _whole(path, line, value, "a number of seats")
    title = header.get("TITLE", (0, ""))[1]
    return _profile(
        path,
        last,
        candidates=tuple(names[i + 1] for i in range(count)),
        seats=seats,
        ballots=_merge(counts, rankings, other),
        title=title,
    )


def _preflib_count(
    path: Path, line: int, header: dict[str, tuple[int, str]], names: dict[int, str]
) -> int:
    """Check a PrefLib header once the orders begin; return the number of alternatives."""
    if "DATA TYPE" in header:
        kind_line, kind = header["DATA TYPE"]
        if kind not in ("soi", "toi", "soc", "toc"):
            raise FormatError(path, kind_line, f"data type {kind!r} is not a ranking (soi, toi)")
    if "NUMBER ALTERNATIVES" not in header:
        raise FormatError(path, line, "the header has no `# NUMBER ALTERNATIVES: n` line")
    count_line, text = header["NUMBER ALTERNATIVES"]
    count = _whole(path, count_line, text, "a number of alternatives")
    if count < 1:
        raise FormatError(path, count_line, "the number of alternatives must be at least 1")
    missing = [i for i in range(1, count + 1) if i not in names]
    if missing:
        raise FormatError(path, line, f"no `# ALTERNATIVE NAME {missing[0]}:` line in the header")
    beyond = [i for i in names if not 1 <= i <= count]
    if beyond:
        raise FormatError(
            path, line, f"ALTERNATIVE NAME {beyond[0]} is beyond the {count} alternatives"
        )
    return count


# ---------------------------------------------------------------------------------------------
# CSV


_RANK_COLUMN = re.compile(r"rank\s*_?(\d+)", re.IGNORECASE)


def read_ranked_csv(
    path: Path | str, seats: int | None = None, *, progress: Progress | None = None
) -> Profile:
    """Read a CSV of ranked ballots, telling the layout from its first row.

    - scot-elex (Scottish wards): `candidates,seats`; rows `count,c1,c2,...` (1-based);
      rows `"Candidate i","Name","Party"`; a last row with the ward's name.
    - a cast-vote record: a header with rank1..rankN columns holding candidate names, one
      ballot a row; `undervote` or an empty cell skips a rank, `overvote` ends the ballot there,
      a candidate ranked again later is ignored. Candidates are sorted by name; seats 1.
    - VoteKit's RankProfile CSV (seats 1).
    `seats` overrides the file's.
    """
    path = Path(path)
    _seats(path, seats)
    lines = _text_lines(path, progress)
    rows = csv.reader(lines, strict=True)
    try:
        first = next(rows, None)
    except csv.Error as error:
        raise FormatError(path, rows.line_num, f"bad CSV: {error}") from None
    if first is None:
        raise FormatError(path, 0, "the file is empty")
    cells = _trim(first)
    try:
        if len(cells) == 2 and all(re.fullmatch(r"\d+", c) for c in cells):
            return _read_scottish(path, rows, cells, seats)
        if any(_RANK_COLUMN.fullmatch(c) for c in cells):
            return _read_cvr(path, rows, cells, seats)
    except csv.Error as error:
        raise FormatError(path, rows.line_num, f"bad CSV: {error}") from None
    if cells[:1] == ["VoteKit RankProfile"]:
        return _read_votekit(path, lines, seats)
    raise FormatError(
        path,
        1,
        "unknown CSV layout: expected `candidates,seats` (scot-elex), a header with "
        "rank1..rankN columns (cast-vote record) or `VoteKit RankProfile`",
    )


def _trim(row: list[str]) -> list[str]:
    """Cells stripped of padding, without the empty cells a trailing comma leaves."""
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _read_scottish(path: Path, rows: Any, first: list[str], seats: int | None) -> Profile:
    """The scot-elex layout, after its `candidates,seats` row."""
    count, file_seats = int(first[0]), int(first[1])
    if count < 1:
        raise FormatError(path, 1, "the number of candidates must be at least 1")
    counts: dict[tuple[str, ...], int] = {}
    rankings: dict[tuple[str, ...], Ranking] = {}
    names: list[str] = []
    title = ""
    line = 1
    for row in rows:
        line = rows.line_num
        cells = _trim(row)
        if not cells:
            continue
        if names or not re.fullmatch(r"-?[\d.]+", cells[0]):
            if len(names) == count:
                if title:
                    raise FormatError(path, line, "a row after the ward name, which ends the file")
                title = cells[0]
                continue
            if len(cells) < 2 or cells[0] != f"Candidate {len(names) + 1}":
                raise FormatError(
                    path,
                    line,
                    f'expected `"Candidate {len(names) + 1}","Name","Party"`, '
                    f"found {','.join(cells)!r}",
                )
            if not cells[1]:
                raise FormatError(path, line, f"candidate {len(names) + 1} has no name")
            names.append(cells[1])
            continue
        weight = _whole(path, line, cells[0], "a ballot count")
        if weight == 0:
            raise FormatError(path, line, "a ballot count of 0")
        key = tuple(cells[1:])
        seen = counts.get(key)
        if seen is not None:
            counts[key] = seen + weight
            continue
        ranking: list[int] = []
        for cell in key:
            if not (cell.isdigit() and 1 <= int(cell) <= count):
                raise FormatError(path, line, f"candidate {cell!r} is not 1..{count}")
            if int(cell) - 1 in ranking:
                raise FormatError(path, line, f"candidate {cell} is ranked twice")
            ranking.append(int(cell) - 1)
        counts[key] = weight
        rankings[key] = tuple(ranking)
    if len(names) < count:
        raise FormatError(
            path, line, f"the file ends after {len(names)} of {count} candidate names"
        )
    return _profile(
        path,
        line,
        candidates=tuple(names),
        seats=file_seats if seats is None else seats,
        ballots=_merge(counts, rankings, {}),
        title=title,
    )


def _read_cvr(path: Path, rows: Any, header: list[str], seats: int | None) -> Profile:
    """A cast-vote record: one ballot a row, rank columns holding candidate names."""
    ranks = sorted(
        (int(m.group(1)), column)
        for column, cell in enumerate(header)
        if (m := _RANK_COLUMN.fullmatch(cell))
    )
    numbers = [n for n, _ in ranks]
    if len(set(numbers)) != len(numbers):
        raise FormatError(path, 1, "a rank column appears twice in the header")
    columns = [column for _, column in ranks]
    width = max(columns) + 1
    index: dict[str, int] = {}
    counts: dict[tuple[str, ...], int] = {}
    rankings: dict[tuple[str, ...], Ranking] = {}
    line = 1
    for row in rows:
        line = rows.line_num
        if not row:
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        key = tuple([row[column] for column in columns])
        seen = counts.get(key)
        if seen is not None:
            counts[key] = seen + 1
            continue
        ranking: list[int] = []
        for cell in key:
            name = cell.strip()
            mark = name.lower()
            if mark == "overvote":
                break  # the city's rule: the ballot ends at an overvoted rank
            if not name or mark == "undervote":
                continue
            choice = index.setdefault(name, len(index))
            if choice not in ranking:
                ranking.append(choice)
        counts[key] = 1
        rankings[key] = tuple(ranking)
    names = sorted(index)
    place = {index[name]: position for position, name in enumerate(names)}
    ballots = {
        tuple([place[c] for c in ranking]): weight
        for ranking, weight in _merge(counts, rankings, {}).items()
    }
    if not names:
        raise FormatError(path, line, "no ballot names a candidate")
    return _profile(
        path,
        line,
        candidates=tuple(names),
        seats=1 if seats is None else seats,
        ballots=ballots,
        title=path.stem,
    )


_VOTEKIT_CANDIDATE = re.compile(r"\((.+?):(\d+)\)(?:,|$)")


def _read_votekit(path: Path, lines: Iterator[str], seats: int | None) -> Profile:
    """VoteKit's `RankProfile.to_csv` layout: a header block, then `{'i'},...,&,weight,&` rows."""
    header: list[str] = []
    number = 1
    for text in lines:
        number += 1
        header.append(text.strip())
        if text.startswith("="):
            break
    if len(header) < 7 or header[0] != "Candidates" or not header[-1].startswith("="):
        raise FormatError(path, number, "a VoteKit header block ending in a `=,=,...` row expected")
    found = {int(i): name.strip() for name, i in _VOTEKIT_CANDIDATE.findall(header[1])}
    if sorted(found) != list(range(len(found))) or not found:
        raise FormatError(path, 3, "the candidate map `(name:0),(name:1),...` is incomplete")
    cid = {str(i): i for i in found}
    counts: dict[str, int] = {}
    rankings: dict[str, Ranking] = {}
    weights: dict[str, int] = {}
    for text in lines:
        number += 1
        text = text.strip()
        if not text or (not counts and text.startswith("Ranking_")):
            continue  # the column header row under the `=` row
        key, amp, rest = text.partition("&")
        if not amp or not rest.endswith("&") or rest.count("&") != 1:
            raise FormatError(path, number, f"{text[:60]!r} is not `{{'i'}},...,&,weight,&`")
        weight_text = rest[:-1].strip(", ")
        weight = weights.get(weight_text)
        if weight is None:
            weight = weights[weight_text] = _whole(path, number, weight_text, "a ballot weight")
        seen = counts.get(key)
        if seen is not None:
            counts[key] = seen + weight
            continue
        ranking: list[int] = []
        for group_ in re.findall(r"\{[^}]*\}", key):
            members = re.findall(r"'([^']*)'", group_)
            if len(members) > 1:
                raise FormatError(
                    path, number, f"tied candidates {group_} are not supported: strict rankings"
                )
            for member in members:
                if member not in cid:
                    raise FormatError(path, number, f"candidate {member!r} is not in the map")
                if cid[member] in ranking:
                    raise FormatError(path, number, f"candidate {member} is ranked twice")
                ranking.append(cid[member])
        counts[key] = weight
        rankings[key] = tuple(ranking)
    return _profile(
        path,
        number,
        candidates=tuple(found[i] for i in range(len(found))),
        seats=1 if seats is None else seats,
        ballots=_merge(counts, rankings, {}),
        title=path.stem,
    )


# ---------------------------------------------------------------------------------------------
# Choosing a reader; writing


def read_ballots(
    path: Path | str, *, seats: int | None = None, progress: Progress | None = None
) -> Profile:
    """Read any supported ballot file, chosen by extension; `seats` overrides the file's."""
    path = Path(path)
    _seats(path, seats)
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind == "BLT":
        profile = read_blt(path, progress=progress)
        if seats is not None and seats != profile.seats:
            profile = _profile(
                path,
                0,
                candidates=profile.candidates,
                seats=seats,
                ballots=profile.ballots,
                withdrawn=profile.withdrawn,
                title=profile.title,
            )
        return profile
    if kind == "PrefLib":
        return read_preflib(path, seats=seats, progress=progress)
    if kind == "CSV":
        return read_ranked_csv(path, seats, progress=progress)
    known = ", ".join(EXTENSIONS)
    raise FormatError(path, 0, f"unknown ballot file extension {path.suffix!r}: known are {known}")


def _blt_string(text: str, what: str) -> str:
    """Quote a name for BLT, refusing what the format cannot hold."""
    if '"' in text or "\n" in text or "\r" in text:
        raise ValueError(f"{what} {text!r} holds a quote or a line break, which BLT cannot hold")
    return f'"{text}"'


def _sorted_ballots(profile: Profile) -> list[tuple[Ranking, int]]:
    """Rankings by weight, heaviest first, then by ranking, so output is deterministic."""
    return sorted(profile.ballots.items(), key=lambda item: (-item[1], item[0]))


def write_blt(profile: Profile, target: Path | str | TextIO) -> None:
    """Write a profile as BLT; rankings of weight 0 are left out (0 ends BLT ballots)."""
    if isinstance(target, str | Path):
        with Path(target).open("w", encoding="utf-8", newline="\n") as stream:
            write_blt(profile, stream)
        return
    names = [_blt_string(name, "candidate name") for name in profile.candidates]
    title = _blt_string(profile.title, "title")
    out = io.StringIO()
    out.write(f"{len(profile.candidates)} {profile.seats}\n")
    if profile.withdrawn:
        out.write(" ".join(f"-{c + 1}" for c in sorted(profile.withdrawn)) + "\n")
    for ranking, weight in _sorted_ballots(profile):
        if weight:
            out.write(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]) + "\n")
        if out.tell() > _CHUNK:
            target.write(out.getvalue())
            out = io.StringIO()
    out.write("0\n")
    out.write("\n".join([*names, title]) + "\n")
    target.write(out.getvalue())


def profile_to_json(profile: Profile) -> dict[str, Any]:
    """A profile as plain JSON data, ballots as [weight, [names...]] heaviest first."""
    names = profile.candidates
    return {
        "title": profile.title,
        "seats": profile.seats,
        "candidates": list(names),
        "withdrawn": [names[c] for c in sorted(profile.withdrawn)],
        "ballots": [
            [weight, [names[c] for c in ranking]] for ranking, weight in _sorted_ballots(profile)
        ],
    }
