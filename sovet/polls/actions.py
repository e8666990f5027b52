"""Opening a poll, casting a ballot, closing a poll: each one transaction, each recorded."""

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from sovet.councils.models import Council, Mandate
from sovet.errors import Invalid
from sovet.organizations.access import require_organizer
from sovet.polls.access import require_voter
from sovet.polls.models import Participation, Poll, SecretBallot
from sovet.polls.receipts import receipt_code, receipt_digests
from sovet.record import tree
from sovet.record.log import append, append_many, lock
from sovet.record.models import TreeHead

DEFAULT_OPTIONS = ("yes", "no", "abstain")
MAX_OPTIONS = 100
POLL_CLOSED = "the poll is closed"
UNKNOWN_CHOICE = "{choice!r} is not on the ballot; choose one of: {options}"


def _clean_options(options: list[str] | tuple[str, ...]) -> list[str]:
    cleaned = [" ".join(str(option).split()) for option in options]
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise Invalid(f"a poll offers from 2 to {MAX_OPTIONS} choices")
    if any(not option or len(option) > 200 for option in cleaned):
        raise Invalid("each choice needs a text of 1 to 200 characters")
    if len(set(cleaned)) != len(cleaned):
        raise Invalid("each choice may appear only once")
    return cleaned


@transaction.atomic
def open_poll(
    *,
    actor: Any,
    council: Council,
    question: str,
    options: list[str] | tuple[str, ...] = DEFAULT_OPTIONS,
    secret: bool = False,
) -> Poll:
    """Put a question to the council's delegates."""
    organization = council.organization
    require_organizer(actor, organization)
    question = " ".join(question.split())
    if not question or len(question) > 500:
        raise Invalid("the question needs a text of 1 to 500 characters")
    choices = _clean_options(options)
    lock(organization.pk)
    poll = Poll.objects.create(
        organization=organization,
        council=council,
        question=question,
        options=choices,
        secret=secret,
        opened_at=timezone.now(),
    )
    append(
        organization,
        actor=actor,
        action="poll.opened",
        payload={
            "poll": poll.pk,
            "council": council.name,
            "question": question,
            "options": choices,
            "secret": secret,
        },
    )
    return poll


@transaction.atomic
def cast_ballot(*, actor: Any, poll: Poll, mandate: Mandate, choice: str) -> str | None:
    """Cast all of a mandate's votes for one choice; return the receipt code of a secret poll.

    Casting again changes nothing: the first ballot stands and the same receipt comes back.
    """
    require_voter(actor, poll, mandate)
    lock(poll.organization_id)
    state = Poll.objects.filter(pk=poll.pk).values_list("state", flat=True).get()
    if state != Poll.State.OPEN:
        raise Invalid(POLL_CLOSED)
    if choice not in poll.options:
        raise Invalid(UNKNOWN_CHOICE.format(choice=choice, options=", ".join(poll.options)))
    code = receipt_code(poll.pk, mandate.pk) if poll.secret else None
    if Participation.objects.filter(poll=poll, mandate=mandate).exists():
        return code
    Participation.objects.create(
        poll=poll, mandate=mandate, votes=mandate.votes, choice="" if poll.secret else choice
    )
    if code is not None:
        SecretBallot.objects.bulk_create(
            SecretBallot(receipt_digest=digest, poll=poll, choice=choice)
            for digest in receipt_digests(code, mandate.votes)
        )
    payload: dict[str, Any] = {
        "poll": poll.pk,
        "mandate": mandate.pk,
        "delegate": {"id": mandate.delegate_id, "name": mandate.delegate.name},
        "votes": mandate.votes,
    }
    if not poll.secret:
        payload["choice"] = choice
    append(poll.organization, actor=actor, action="poll.voted", payload=payload)
    return code


@transaction.atomic
def close_poll(*, actor: Any, poll: Poll) -> Poll:
    """Close the poll, publish its secret ballots in the record, count, and sign the tree head.

    Secret ballots are published one record entry each, in the order of their digests, so that
    their place in the record says nothing about when they were cast.
    """
    organization = poll.organization
    require_organizer(actor, organization)
    lock(organization.pk)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.state != Poll.State.OPEN:
        raise Invalid(POLL_CLOSED)
    votes_recorded = sum(Participation.objects.filter(poll=poll).values_list("votes", flat=True))
    if poll.secret:
        ballots = list(SecretBallot.objects.filter(poll=poll).order_by("receipt_digest"))
        if len(ballots) != votes_recorded:
            raise RuntimeError(
                f"poll {poll.pk}: {len(ballots)} secret ballots for {votes_recorded} votes recorded"
            )
        published = append_many(
            organization,
            actor=actor,
            entries=[
                (
                    "poll.ballot",
                    {"poll": poll.pk, "receipt": ballot.receipt_digest, "choice": ballot.choice},
                )
                for ballot in ballots
            ],
        )
        for ballot, entry in zip(ballots, published, strict=True):
            ballot.published_seq = entry.seq
        SecretBallot.objects.bulk_update(ballots, ["published_seq"], batch_size=2000)
        counted = Counter(ballot.choice for ballot in ballots)
    else:
        counted = Counter()
        for choice, votes in Participation.objects.filter(poll=poll).values_list("choice", "votes"):
            counted[choice] += votes
    poll.tally = [{"choice": option, "votes": counted[option]} for option in poll.options]
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["tally", "state", "closed_at"])
    append(
        organization,
        actor=actor,
        action="poll.closed",
        payload={"poll": poll.pk, "votes": votes_recorded, "tally": poll.tally},
    )
    tree.issue_head(organization, reason=TreeHead.Reason.POLL_CLOSED)
    return poll
