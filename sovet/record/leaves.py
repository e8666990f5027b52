"""The bytes of a record entry as a leaf of the organization's Merkle log.

A leaf is the UTF-8 canonical JSON (sovet/canonical.py: sorted keys, no whitespace, no floats) of

    {"action": str, "actor": str, "at": str, "organization": str, "payload": object,
     "seq": int, "statute_version": int or null}

- `at`: ISO 8601 in UTC with microseconds and a trailing "Z", e.g. "2026-11-28T21:49:26.000123Z";
- `organization`: the organization's slug; `seq`: the entry's number, from 1;
- `payload`: what the action did, as stored (itself canonical JSON);
- `statute_version`: the statute in force, null before the first one.

Leaf index = seq - 1. Any JSON library that sorts keys and writes compact separators without
escaping non-ASCII characters recomputes these bytes from an exported entry.
"""

import datetime
from typing import Any

from sovet import canonical


def timestamp(at: datetime.datetime) -> str:
    """Return the time as a leaf spells it."""
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def leaf_object(
    *,
    organization: str,
    seq: int,
    at: datetime.datetime,
    actor: str,
    action: str,
    statute_version: int | None,
    payload: Any,
) -> dict[str, Any]:
    """Return the object whose canonical JSON is the leaf."""
    return {
        "action": action,
        "actor": actor,
        "at": timestamp(at),
        "organization": organization,
        "payload": payload,
        "seq": seq,
        "statute_version": statute_version,
    }


def leaf_bytes(leaf: dict[str, Any]) -> bytes:
    """Return a leaf object's bytes."""
    return canonical.dumps(leaf).encode()
