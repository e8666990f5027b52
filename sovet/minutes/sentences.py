"""How the minutes say what a record entry records, in one sentence. Pure."""

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]


def _name(ref: Any) -> str:
    if isinstance(ref, dict):
        return str(ref.get("name") or ref.get("code") or ref.get("id", "?"))
    return str(ref)


def _mandate(mandate: Payload) -> str:
    return f"{_name(mandate.get('delegate'))} ({_name(mandate.get('unit'))})"


def _tally(tally: list[Payload]) -> str:
    return ", ".join(f"{line['choice']} {line['votes']}" for line in tally)


def _votes(count: int) -> str:
    return f"{count} vote{'s' * (count != 1)}"


def _recomposed(p: Payload) -> str:
    changes = ", ".join(f"{unit} {old}→{new}" for unit, (old, new) in p["changes"].items())
    return f"{_name(p['council'])} recomposed: {p['seats']} seats ({changes})."


def _voted(p: Payload) -> str:
    how = f"voted {p['choice']}" if "choice" in p else "voted (secret ballot)"
    weight = f" with {p['votes']} votes" if p.get("votes", 1) != 1 else ""
    return f"{_name(p['delegate'])} {how}{weight} in poll {p['poll']}."


def _poll_opened(p: Payload) -> str:
    kind = "secret" if p.get("secret") else "open"
    options = " / ".join(p["options"])
    return f"Poll {p['poll']} opened ({kind}) in {p['council']}: “{p['question']}” ({options})."


def _mandate_issued(p: Payload) -> str:
    mandate = p["mandate"]
    substitutes = ", ".join(_name(person) for person in p.get("substitutes", []))
    also = f"; substitutes {substitutes}" if substitutes else ""
    return (
        f"{_name(mandate['delegate'])} mandated by {_name(mandate['unit'])} to "
        f"{_name(mandate['council'])}{also}."
    )


def _status(p: Payload) -> str:
    membership = p["membership"]
    why = f": {p['reason']}" if p.get("reason") else ""
    return (
        f"{_name(membership['person'])} ({membership['number']}) now {membership['status']}, "
        f"was {p['previous_status']}{why}."
    )


def _seat(p: Payload) -> str:
    if p.get("seat") == "filled":
        return f" {_name(p['successor']['delegate'])} takes the seat."
    return " The seat is vacant until a by-election."


def _recalled(p: Payload) -> str:
    return (
        f"{_mandate(p['mandate'])} recalled by {p['supports']} of {p['eligible']} members "
        f"({p['needed']} needed).{_seat(p)}"
    )


def _imported(p: Payload) -> str:
    return (
        f"Members imported from {p['file']}: {p['added']} added, {p['transferred']} "
        f"transferred, {p['status_changed']} changed status, {p['skipped']} skipped."
    )


def _amended(p: Payload) -> str:
    changes = ", ".join(f"{name} {value}" for name, value in p["changes"].items())
    return f"Statute version {p['version']} adopted: {changes or 'no rule changed'}."


SENTENCES: dict[str, Callable[[Payload], str]] = {
    "organization.founded": lambda p: f"{p['name']} founded.",
    "organization.exported": lambda p: f"Exported with {p['rows']} data rows.",
    "organization.imported": lambda p: f"Imported: a record of {p['tree_size']} entries.",
    "organizer.appointed": lambda p: f"{p['username']} appointed organizer.",
    "level.added": lambda p: (
        f"Unit level {p['level']['name']} added at depth {p['level']['depth']}."
    ),
    "unit.added": lambda p: f"Unit {_name(p['unit'])} added under {_name(p['parent'])}.",
    "council.formed": lambda p: (
        f"{_name(p['council'])} formed, elected by the {p['constituency_level']} level."
    ),
    "council.recomposed": _recomposed,
    "membership.admitted": lambda p: (
        f"{_name(p['membership']['person'])} admitted as {p['membership']['status']} "
        f"in {_name(p['membership']['unit'])}."
    ),
    "membership.login_granted": lambda p: (
        f"Login {p['username']} granted to member {p['membership']['number']}."
    ),
    "membership.transferred": lambda p: (
        f"{_name(p['membership']['person'])} transferred from {_name(p['from_unit'])} to "
        f"{_name(p['membership']['unit'])}."
    ),
    "membership.lapsed": _status,
    "membership.expelled": _status,
    "membership.status_changed": _status,
    "members.imported": _imported,
    "statute.amended": _amended,
    "mandate.issued": _mandate_issued,
    "mandate.resigned": lambda p: f"{_mandate(p['mandate'])} resigned the mandate.{_seat(p)}",
    "mandate.recalled": _recalled,
    "mandate.lapsed": lambda p: (
        f"Mandate of {_mandate(p['mandate'])} lapsed: {p['reason']}.{_seat(p)}"
    ),
    "mandates.expired": lambda p: f"{len(p['mandates'])} mandates expired on {p['on']}.",
    "recall.opened": lambda p: f"Recall of {_mandate(p['mandate'])} opened.",
    "recall.supported": lambda p: (
        f"Recall {p['recall']} supported: {p['supports']} of {p['needed']} needed."
    ),
    "poll.opened": _poll_opened,
    "poll.voted": _voted,
    "poll.closed": lambda p: (
        f"Poll {p['poll']} closed: {_tally(p['tally'])} ({_votes(p['votes'])} cast)."
    ),
}


def sentence(action: str, payload: Payload) -> str:
    """Return the sentence for an entry; an action without one is named with its payload keys."""
    say = SENTENCES.get(action)
    if say is not None:
        try:
            return say(payload)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    return f"{action} ({', '.join(sorted(payload))})."
