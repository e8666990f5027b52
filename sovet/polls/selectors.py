"""Reads of polls: a voter's check of their receipt."""

from typing import Any

from sovet.councils.actions import MAX_VOTES
from sovet.errors import Invalid
from sovet.polls.models import Poll, SecretBallot
from sovet.polls.receipts import normalize, receipt_digests
from sovet.record import log, tree

UNKNOWN_RECEIPT = (
    "no published ballot has this receipt: check the code, and that its poll has closed "
    "(ballots are published when it closes)"
)


def receipt_check(organization: Any, code: str) -> dict[str, Any]:
    """Return the published ballots of a receipt code, each with its inclusion proof."""
    if len(normalize(code)) != 32:
        raise Invalid("a receipt code has 32 letters and digits, in groups of four")
    digests = receipt_digests(code, MAX_VOTES)
    found = {
        ballot.receipt_digest: ballot
        for ballot in SecretBallot.objects.filter(
            poll__organization=organization,
            poll__state=Poll.State.CLOSED,
            receipt_digest__in=digests,
        ).select_related("poll")
    }
    ballots = [found[digest] for digest in digests if digest in found]
    if not ballots:
        raise Invalid(UNKNOWN_RECEIPT)
    head = log.latest_head(organization)
    return {
        "poll": {"id": ballots[0].poll_id, "question": ballots[0].poll.question},
        "tree_head": head.to_json(),
        "ballots": [
            {
                "receipt_digest": ballot.receipt_digest,
                "choice": ballot.choice,
                "seq": ballot.published_seq,
                "inclusion": tree.entry_proof(organization, ballot.published_seq or 0, head),
            }
            for ballot in ballots
        ],
    }
