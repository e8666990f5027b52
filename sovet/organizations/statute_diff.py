"""What changed between two versions of a statute: its rules one by one, its text word by word.

Pure: it compares the plain rules of `Statute.rules()` (the same dicts the record carries), so the
statute page, exports and scripts read changes the same way, with or without a database.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from sovet import texts

__all__ = ["TEXT", "RuleChange", "StatuteDiff", "consecutive", "diff"]

# The statute's prose; every other rule is a single value.
TEXT = "text"

ChangeKind = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class RuleChange:
    """One rule that differs: `before` is None for an added rule, `after` for a removed one."""

    name: str
    kind: ChangeKind
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class StatuteDiff:
    """The rules that differ, in the statute's order, and the text as word-level segments."""

    rules: tuple[RuleChange, ...]
    text: tuple[texts.Segment, ...]

    @property
    def text_changed(self) -> bool:
        return any(segment.kind != "same" for segment in self.text)

    @property
    def changed(self) -> bool:
        return bool(self.rules) or self.text_changed


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> StatuteDiff:
    """Return what changed from the rules `before` to the rules `after`."""
    changes = []
    for name, value in before.items():
        if name == TEXT:
            continue
        if name not in after:
            changes.append(RuleChange(name, "removed", before=value))
        elif after[name] != value:
            changes.append(RuleChange(name, "changed", before=value, after=after[name]))
    # Rules a later version introduced come after the ones both versions share.
    changes.extend(
        RuleChange(name, "added", after=value)
        for name, value in after.items()
        if name != TEXT and name not in before
    )
    text = texts.changes(str(before.get(TEXT) or ""), str(after.get(TEXT) or ""))
    return StatuteDiff(tuple(changes), tuple(text))


def consecutive(versions: Sequence[Mapping[str, Any]]) -> list[StatuteDiff]:
    """Return the changes from each version to the next, for versions in their order."""
    return [diff(before, after) for before, after in pairwise(versions)]
