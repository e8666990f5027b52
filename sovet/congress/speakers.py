"""Who speaks next: the order of a speakers' list. Pure.

Points of order go ahead of everyone, in the order raised. Then first speeches before second
ones, and so on; within the same speech number, the order of request. With alternation, the
next speech takes the other side from the last speech given when someone of that side waits.
"""

from collections.abc import Sequence
from dataclasses import dataclass

POINT_OF_ORDER = "point of order"


@dataclass(frozen=True)
class Waiting:
    key: int
    kind: str
    stance: str
    speech: int
    requested: int


def next_speaker(waiting: Sequence[Waiting], *, alternate: bool, last_stance: str) -> int | None:
    """Return the key of the request to call next, or None if nobody waits."""
    if not waiting:
        return None
    points = [request for request in waiting if request.kind == POINT_OF_ORDER]
    if points:
        return min(points, key=lambda request: request.requested).key
    ordered = sorted(waiting, key=lambda request: (request.speech, request.requested))
    if alternate and last_stance:
        other = "against" if last_stance == "for" else "for"
        first_round = ordered[0].speech
        for request in ordered:
            if request.speech == first_round and request.stance == other:
                return request.key
    return ordered[0].key
