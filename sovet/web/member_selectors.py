"""Reads for a member's own page, and the check of a secret ballot's receipt.

The member page crosses organizations, councils, sessions and polls, so its reads live beside
the web pages rather than in any one of those apps; each runs in a bounded number of queries.
"""

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from sovet import ledger
from sovet.congress.models import Session
from sovet.councils import composition
from sovet.councils.actions import recall_progress
from sovet.councils.models import Mandate, Recall, RecallSupport
from sovet.organizations.models import Membership, Organization, Statute, Unit
from sovet.polls import selectors as poll_selectors
from sovet.polls.models import Participation, Poll
from sovet.polls.receipts import receipt_digests
from sovet.record import signing

ROLL_CALL_LIMIT = 20
SESSION_LIMIT = 20
SECRET_POLL_LIMIT = 20


@dataclass
class RollCall:
    """How a delegate voted in one closed poll that was not secret (a roll call)."""

    poll: Poll
    ballot: str
    result: str


@dataclass
class Delegate:
    """An active mandate for the member's unit or one above it, as the member sees it."""

    mandate: Mandate
    roll_calls: list[RollCall] = field(default_factory=list)
    recall: Recall | None = None
    supports: int = 0
    needed: int = 0
    supported: bool = False


def unit_chain(membership: Membership) -> list[Unit]:
    """Return the member's unit and the units above it, the top of the tree first."""
    chain = composition.ancestors(membership.unit_id)
    units = Unit.objects.select_related("level").in_bulk(chain)
    return [units[pk] for pk in reversed(chain)]


def member_page(membership: Membership, statute: Statute) -> dict[str, Any]:
    """Return the member's unit chain, delegates with roll calls and recalls, and own mandates."""
    chain = unit_chain(membership)
    mandates = list(
        Mandate.objects.filter(unit__in=chain, state=Mandate.State.ACTIVE)
        .select_related("council", "unit", "delegate")
        # The member's own unit first: its delegates answer to them most directly.
        .order_by("-unit__level__depth", "council__name", "delegate__name")
    )
    delegates = {mandate.pk: Delegate(mandate) for mandate in mandates}
    for participation in _roll_calls(list(delegates)):
        poll = participation.poll
        delegates[participation.mandate_id].roll_calls.append(
            RollCall(poll, ballot_text(poll, participation.ballot), result_text(poll))
        )
    recalls = list(
        Recall.objects.filter(mandate__in=mandates, state=Recall.State.OPEN).select_related(
            "mandate__unit"
        )
    )
    supported = set(
        RecallSupport.objects.filter(recall__in=recalls, membership=membership).values_list(
            "recall_id", flat=True
        )
    )
    for recall in recalls:
        delegate = delegates[recall.mandate_id]
        delegate.recall = recall
        delegate.supports, _, delegate.needed = recall_progress(
            recall, recall.mandate.unit, statute
        )
        delegate.supported = recall.pk in supported
    return {
        "chain": chain,
        "delegates": list(delegates.values()),
        # Only members the statute counts may start or support a recall (councils/RECALL.md).
        "may_recall": membership.status in statute.counted_statuses,
        **_delegate_part(membership),
    }


def _roll_calls(mandate_ids: list[int]) -> list[Participation]:
    """Return each mandate's latest votes in closed open polls, most recent first."""
    if not mandate_ids:
        return []
    latest = Window(
        RowNumber(),
        partition_by=F("mandate_id"),
        order_by=[F("poll__closed_at").desc(), F("poll_id").desc()],
    )
    return list(
        Participation.objects.filter(
            mandate_id__in=mandate_ids, poll__state=Poll.State.CLOSED, poll__secret=False
        )
        .annotate(place=latest)
        .filter(place__lte=ROLL_CALL_LIMIT)
        .select_related("poll")
        .order_by("-poll__closed_at", "-poll_id")
    )


def _delegate_part(membership: Membership) -> dict[str, Any]:
    """Return the member's own mandates, their councils' sessions and their secret polls."""
    mine = list(
        Mandate.objects.filter(delegate_id=membership.person_id)
        .select_related("council", "unit")
        .order_by("-term_start", "-pk")
    )
    active = [mandate.council_id for mandate in mine if mandate.state == Mandate.State.ACTIVE]
    sessions = list(
        Session.objects.filter(council_id__in=active)
        .select_related("council")
        .order_by("-opens_on", "-pk")[:SESSION_LIMIT]
    )
    secret = list(
        Participation.objects.filter(mandate__in=mine, poll__secret=True)
        .select_related("poll")
        .order_by("-poll__opened_at", "-poll_id")[:SECRET_POLL_LIMIT]
    )
    return {"my_mandates": mine, "sessions": sessions, "secret_polls": [p.poll for p in secret]}


def _content_text(content: Any) -> str:
    """Return one vote's content as words: an option, approved options, or a ranking in order."""
    if not isinstance(content, list):
        return str(content)
    return ", ".join(str(option) for option in content) if content else "none"


def ballot_text(poll: Poll, ballot: list[dict[str, Any]] | None) -> str:
    """Return a roll-call ballot as words, with the votes of each part when there are several."""
    parts = ballot or []
    ranked = " (ranked in this order)" if poll.kind == Poll.Kind.RANKED else ""
    if len(parts) == 1:
        return _content_text(parts[0]["choice"]) + ranked
    return (
        ", ".join(f"{_content_text(part['choice'])} ({part['votes']})" for part in parts) + ranked
    )


def result_text(poll: Poll) -> str:
    """Return a closed poll's result as a sentence."""
    result = poll.result or {}
    if sentence := result.get("sentence"):
        return str(sentence)
    tally = ", ".join(f"{row['choice']} {row['votes']}" for row in poll.tally or [])
    if "most_approved" in result:
        leaders = ", ".join(result["most_approved"]) or "none"
        return f"most approved: {leaders} ({tally})"
    return f"first preferences: {tally}"


RECEIPT_NOT_IN_ENTRY = "record entry {seq} does not publish this ballot"
OTHER_KEY = "the tree head is signed with a key other than this installation's ({key})"


@dataclass
class BallotCheck:
    """One published ballot of a receipt, and whether its inclusion proof holds."""

    seq: int
    choice: str
    proof_length: int
    problem: str = ""

    @property
    def verified(self) -> bool:
        return not self.problem


@dataclass
class ReceiptCheck:
    """A receipt's ballots, checked against the latest signed tree head."""

    question: str
    head: dict[str, Any]
    ballots: list[BallotCheck]
    head_problem: str = ""

    @property
    def verified(self) -> bool:
        return not self.head_problem and all(ballot.verified for ballot in self.ballots)

    @property
    def head_time(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.head["timestamp"] / 1000, datetime.UTC)


def check_receipt(organization: Organization, code: str) -> ReceiptCheck:
    """Find a receipt's ballots as the receipt endpoint does and check every proof here.

    Raise Invalid when no published ballot has the code. A ballot counts as verified when its
    digest comes from the code, its record entry publishes it with its choice, and that entry's
    inclusion proof leads to the root of the tree head this installation signed.
    """
    found = poll_selectors.receipt_check(organization, code)
    head = found["tree_head"]
    digests = receipt_digests(code, len(found["ballots"]))
    ballots = [
        _check_ballot(organization, found["poll"]["id"], ballot, digest, head)
        for ballot, digest in zip(found["ballots"], digests, strict=True)
    ]
    return ReceiptCheck(found["poll"]["question"], head, ballots, _head_problem(organization, head))


def _head_problem(organization: Organization, head: dict[str, Any]) -> str:
    """Return why the tree head cannot be trusted, or '' when its signature holds."""
    if head["public_key"] != signing.public_key_hex():
        return OTHER_KEY.format(key=head["public_key"])
    try:
        signing.verify_head(organization.slug, head)
    except signing.SignatureError as error:
        return f"the tree head's signature does not hold: {error}"
    return ""


def _check_ballot(
    organization: Organization,
    poll_id: int,
    ballot: dict[str, Any],
    digest: str,
    head: dict[str, Any],
) -> BallotCheck:
    seq, inclusion = ballot["seq"], ballot["inclusion"]
    check = BallotCheck(seq, _content_text(ballot["choice"]), len(inclusion["proof"]))
    try:
        leaf = bytes.fromhex(inclusion["leaf_data"])
        entry = json.loads(leaf)
        published = {"choice": ballot["choice"], "poll": poll_id, "receipt": digest}
        if (
            ballot["receipt_digest"] != digest
            or entry.get("organization") != organization.slug
            or entry.get("seq") != seq
            or entry.get("action") != "poll.ballot"
            or entry.get("payload") != published
        ):
            check.problem = RECEIPT_NOT_IN_ENTRY.format(seq=seq)
            return check
        # The leaf hash is computed here from the entry, never taken from the proof.
        ledger.verify_inclusion(
            ledger.leaf_hash(leaf),
            seq - 1,
            head["tree_size"],
            [bytes.fromhex(node) for node in inclusion["proof"]],
            bytes.fromhex(head["root_hash"]),
        )
    except ValueError as error:  # ProofError, or hex and JSON that do not parse
        check.problem = str(error)
    return check
