"""Motion texts and amendments: apply an amendment, show what it changes, as HTML or Markdown.

An amendment replaces one span of a text with new words: the exact old words, which must occur
exactly once, or the whole text. Deleting is replacing with nothing; inserting is replacing the
words around the insertion point with those words plus the new ones, because an empty span would
not say where. An amendment to an amendment is the same operation on the amendment's new words.

`changes` compares two texts word by word. Each word keeps the whitespace after it, so joining the
unchanged and inserted segments gives exactly the text after, and joining the unchanged and
deleted segments gives exactly the text before, spacing and line breaks included.
"""

import html
import re
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from typing import Literal, NamedTuple

__all__ = ["Kind", "Segment", "apply", "changes", "to_html", "to_markdown"]

Kind = Literal["same", "deleted", "inserted"]

# A word with the whitespace after it; text may also start with whitespace of its own.
_TOKEN = re.compile(r"\S+\s*|\s+")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~])")


class Segment(NamedTuple):
    """A run of text that both versions share, or that only the old or only the new one has."""

    kind: Kind
    text: str


def apply(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of `old` in `text` with `new`."""
    found = len(re.findall(f"(?={re.escape(old)})", text))
    if found != 1:
        hint = "" if old else "; to insert, replace the neighbouring words with them and new ones"
        raise ValueError(f"the words to replace, {old!r}, occur {found} times, not once{hint}")
    return text.replace(old, new, 1)


def changes(before: str, after: str) -> list[Segment]:
    """Return the word-level changes from `before` to `after`, in text order."""
    old = _TOKEN.findall(before)
    new = _TOKEN.findall(after)
    segments = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(old[i1:i2])))
            continue
        if i1 < i2:
            segments.append(Segment("deleted", "".join(old[i1:i2])))
        if j1 < j2:
            segments.append(Segment("inserted", "".join(new[j1:j2])))
    return segments


def to_html(segments: Iterable[Segment]) -> str:
    """Render changes as escaped HTML, deletions in <del> and insertions in <ins>."""
    tags = {"deleted": "del", "inserted": "ins"}
    return _render(
        segments, html.escape, lambda kind, words: f"<{tags[kind]}>{words}</{tags[kind]}>"
    )


def to_markdown(segments: Iterable[Segment]) -> str:
    """Render changes as Markdown, deletions as ~~struck~~ and insertions as **bold**."""
    marks = {"deleted": "~~", "inserted": "**"}
    return _render(
        segments,
        lambda text: _MARKDOWN_SPECIALS.sub(r"\\\1", text),
        lambda kind, words: f"{marks[kind]}{words}{marks[kind]}",
    )


def _render(
    segments: Iterable[Segment], escape: Callable[[str], str], mark: Callable[[Kind, str], str]
) -> str:
    parts = []
    for kind, text in segments:
        words = text.strip()
        if kind == "same" or not words:
            parts.append(escape(text))
            continue
        # Whitespace at the edges of a change stays outside its markup: Markdown ignores "~~" and
        # "**" with whitespace on their inner side.
        start = len(text) - len(text.lstrip())
        parts.append(f"{text[:start]}{mark(kind, escape(words))}{text[start + len(words) :]}")
    return "".join(parts)
