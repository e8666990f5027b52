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


def _content(choice: Any) -> str:
    return " > ".join(choice) if isinstance(choice, list) else str(choice)


def _voted(p: Payload) -> str:
    if "ballot" in p:
        parts = [f"{_content(part['choice'])}" for part in p["ballot"]]
        how = "voted " + " and ".join(parts)
        if len(parts) > 1:
            how += " (split: " + ", ".join(str(part["votes"]) for part in p["ballot"]) + ")"
    else:
        how = "voted (secret ballot)"
    weight = f" with {p['votes']} votes" if p.get("votes", 1) != 1 else ""
    return f"{_name(p['delegate'])} {how}{weight} in poll {p['poll']}."


def _closed(p: Payload) -> str:
    result = p.get("result") or {}
    outcome = (
        f" {result['sentence'][0].upper()}{result['sentence'][1:]}."
        if result.get("sentence")
        else ""
    )
    return f"Poll {p['poll']} closed: {_tally(p['tally'])} ({_votes(p['votes'])} cast).{outcome}"


def _names_of(mandates: list[Payload]) -> str:
    return ", ".join(f"{m['delegate']}" for m in mandates)


def _quorum(q: Payload | None) -> str:
    if not q:
        return ""
    state = "quorum" if q["reached"] else "no quorum"
    return f" ({state}: {q['present']} of {q['entitled']} votes present, {q['needed']} needed)"


def _motion(p: Payload) -> str:
    return f"Motion {p['number']} ({p['title']})"


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
    "poll.closed": _closed,
    "session.convened": lambda p: (
        f"{p['council']} convened: {p['title']} (session {p['number']}), {p['opens_on']}"
        f"{', ' + p['place'] if p['place'] else ''}; agenda: {'; '.join(p['agenda']) or 'none'}."
    ),
    "session.opened": lambda p: f"The session opened{_quorum(p['quorum'])}.",
    "session.resumed": lambda p: f"The session resumed{_quorum(p['quorum'])}.",
    "session.adjourned": lambda p: (
        f"The session adjourned{' until ' + p['until'] if p['until'] else ''}."
    ),
    "session.closed": lambda p: "The session closed.",
    "credentials.accredited": lambda p: f"Accredited: {_names_of(p['mandates'])}.",
    "credentials.refused": lambda p: f"Refused: {_names_of(p['mandates'])} ({p['reason']}).",
    "presence.arrived": lambda p: f"{p['delegate']} present{_quorum(p['quorum'])}.",
    "presence.left": lambda p: f"{p['delegate']} left{_quorum(p['quorum'])}.",
    "presence.walkout": lambda p: (
        f"Walkout of {_names_of(p['mandates'])} ({_votes(p['votes'])}): {p['reason']}"
        f"{_quorum(p['quorum'])}."
    ),
    "agenda.item_taken_up": lambda p: f"Item {p['item']} taken up: {p['title']}.",
    "speakers.requested": lambda p: (
        f"{p['delegate']} asks for the floor on item {p['item']}"
        f"{' (point of order)' if p['kind'] == 'point of order' else ''}"
        f"{' ' + p['stance'] if p['stance'] else ''}."
    ),
    "speakers.floor_given": lambda p: (
        f"{p['delegate']} has the floor on item {p['item']}"
        f"{' for a point of order' if p['kind'] == 'point of order' else ''}"
        f" ({p['seconds']} s)."
    ),
    "speakers.list_closed": lambda p: f"Speakers' list of item {p['item']} closed.",
    "motion.submitted": lambda p: f"{_motion(p)} submitted by {p['submitted_by']}: {p['text']}",
    "motion.supported": lambda p: (
        f"{_motion(p)} supported by {p['by']} ({p['supporters']} supporters)."
    ),
    "motion.admitted": lambda p: f"{_motion(p)} admitted with {p['supporters']} supporters.",
    "motion.withdrawn": lambda p: f"{_motion(p)} withdrawn.",
    "motion.referred": lambda p: f"{_motion(p)} referred to {p['to']}.",
    "motion.put": lambda p: f"{_motion(p)} put to the vote (poll {p['poll']}): {p['text']}",
    "motion.adopted": lambda p: f"{_motion(p)} adopted: {p['sentence']}.",
    "motion.rejected": lambda p: f"{_motion(p)} rejected: {p['sentence']}.",
    "amendment.submitted": lambda p: (
        f"Amendment {p['amendment']} to motion {p['number']} by {p['by']}: "
        f"“{p['old']}” becomes “{p['new']}”."
    ),
    "amendment.adopted": lambda p: (
        f"Amendment {p['amendment']} to motion {p['motion']} adopted: {p['sentence']}."
    ),
    "amendment.rejected": lambda p: (
        f"Amendment {p['amendment']} to motion {p['motion']} rejected: {p['sentence']}."
    ),
    "formulation.proposed": lambda p: f"Formulation “{p['label']}” of {_motion(p)}: {p['text']}",
    "formulation.eliminated": lambda p: (
        f"Motion {p['motion']}: formulation “{p['kept']}” kept over “{p['eliminated']}”."
    ),
    "faction.declared": lambda p: f"Faction {p['name']} declared.",
    "faction.joined": lambda p: f"{_name(p['person'])} joined the faction {p['name']}.",
    "faction.left": lambda p: f"{_name(p['person'])} left the faction {p['name']}.",
    "election.called": lambda p: (
        f"Election of {p['body']} called: {p['seats']} seats, by {p['method']}."
    ),
    "election.nominated": lambda p: f"{_name(p['candidate'])} nominated.",
    "election.accepted": lambda p: f"{_name(p['candidate'])} accepts the nomination.",
    "election.declined": lambda p: f"{_name(p['candidate'])} declines the nomination.",
    "election.counted": lambda p: (
        f"{p['body']} elected by {p['method']} from {p['ballots']} ballots in {p['rounds']} "
        f"rounds: {', '.join(p['elected']) or 'nobody'}."
    ),
    "body.co_opted": lambda p: f"{_name(p['person'])} co-opted to {p['body']}.",
    "body.replacement": lambda p: f"{_name(p['person'])} replaces a member of {p['body']}.",
    "body.resigned": lambda p: f"{_name(p['person'])} resigned from {p['body']}: {p['reason']}.",
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
