"""Minutes made from the record: what happened, entry by entry, sealed by a signed tree head."""

import datetime
from dataclasses import dataclass
from typing import Any

from sovet import canonical
from sovet.errors import Invalid
from sovet.minutes.sentences import sentence
from sovet.record import log
from sovet.record.leaves import timestamp
from sovet.record.models import RecordEntry


@dataclass(frozen=True)
class Item:
    first: int
    last: int
    at: str
    actor: str
    text: str


@dataclass(frozen=True)
class Minutes:
    organization: str
    slug: str
    title: str
    first: int
    last: int
    items: list[Item]
    head: dict[str, Any]

    @property
    def head_time(self) -> str:
        moment = datetime.datetime.fromtimestamp(self.head["timestamp"] / 1000, datetime.UTC)
        return timestamp(moment)


def session_span(organization: Any, session_id: int) -> tuple[int, int | None, str]:
    """Return the first and last entries of a session (last None while it sits) and a title."""
    from sovet.congress.models import Session

    session = Session.objects.filter(organization=organization, pk=session_id).first()
    if session is None:
        raise Invalid(f"{organization.name} has no session {session_id}")
    span: dict[str, int] = {}
    for action in ("session.convened", "session.closed"):
        entries = RecordEntry.objects.filter(organization=organization, action=action)
        for seq, payload in entries.values_list("seq", "payload"):
            if canonical.loads(payload)["session"] == session.pk:
                span[action] = seq
    title = f"Minutes of the {session.title}, {session.council.name}"
    return span["session.convened"], span.get("session.closed"), title


def build(
    organization: Any, *, first: int | None = None, last: int | None = None, title: str = ""
) -> Minutes:
    """Return the minutes of entries first..last (default: the whole record)."""
    head = log.latest_head(organization)
    length = head.tree_size
    first = 1 if first is None else first
    last = length if last is None else last
    if not 1 <= first <= last <= length:
        raise Invalid(
            f"minutes cover entries from 1 to {length}: give 1 <= from <= to <= {length}, "
            f"not {first} and {last}"
        )
    items: list[Item] = []
    ballots: list[RecordEntry] = []

    def publish_ballots() -> None:
        if ballots:
            poll = ballots[0].data["poll"]
            count = len(ballots)
            text = f"{count} secret ballot{'s' * (count != 1)} of poll {poll} published."
            items.append(Item(ballots[0].seq, ballots[-1].seq, "", ballots[0].actor, text))
            ballots.clear()

    entries = RecordEntry.objects.filter(organization=organization, seq__range=(first, last))
    for entry in entries.order_by("seq").iterator(chunk_size=2000):
        if entry.action == "poll.ballot" and (
            not ballots or ballots[0].data["poll"] == entry.data["poll"]
        ):
            ballots.append(entry)
            continue
        publish_ballots()
        if entry.action == "poll.ballot":
            ballots.append(entry)
            continue
        when = timestamp(entry.at)
        items.append(
            Item(entry.seq, entry.seq, when, entry.actor, sentence(entry.action, entry.data))
        )
    publish_ballots()
    return Minutes(
        organization=organization.name,
        slug=organization.slug,
        title=title or f"Minutes of {organization.name}",
        first=first,
        last=last,
        items=items,
        head=head.to_json(),
    )
