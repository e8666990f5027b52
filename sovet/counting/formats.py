"""Reading and writing ballot files. Bad input raises FormatError naming the line."""

import re
from collections.abc import Iterator
from pathlib import Path

from sovet.counting.profile import Profile, ProfileError, group

__all__ = ["FormatError", "read_blt"]


class FormatError(ValueError):
    """A ballot file that cannot be read: the message names the line and what is wrong."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


def _tokens(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, token) for the file's tokens; quoted strings are one token each."""
    with path.open(encoding="utf-8-sig", errors="strict") as lines:
        for number, line in enumerate(lines, start=1):
            for match in re.finditer(r'"[^"]*"|\S+', line):
                yield number, match.group()


def read_blt(path: Path | str) -> Profile:
    """Read a BLT file: `candidates seats`, optional `-c` withdrawals, `weight c1 c2 ... 0`
    ballot lines ended by `0`, then one quoted name per candidate and a quoted title."""
    path = Path(path)
    tokens = _tokens(path)
    line = 0

    def integer(what: str) -> int:
        nonlocal line
        try:
            line, token = next(tokens)
        except StopIteration:
            raise FormatError(path, line, f"the file ends where {what} should be") from None
        try:
            return int(token)
        except ValueError:
            raise FormatError(path, line, f"{token!r} is not {what}") from None

    try:
        count = integer("the number of candidates")
        seats = integer("the number of seats")
        if count < 1 or seats < 1:
            raise FormatError(path, line, "candidates and seats must be at least 1")
        withdrawn: set[int] = set()
        value = integer("a ballot weight or a withdrawal")
        while value < 0:
            if -value > count:
                raise FormatError(path, line, f"withdrawn candidate {-value} is not 1..{count}")
            withdrawn.add(-value - 1)
            value = integer("a ballot weight or a withdrawal")
        rankings: list[tuple[tuple[int, ...], int]] = []
        while value != 0:
            weight, ranking, start = value, [], line
            choice = integer("a candidate number or 0")
            while choice != 0:
                if not 1 <= choice <= count:
                    raise FormatError(path, line, f"candidate {choice} is not 1..{count}")
                if choice - 1 in ranking:
                    raise FormatError(path, line, f"candidate {choice} is ranked twice")
                ranking.append(choice - 1)
                choice = integer("a candidate number or 0")
            if weight < 0:
                raise FormatError(path, start, f"ballot weight {weight} is negative")
            rankings.append((tuple(ranking), weight))
            value = integer("a ballot weight or the 0 that ends the ballots")
        names: list[str] = []
        for _ in range(count + 1):
            try:
                line, token = next(tokens)
            except StopIteration:
                if len(names) == count:
                    break
                raise FormatError(
                    path, line, f"{count} candidate names expected, found {len(names)}"
                ) from None
            if not (len(token) >= 2 and token.startswith('"') and token.endswith('"')):
                raise FormatError(path, line, f"{token!r} is not a quoted name")
            names.append(token[1:-1].strip())
        title = names.pop() if len(names) > count else ""
        return Profile(
            candidates=tuple(names),
            seats=seats,
            ballots=group(rankings),
            withdrawn=frozenset(withdrawn),
            title=title,
        )
    except UnicodeDecodeError as error:
        raise FormatError(path, line + 1, f"not UTF-8 text ({error.reason})") from None
    except ProfileError as error:
        raise FormatError(path, line, str(error)) from None
