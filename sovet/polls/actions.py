"""Opening a poll, casting a ballot, closing a poll: each one transaction, each recorded.

A poll of a session is for the delegates accredited and present; it opens only with quorum
unless the statute allows otherwise. Closing applies the rule and records the result; a poll
about a motion, an amendment or an election then carries its outcome out (congress.outcomes).
"""

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from sovet import majorities
from sovet.councils.models import Council, Mandate
from sovet.errors import Invalid
from sovet.live.events import publish, publish_turnout
from sovet.organizations.access import require_organizer
from sovet.organizations.selectors import current_statute
from sovet.polls.access import require_voter
from sovet.polls.models import Participation, Poll, SecretBallot
from sovet.polls.receipts import receipt_code, receipt_digests
from sovet.record import tree
from sovet.record.log import append, append_many, append_without_leaf, lock
from sovet.record.models import TreeHead
from sovet.sql import execute_together, fetch_prepared, insert_for_each, inserts

ABSTAIN = "abstain"
DEFAULT_OPTIONS = ("yes", "no", ABSTAIN)
MAX_OPTIONS = 100
POLL_CLOSED = "the poll is closed"
CREDENTIAL_CHANGED = "the poll or the delegate's presence changed during the ballot: cast it again"
UNKNOWN_CHOICE = "{choice!r} is not on the ballot; choose one of: {options}"
NO_QUORUM = "the session lacks quorum: {present} of {entitled} votes present, {needed} needed"


def _clean_options(options: Sequence[str]) -> list[str]:
    cleaned = [" ".join(str(option).split()) for option in options]
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise Invalid(f"a poll offers from 2 to {MAX_OPTIONS} choices")
    if any(not option or len(option) > 200 for option in cleaned):
        raise Invalid("each choice needs a text of 1 to 200 characters")
    if len(set(cleaned)) != len(cleaned):
        raise Invalid("each choice may appear only once")
    return cleaned


def _rule(kind: str, rule: str, base: str, statute: Any) -> tuple[str, str]:
    if kind == Poll.Kind.YES_NO:
        rule = rule or statute.majority_rule
        if rule not in [known.value for known in majorities.Rule]:
            raise Invalid(f"majority rule must be one of: {', '.join(majorities.Rule)}")
        fixed = {"simple": "cast", "absolute": "entitled"}.get(rule)
        base = base or fixed or "cast"
        if base not in [known.value for known in majorities.Base] or (fixed and base != fixed):
            raise Invalid(
                f"a {rule} majority counts the votes {fixed or 'cast, present or entitled'}"
            )
        return rule, base
    if kind == Poll.Kind.CHOICE:
        rule = rule or "plurality"
        if rule not in [known.value for known in majorities.ChoiceRule]:
            raise Invalid("a choice is decided by plurality or majority")
        return rule, ""
    return "", ""


@transaction.atomic
def open_poll(
    *,
    actor: Any,
    council: Council,
    question: str,
    options: Sequence[str] = DEFAULT_OPTIONS,
    secret: bool = False,
    kind: str = Poll.Kind.YES_NO,
    session: Any = None,
    majority_rule: str = "",
    majority_base: str = "",
    purpose: str = Poll.Purpose.QUESTION,
    subject: Mapping[str, Any] | None = None,
) -> Poll:
    """Put a question to the council's delegates (in a session: to those present)."""
    organization = council.organization
    require_organizer(actor, organization)
    question = " ".join(question.split())
    if not question or len(question) > 500:
        raise Invalid("the question needs a text of 1 to 500 characters")
    if kind not in Poll.Kind.values:
        raise Invalid(f"kind must be one of: {', '.join(Poll.Kind.values)}")
    if kind == Poll.Kind.YES_NO and tuple(options) != DEFAULT_OPTIONS:
        raise Invalid("a yes/no poll offers yes, no and abstain")
    choices = _clean_options(options)
    lock(organization.pk)
    statute = current_statute(organization)
    rule, base = _rule(kind, majority_rule, majority_base, statute)
    quorum_now = None
    if session is not None:
        from sovet.congress.sessions import quorum

        if session.council_id != council.pk:
            raise Invalid("the session belongs to another council")
        if session.state != "open":
            raise Invalid(f"the session is {session.state}: polls open in an open session")
        quorum_now = quorum(session)
        if not quorum_now.reached and not statute.polls_without_quorum:
            raise Invalid(NO_QUORUM.format(**quorum_now.to_json()))
    poll = Poll.objects.create(
        organization=organization,
        council=council,
        session=session,
        kind=kind,
        purpose=purpose,
        majority_rule=rule,
        majority_base=base,
        question=question,
        options=choices,
        secret=secret,
        opened_at=timezone.now(),
        **(subject or {}),
    )
    payload: dict[str, Any] = {
        "poll": poll.pk,
        "council": council.name,
        "question": question,
        "options": choices,
        "secret": secret,
        "kind": kind,
    }
    if session is not None:
        payload |= {"session": session.pk, "quorum": quorum_now.to_json() if quorum_now else None}
    if rule:
        payload |= {"majority_rule": rule, "majority_base": base}
    append(organization, actor=actor, action="poll.opened", payload=payload)
    publish(poll.session_id, {"type": "poll.opened", **payload})
    return poll


def _content(poll: Poll, choice: Any) -> Any:
    """Check one vote's content against the poll's kind; return it as stored."""
    if poll.kind in (Poll.Kind.YES_NO, Poll.Kind.CHOICE):
        if not isinstance(choice, str) or choice not in poll.options:
            raise Invalid(UNKNOWN_CHOICE.format(choice=choice, options=", ".join(poll.options)))
        return choice
    if not isinstance(choice, list | tuple) or not all(isinstance(c, str) for c in choice):
        raise Invalid("this poll takes a list of options")
    unknown = [c for c in choice if c not in poll.options]
    if unknown:
        raise Invalid(UNKNOWN_CHOICE.format(choice=unknown[0], options=", ".join(poll.options)))
    if len(set(choice)) != len(choice):
        raise Invalid("each option may appear only once on a ballot")
    if poll.kind == Poll.Kind.RANKED and not choice:
        raise Invalid("rank at least one option")
    return list(choice)


def _split(poll: Poll, mandate: Mandate, choice: Any, split: Mapping[str, int] | None):
    """Return [(content, votes)] for the mandate's votes."""
    if split is None:
        return [(_content(poll, choice), mandate.votes)]
    if choice is not None:
        raise Invalid("give either a choice or a split, not both")
    if not current_statute(poll.organization).split_votes:
        raise Invalid("the statute does not allow split votes")
    if poll.kind not in (Poll.Kind.YES_NO, Poll.Kind.CHOICE):
        raise Invalid("only yes/no and choice polls take split votes")
    parts = [(_content(poll, option), votes) for option, votes in split.items() if votes]
    if any(not isinstance(votes, int) or votes < 0 for _, votes in parts):
        raise Invalid("split votes are whole numbers")
    if sum(votes for _, votes in parts) != mandate.votes:
        raise Invalid(f"the mandate carries {mandate.votes} votes: the split must add up to them")
    return parts


@functools.cache
def _credential_check() -> str:
    """SQL true where the poll `p` is outside a session or the mandate (the parameter) is
    accredited and present in its session."""
    from sovet.congress.models import Credential

    table = connection.ops.quote_name(Credential._meta.db_table)
    return (
        f"(p.session_id IS NULL OR EXISTS (SELECT 1 FROM {table} c "
        "WHERE c.session_id = p.session_id AND c.mandate_id = %s AND c.accredited AND c.present))"
    )


def _refuse_unless_open_to(poll: Poll, mandate: Mandate) -> None:
    """Refuse a ballot unless the poll is open and, in a session, the delegate accredited and
    present."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.state, {_credential_check()} FROM {quote(Poll._meta.db_table)} p "
            "WHERE p.id = %s",
            [mandate.pk, poll.pk],
        )
        state, may_vote = cursor.fetchone()
    if not may_vote:
        raise Invalid(f"{mandate.delegate.name} is not an accredited delegate present in session")
    if state != Poll.State.OPEN:
        raise Invalid(POLL_CLOSED)


@dataclass(frozen=True)
class _Ballot:
    """What casting a ballot writes: the participation, the secret ballots, the record entry."""

    actor: Any
    participation: Participation
    secret_ballots: list[SecretBallot]
    payload: dict[str, Any]


def _take_part(participation: Participation) -> bool:
    """Store that the mandate voted; return False if it had (one row per mandate and poll)."""
    [(sql, params)] = inserts(Participation, [participation])
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ON CONFLICT DO NOTHING RETURNING id", params)
        return cursor.fetchone() is not None


@functools.cache
def _admitted_sql() -> str:
    """The poll `p` if it is open to the mandate, locked (`_record_in_one_statement`)."""
    return (
        f"SELECT p.id FROM {connection.ops.quote_name(Poll._meta.db_table)} p "
        f"WHERE p.id = %s AND p.state = %s AND {_credential_check()} FOR KEY SHARE OF p"
    )


def _record_in_one_statement(ballot: _Ballot) -> bool:
    """Write the ballot in one statement (PostgreSQL); return False if the mandate had voted.

    The statement locks the poll's row in key-share mode, as every ballot does at once (and as
    the participation's foreign key check does anyway: one lock, not two); closing locks it
    for update, so a ballot is either written before the close or, once the poll is closed,
    finds no open poll and writes nothing. Numbering the record entry then takes the
    organization's row until commit, which in autocommit ends the same round trip.
    """
    participation, poll = ballot.participation, ballot.participation.poll
    took_part, took_part_params = insert_for_each(Participation, participation, "admitted")
    clauses = [
        ("admitted", _admitted_sql(), [poll.pk, Poll.State.OPEN.value, participation.mandate_id]),
        (
            "took_part",
            f"{took_part} ON CONFLICT DO NOTHING RETURNING id",
            took_part_params,
        ),
    ]
    clauses.extend(
        (f"kept{i}", *insert_for_each(SecretBallot, secret, "took_part"))
        for i, secret in enumerate(ballot.secret_ballots)
    )
    clauses.extend(
        append_without_leaf(
            poll.organization,
            actor=ballot.actor,
            action="poll.voted",
            payload=ballot.payload,
            once_per="took_part",
        )
    )
    admitted, recorded = fetch_prepared(
        "WITH "
        + ", ".join(f"{name} AS ({sql})" for name, sql, _ in clauses)
        + " SELECT EXISTS (SELECT 1 FROM admitted), EXISTS (SELECT 1 FROM took_part)",
        [value for _, _, params in clauses for value in params],
    )
    if not admitted:
        # Say why, as the check in steps would have; if nothing is wrong any more, the poll or
        # the delegate's presence changed while the ballot was written.
        _refuse_unless_open_to(poll, participation.mandate)
        raise Invalid(CREDENTIAL_CHANGED)
    return bool(recorded)


@transaction.atomic
def _record_in_steps(ballot: _Ballot) -> bool:
    """Write the ballot in one transaction of several statements (SQLite: one writer at a time,
    so nothing can close the poll between them); return False if the mandate had voted."""
    participation = ballot.participation
    _refuse_unless_open_to(participation.poll, participation.mandate)
    if not _take_part(participation):
        return False
    with connection.cursor() as cursor:
        execute_together(cursor, inserts(SecretBallot, ballot.secret_ballots))
    append(
        participation.poll.organization,
        actor=ballot.actor,
        action="poll.voted",
        payload=ballot.payload,
    )
    return True


def cast_ballot(
    *,
    actor: Any,
    poll: Poll,
    mandate: Mandate,
    choice: Any = None,
    split: Mapping[str, int] | None = None,
) -> str | None:
    """Cast all of a mandate's votes; return the receipt code of a secret poll.

    Casting again changes nothing: the first ballot stands and the same receipt comes back.
    One transaction checks the poll and the credential, writes the ballot and its record entry;
    on PostgreSQL it is one statement, so that a whole congress can vote at once
    (`_record_in_one_statement`). The database's unique constraint keeps one ballot per
    mandate: a second submission waits for the first to commit or roll back. The mandate comes
    with its delegate, as the views load it (the record names who voted).
    """
    require_voter(actor, poll, mandate)
    code = receipt_code(poll.pk, mandate.pk) if poll.secret else None
    parts = _split(poll, mandate, choice, split)
    ballot = None if poll.secret else [{"choice": c, "votes": v} for c, v in parts]
    secret_ballots = []
    if code is not None:
        contents = [content for content, votes in parts for _ in range(votes)]
        secret_ballots = [
            SecretBallot(receipt_digest=digest, poll=poll, choice=content)
            for digest, content in zip(receipt_digests(code, mandate.votes), contents, strict=True)
        ]
    payload: dict[str, Any] = {
        "poll": poll.pk,
        "mandate": mandate.pk,
        "delegate": {"id": mandate.delegate_id, "name": mandate.delegate.name},
        "votes": mandate.votes,
    }
    if ballot is not None:
        payload["ballot"] = ballot
    participation = Participation(poll=poll, mandate=mandate, votes=mandate.votes, ballot=ballot)
    record = _record_in_one_statement if connection.vendor == "postgresql" else _record_in_steps
    if record(_Ballot(actor, participation, secret_ballots, payload)):
        # Watchers learn the turnout; how anyone voted travels only once an open poll closes.
        publish_turnout(poll.session_id, poll.pk)
    return code


def votes_of(poll: Poll) -> list[tuple[Any, int]]:
    """Return every vote's content with its weight: secret ballots count one vote each."""
    if poll.secret:
        return [(ballot.choice, 1) for ballot in SecretBallot.objects.filter(poll=poll)]
    return [
        (part["choice"], part["votes"])
        for ballot in Participation.objects.filter(poll=poll).values_list("ballot", flat=True)
        for part in ballot
    ]


def _entitled_and_present(poll: Poll, cast: int) -> tuple[int, int]:
    if poll.session_id is not None:
        from sovet.congress.sessions import quorum

        now = quorum(poll.session)
        return now.entitled, max(now.present, cast)
    entitled = (
        Mandate.objects.filter(council=poll.council, state=Mandate.State.ACTIVE).aggregate(
            total=Sum("votes")
        )["total"]
        or 0
    )
    return max(entitled, cast), cast


def _result(poll: Poll, votes: list[tuple[Any, int]], cast: int) -> tuple[list, dict[str, Any]]:
    """Return the tally in ballot order and the result under the poll's rule."""
    counted: Counter[str] = Counter()
    for content, weight in votes:
        for option in content if isinstance(content, list) else [content]:
            counted[option] += weight
    if poll.kind == Poll.Kind.RANKED:
        counted = Counter()
        for content, weight in votes:
            counted[content[0]] += weight
    tally = [{"choice": option, "votes": counted[option]} for option in poll.options]
    entitled, present = _entitled_and_present(poll, cast)
    if poll.kind == Poll.Kind.YES_NO:
        decision = majorities.decide(
            yes=counted["yes"],
            no=counted["no"],
            abstain=counted["abstain"],
            present=present,
            entitled=entitled,
            rule=majorities.Rule(poll.majority_rule),
            base=majorities.Base(poll.majority_base),
        )
        return tally, {
            "adopted": decision.adopted,
            "rule": poll.majority_rule,
            "base": decision.base.label,
            "base_size": decision.base_size,
            "threshold": decision.threshold,
            "sentence": decision.sentence,
        }
    if poll.kind == Poll.Kind.CHOICE:
        # An option called "abstain" records abstentions: it is not chosen and not counted.
        chosen = majorities.choose(
            {option: counted[option] for option in poll.options if option != ABSTAIN},
            majorities.ChoiceRule(poll.majority_rule),
        )
        return tally, {
            "winner": chosen.winner,
            "tied": list(chosen.tied),
            "rule": poll.majority_rule,
            "sentence": chosen.sentence,
        }
    if poll.kind == Poll.Kind.APPROVAL:
        most = max(counted.values(), default=0)
        leaders = [option for option in poll.options if counted[option] == most and most]
        return tally, {"most_approved": leaders, "votes_cast": cast}
    return tally, {"first_preferences": True, "votes_cast": cast}


@transaction.atomic
def close_poll(*, actor: Any, poll: Poll) -> Poll:
    """Close the poll, publish its secret ballots in the record, count, and sign the tree head.

    Secret ballots are published one record entry each, in the order of their digests, so that
    their place in the record says nothing about when they were cast.
    """
    organization = poll.organization
    require_organizer(actor, organization)
    # The poll first: it waits for the ballots being written, which hold it in key-share mode
    # and then the organization's row (cast_ballot), and keeps out those that come after.
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    lock(organization.pk)
    if poll.state != Poll.State.OPEN:
        raise Invalid(POLL_CLOSED)
    cast = sum(Participation.objects.filter(poll=poll).values_list("votes", flat=True))
    if poll.secret:
        ballots = list(SecretBallot.objects.filter(poll=poll).order_by("receipt_digest"))
        if len(ballots) != cast:
            raise RuntimeError(
                f"poll {poll.pk}: {len(ballots)} secret ballots for {cast} votes recorded"
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
    poll.tally, poll.result = _result(poll, votes_of(poll), cast)
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["tally", "result", "state", "closed_at"])
    payload = {"poll": poll.pk, "votes": cast, "tally": poll.tally, "result": poll.result}
    if not poll.secret:
        payload["by_faction"] = _by_faction(poll)
    append(organization, actor=actor, action="poll.closed", payload=payload)
    publish(poll.session_id, {"type": "poll.closed", **payload})
    if poll.purpose != Poll.Purpose.QUESTION:
        from sovet.congress import outcomes

        outcomes.poll_closed(poll, actor=actor)
    tree.issue_head(organization, reason=TreeHead.Reason.POLL_CLOSED)
    return poll


def _by_faction(poll: Poll) -> list[dict[str, Any]]:
    """Return an open poll's votes by the faction of each delegate ('' for none)."""
    from sovet.congress.models import FactionMembership

    participations = list(Participation.objects.filter(poll=poll).select_related("mandate"))
    faction_of = dict(
        FactionMembership.objects.filter(
            organization=poll.organization,
            active=True,
            person__in=[p.mandate.delegate_id for p in participations],
        ).values_list("person_id", "faction__name")
    )
    rows: dict[str, Counter[str]] = {}
    for participation in participations:
        faction = faction_of.get(participation.mandate.delegate_id, "")
        for part in participation.ballot or []:
            content = part["choice"]
            key = content if isinstance(content, str) else content[0]
            rows.setdefault(faction, Counter())[key] += part["votes"]
    return [
        {"faction": faction, "votes": {option: rows[faction][option] for option in poll.options}}
        for faction in sorted(rows)
    ]
