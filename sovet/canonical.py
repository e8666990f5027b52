"""Canonical JSON: the one byte form in which record entries are stored and hashed.

UTF-8, keys sorted by code point, no insignificant whitespace, no floats (a binary float has no
single decimal spelling, so a decision must never depend on one). Allowed values: dict with str
keys, list, str, int, bool, None. Another implementation recomputes the same bytes with any JSON
library that can sort keys and emit compact separators.
"""

import json
from typing import Any

__all__ = ["CanonicalError", "dumps", "loads"]


class CanonicalError(TypeError):
    """A value that has no canonical JSON form."""


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        raise CanonicalError(f"{path}: floats are not allowed; use an int or a 'p/q' string")
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"{path}: key {key!r} is not a string")
            _check(item, f"{path}.{key}")
        return
    raise CanonicalError(f"{path}: {type(value).__name__} has no canonical JSON form")


def dumps(value: Any) -> str:
    """Return the canonical JSON text of `value`."""
    _check(value, "$")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    """Parse canonical JSON text, refusing floats."""
    return json.loads(text, parse_float=_refuse_float)


def _refuse_float(literal: str) -> Any:
    raise CanonicalError(f"float {literal} in canonical JSON")
