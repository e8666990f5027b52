"""A 5,000-delegate congress votes: every delegate casts one ballot through the action path.

Figures (the issue's), SQLite and PostgreSQL side by side:
1. casting: `polls.actions.cast_ballot` for each of the 5,000 delegates, one transaction each
   as in real use, in one process one after another; ballots/s (5,000 / wall-clock time) and
   the p50 / p99 latency of a ballot. On PostgreSQL also from THREADS threads at once, each
   with its own database connection, as real traffic is concurrent. Goal on PostgreSQL: at
   least 1,000 ballots/s, for the better of sequential and threaded (row 1c names which);
2. the limit: in the same run, on the same database and Django connection, a plain loop of
   5,000 single-row INSERTs (`cursor.execute`, autocommit: one transaction each) into a
   throwaway table (id, poll_id, mandate_id, choice), dropped afterwards; on PostgreSQL also
   from THREADS threads;
3. the ratio ballots/s / inserts/s, each mode against the limit of the same mode. Goal on
   PostgreSQL: at least 0.25, for the mode of row 1c;
4. closing: `close_poll` (the result and tally, the record entry, the signed tree head).
The goals are targets of figures (reported pass or FAIL), not correctness checks.
All of it for an open poll (roll call: the ballot in the record entry); then casting and closing
for a secret poll (5 and 6: receipts; closing publishes the 5,000 ballots as record entries),
sequential only, to keep the run near ten minutes on two cores.

What a ballot is handed: the delegate's user as the authentication middleware loads it (with
its login, as `sovet.auth.Backend` does), the mandate with its delegate (as the ballot view
and the API load it), both fresh for every series, and the poll loaded once per series (per
thread), as a view would. Choices are
fixed in advance (60% yes, 30% no, 10% abstain) and cast in a shuffled order. Before the
series, WARM_UP ballots in a poll of their own are cast untimed, counting their SQL statements
(as Django logs them, BEGIN and COMMIT included).

Setup (untimed, each step through the actions, with progress): an organization whose council
(fixed at 5,000 seats) is elected by BRANCHES branches of 1,000 members each, imported from
CSV (`import_members`); a login for each member (`grant_login`, MD5 password hashing in this
process, as the test suite does); a mandate for each (`issue_mandate`); a session convened,
all 5,000 credentials decided in one `decide_credentials`, the session opened, and every
delegate checked in (`check_in`). Their times are reported as figures without targets.
The load average of the machine is kept with each series in the JSON, as other work on it
moves these figures.

After each poll closes it checks that exactly 5,000 Participation rows exist, that the tally
sums to 5,000 votes and matches the choices cast, that the record grew by one entry per ballot
(plus the published ballots of a secret poll) and that the last signed tree head covers the
whole record and matches its root.

Each database runs in a process of its own (`python -m bench.poll db sqlite|postgres`), as
Django is set up once per process: SQLite in a fresh file under var/bench/poll-sqlite/ with the
project's own SQLite settings, PostgreSQL (127.0.0.1:5432, user postgres) in a throwaway
database created at the start and dropped at the end. An unreachable PostgreSQL is reported as
not measured, not fatal.
"""

import contextlib
import datetime
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import (
    HIGHER,
    OUT_DIR,
    CheckFailed,
    check,
    figure,
    fresh_database,
    pg_name,
    postgres_database,
    run_child,
    step,
    timed,
)

SEED = 1905
BRANCHES = 5
PER_BRANCH = 1_000
DELEGATES = BRANCHES * PER_BRANCH
THREADS = 8
WARM_UP = 20  # untimed ballots, in a poll of their own, before the series
CHOICES = (("yes", 6), ("no", 3), ("abstain", 1))  # out of every ten delegates
RATE_GOAL = 1_000.0  # ballots/s on PostgreSQL
RATIO_GOAL = 0.25  # ballots/s / plain inserts/s on PostgreSQL
PASSWORD = "bench password"

DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PLAIN_TABLE = "bench_poll_plain_insert"


# ---------------------------------------------------------------------------------------------
# The database part, in a subprocess: python -m bench.poll db sqlite|postgres


def _series(latencies: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "count": len(ordered),
        "wall_s": wall,
        "per_s": len(ordered) / wall,
        "mean_ms": 1000 * statistics.fmean(ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
        "max_ms": 1000 * ordered[-1],
    }


def setup_database(kind: str) -> str:
    """Point Django at a fresh database of the kind, set it up and migrate; return a note."""
    note = fresh_database(kind, "poll")
    from django.conf import settings
    from django.core.management import call_command

    # Cheap password hashing for 5,000 logins: the hasher is Django's concern, not measured here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    step(f"{kind}: {note}; migrating")
    call_command("migrate", verbosity=0, interactive=False)
    return note


@dataclass
class Congress:
    organization: Any
    council: Any
    session: Any
    setup_s: dict[str, float] = field(default_factory=dict)


def _each(label: str, items: list[Any], action: Callable[[Any], Any]) -> float:
    """Run the action on each item, with progress every thousand; return the seconds taken."""
    start = time.perf_counter()
    for done, item in enumerate(items, start=1):
        action(item)
        if done % 1000 == 0 or done == len(items):
            elapsed = time.perf_counter() - start
            step(f"{label}: {done:,} / {len(items):,} ({1000 * elapsed / done:.2f} ms each)")
    return time.perf_counter() - start


def build(var_dir: Path) -> Congress:
    """The congress, built through the actions: 5,000 delegates checked in to an open session."""
    from django.db.models import Sum

    from sovet.congress import sessions
    from sovet.congress.models import Credential
    from sovet.councils.actions import create_council, issue_mandate
    from sovet.councils.models import Mandate, Seats
    from sovet.organizations.actions import add_unit, create_organization, grant_login
    from sovet.organizations.importing import import_members
    from sovet.organizations.models import Membership, Unit, UnitLevel

    setup: dict[str, float] = {}
    with timed() as t:
        organization = create_organization(
            actor=None, slug="bench", name="Bench Party", levels=["Congress", "Branch"]
        )
        root = Unit.objects.select_related("level", "organization").get(
            organization=organization, parent=None
        )
        codes = [f"b{b}" for b in range(1, BRANCHES + 1)]
        for b, code in enumerate(codes, start=1):
            add_unit(actor=None, parent=root, code=code, name=f"Branch {b}")
        branch_level = UnitLevel.objects.get(organization=organization, name="Branch")
        path = var_dir / "members.csv"
        with path.open("w", encoding="utf-8") as file:
            file.write("number,name,unit,email\n")
            for i in range(DELEGATES):
                number = f"D{i + 1:05d}"
                file.write(
                    f"{number},Delegate {i + 1},{codes[i % BRANCHES]},{number}@example.org\n"
                )
        report = import_members(actor=None, organization=organization, path=path)
        council = create_council(
            actor=None,
            unit=root,
            name="Congress",
            constituency_level=branch_level,
            fixed_seats=DELEGATES,
        )
    setup["organization_import_council_s"] = t["s"]
    check(report.added == DELEGATES, f"the import added {DELEGATES:,} members")
    seats = dict(Seats.objects.filter(council=council).values_list("unit__code", "count"))
    check(
        seats == dict.fromkeys(codes, PER_BRANCH),
        f"the congress holds {PER_BRANCH:,} seats for each of {BRANCHES} branches",
    )
    step(f"organization, {BRANCHES} branches, {DELEGATES:,} members, council: {t['s']:.1f} s")

    memberships = list(
        Membership.objects.filter(organization=organization)
        .select_related("person", "organization")
        .order_by("number")
    )
    setup["grant_login_s"] = _each(
        "grant_login",
        memberships,
        lambda m: grant_login(actor=None, membership=m, username=m.number, password=PASSWORD),
    )
    units = {unit.pk: unit for unit in Unit.objects.filter(organization=organization)}
    setup["issue_mandate_s"] = _each(
        "issue_mandate",
        memberships,
        lambda m: issue_mandate(
            actor=None, council=council, unit=units[m.unit_id], delegate=m.person
        ),
    )
    with timed() as t:
        session = sessions.convene_session(
            actor=None,
            council=council,
            title="Fifth Congress",
            opens_on=datetime.date(1907, 5, 13),
            place="London",
            agenda=["Polls"],
        )
        mandates = list(
            Mandate.objects.filter(council=council, state=Mandate.State.ACTIVE)
            .select_related("delegate", "council")
            .order_by("pk")
        )
        sessions.decide_credentials(actor=None, session=session, mandates=mandates)
        session = sessions.open_session(actor=None, session=session)
    setup["convene_accredit_open_s"] = t["s"]
    step(f"session convened, {len(mandates):,} credentials decided, opened: {t['s']:.1f} s")
    setup["check_in_s"] = _each(
        "check_in",
        mandates,
        lambda mandate: sessions.check_in(actor=None, session=session, mandate=mandate),
    )
    present = Credential.objects.filter(session=session, present=True).aggregate(
        n=Sum("mandate__votes")
    )["n"]
    quorum = sessions.quorum(session)
    check(
        present == DELEGATES and quorum.present == DELEGATES and quorum.reached,
        f"{DELEGATES:,} delegates present, quorum reached",
    )
    return Congress(organization, council, session, setup)


def delegates(congress: Congress) -> list[tuple[Any, Any, str]]:
    """(user, mandate, choice) for every delegate, loaded fresh, in a shuffled order."""
    from django.contrib.auth import get_user_model

    from sovet.councils.models import Mandate
    from sovet.organizations.models import Login

    mandates = list(
        Mandate.objects.filter(council=congress.council, state=Mandate.State.ACTIVE)
        .select_related("delegate")
        .order_by("pk")
    )
    user_of = dict(
        Login.objects.filter(person__in=[m.delegate_id for m in mandates]).values_list(
            "person_id", "user_id"
        )
    )
    # As sovet.auth.Backend loads a signed-in user for each request: with the login.
    users = get_user_model().objects.select_related("login").in_bulk(list(user_of.values()))
    choices = [choice for choice, tenths in CHOICES for _ in range(tenths)]
    rows = [
        (users[user_of[m.delegate_id]], m, choices[i % len(choices)])
        for i, m in enumerate(mandates)
    ]
    random.Random(SEED).shuffle(rows)
    return rows


def expected_tally(count: int) -> dict[str, int]:
    choices = [choice for choice, tenths in CHOICES for _ in range(tenths)]
    return dict(Counter(choices[i % len(choices)] for i in range(count)))


def cast_sequential(poll_id: int, rows: list[tuple[Any, Any, str]]) -> dict[str, float]:
    from sovet.polls.actions import cast_ballot
    from sovet.polls.models import Poll

    poll = Poll.objects.get(pk=poll_id)
    latencies = []
    start = time.perf_counter()
    for user, mandate, choice in rows:
        before = time.perf_counter()
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice=choice)
        latencies.append(time.perf_counter() - before)
    return _series(latencies, time.perf_counter() - start)


def in_threads(rows: list[Any], work: Callable[[list[Any], list[float]], None]) -> dict[str, float]:
    """Split the rows over THREADS threads, each with its own connection; time them together.

    `work(rows, latencies)` runs in each thread once its connection is open and every thread is
    ready; the clock runs from the common start until the last thread is done.
    """
    from django.db import connection

    chunks = [rows[i::THREADS] for i in range(THREADS)]
    latencies: list[list[float]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    ready = threading.Barrier(THREADS + 1)

    def run(index: int) -> None:
        try:
            connection.ensure_connection()
            ready.wait()
            work(chunks[index], latencies[index])
        except BaseException as error:
            errors.append(error)
            ready.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        broken = threading.BrokenBarrierError
        raise next((e for e in errors if not isinstance(e, broken)), errors[0])
    return _series([s for chunk in latencies for s in chunk], wall)


def cast_threaded(poll_id: int, rows: list[tuple[Any, Any, str]]) -> dict[str, float]:
    from sovet.polls.actions import cast_ballot
    from sovet.polls.models import Poll

    def work(chunk: list[tuple[Any, Any, str]], latencies: list[float]) -> None:
        poll = Poll.objects.get(pk=poll_id)
        for user, mandate, choice in chunk:
            before = time.perf_counter()
            cast_ballot(actor=user, poll=poll, mandate=mandate, choice=choice)
            latencies.append(time.perf_counter() - before)

    return in_threads(rows, work)


def plain_inserts(poll_id: int, rows: list[tuple[Any, Any, str]], threaded: bool) -> dict[str, Any]:
    """The limit: single-row INSERTs in autocommit into a throwaway table, then drop it."""
    from django.db import connection

    key = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
    insert = f"INSERT INTO {PLAIN_TABLE} (poll_id, mandate_id, choice) VALUES (%s, %s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
        cursor.execute(
            f"CREATE TABLE {PLAIN_TABLE} (id {key}, poll_id INTEGER NOT NULL,"
            " mandate_id INTEGER NOT NULL, choice TEXT NOT NULL)"
        )
    check(connection.get_autocommit(), "plain INSERTs run in autocommit: one transaction each")

    def work(chunk: list[tuple[Any, Any, str]], latencies: list[float]) -> None:
        with connection.cursor() as cursor:
            for _, mandate, choice in chunk:
                before = time.perf_counter()
                cursor.execute(insert, [poll_id, mandate.pk, choice])
                latencies.append(time.perf_counter() - before)

    if threaded:
        series = in_threads(rows, work)
    else:
        latencies: list[float] = []
        start = time.perf_counter()
        work(rows, latencies)
        series = _series(latencies, time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {PLAIN_TABLE}")
        stored = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {PLAIN_TABLE}")
    check(stored == len(rows), f"plain INSERT loop stored {len(rows):,} rows")
    return series


def run_poll(congress: Congress, *, secret: bool, threaded: bool, question: str) -> dict[str, Any]:
    """Open a poll, let every delegate cast a ballot, close it; check and return the figures."""
    from sovet.polls.actions import close_poll, open_poll
    from sovet.polls.models import Participation, Poll, SecretBallot
    from sovet.record import tree
    from sovet.record.models import TreeHead

    organization = congress.organization
    rows = delegates(congress)
    with timed() as t:
        poll = open_poll(
            actor=None,
            council=congress.council,
            session=congress.session,
            question=question,
            secret=secret,
        )
    open_s = t["s"]
    organization.refresh_from_db()
    length = organization.record_length
    mode = f"{THREADS} threads" if threaded else "sequential"
    step(f"{question}: {len(rows):,} ballots, {mode}")
    cast = cast_threaded(poll.pk, rows) if threaded else cast_sequential(poll.pk, rows)
    step(
        f"{question}: {cast['per_s']:,.0f} ballots/s, p50 {cast['p50_ms']:.2f} ms,"
        f" p99 {cast['p99_ms']:.2f} ms"
    )
    organization.refresh_from_db()
    check(
        organization.record_length == length + len(rows),
        f"{question}: the record grew by one entry per ballot ({len(rows):,})",
    )
    with timed() as t:
        close_poll(actor=None, poll=poll)
    close_s = t["s"]
    step(f"{question}: close_poll in {t['s']:.3f} s")

    poll = Poll.objects.get(pk=poll.pk)
    organization.refresh_from_db()
    participations = Participation.objects.filter(poll=poll).count()
    check(
        participations == DELEGATES,
        f"{question}: {participations:,} Participation rows, {DELEGATES:,} expected",
    )
    tally = {row["choice"]: row["votes"] for row in poll.tally}
    check(
        poll.state == Poll.State.CLOSED and sum(tally.values()) == DELEGATES,
        f"{question}: closed, the tally sums to {sum(tally.values()):,} votes of {DELEGATES:,}",
    )
    wanted = expected_tally(DELEGATES)
    check(
        all(tally.get(choice, 0) == votes for choice, votes in wanted.items()),
        f"{question}: the tally {tally} is the choices cast {wanted}",
    )
    published = DELEGATES if secret else 0
    check(
        organization.record_length == length + len(rows) + published + 1,
        f"{question}: closing added {published:,} published ballots and the poll.closed entry",
    )
    if secret:
        unpublished = SecretBallot.objects.filter(poll=poll, published_seq=None).count()
        ballots = SecretBallot.objects.filter(poll=poll).count()
        check(
            ballots == DELEGATES and not unpublished,
            f"{question}: {ballots:,} secret ballots, every one published",
        )
    head = TreeHead.objects.filter(organization=organization).order_by("-pk").first()
    check(
        head is not None
        and head.reason == TreeHead.Reason.POLL_CLOSED
        and head.tree_size == organization.record_length
        and head.root_hash == tree.root(organization.pk, head.tree_size).hex(),
        f"{question}: a signed tree head of the whole record ({organization.record_length:,})",
    )
    return {
        "secret": secret,
        "mode": mode,
        "open_poll_s": open_s,
        "cast": cast,
        "close_s": close_s,
        "tally": tally,
        "result": poll.result,
        "record_length": organization.record_length,
    }


def warm_up(congress: Congress) -> dict[str, Any]:
    """Cast WARM_UP ballots untimed in a poll of their own, counting their SQL statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sovet.polls.actions import cast_ballot, close_poll, open_poll

    rows = delegates(congress)[:WARM_UP]
    poll = open_poll(
        actor=None, council=congress.council, session=congress.session, question="Warm-up?"
    )
    with CaptureQueriesContext(connection) as queries:
        for user, mandate, choice in rows:
            cast_ballot(actor=user, poll=poll, mandate=mandate, choice=choice)
    close_poll(actor=None, poll=poll)
    return {"ballots": len(rows), "statements_per_ballot": len(queries) / len(rows)}


def db_worker(kind: str) -> dict[str, Any]:
    """Build the congress and run the polls on one database; run in a process of its own."""
    report: dict[str, Any] = {"kind": kind, "load_average_at_start": os.getloadavg()}
    var_dir = OUT_DIR / f"poll-{kind}"
    with timed() as t:
        report["note"] = setup_database(kind)
    report["migrate_s"] = t["s"]

    from django.db import connection

    from bench import database

    report["database"] = database()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            report["server_version"] = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            report["synchronous_commit"] = cursor.fetchone()[0]

    congress = build(var_dir)
    report["setup_s"] = congress.setup_s
    report["warm_up"] = warm_up(congress)
    step(f"{kind}: warm-up: {report['warm_up']}")

    threaded = [False, True] if kind == "postgres" else [False]
    report["plain"] = {}
    for many in threaded:
        mode = "threaded" if many else "sequential"
        step(f"{kind}: plain INSERT loop, {DELEGATES:,} rows, {mode}")
        report["plain"][mode] = plain_inserts(0, delegates(congress), many)
        step(f"{kind}: plain INSERT loop, {mode}: {report['plain'][mode]['per_s']:,.0f} rows/s")
    report["polls"] = {}
    for secret, many in [(False, many) for many in threaded] + [(True, False)]:
        name = ("secret" if secret else "open") + ("-threaded" if many else "-sequential")
        report["polls"][name] = run_poll(
            congress, secret=secret, threaded=many, question=f"Poll {name}?"
        )
        report["polls"][name]["load_average"] = os.getloadavg()
    return report


# ---------------------------------------------------------------------------------------------
# The parent


def _ms(series: dict[str, float]) -> str:
    return f"p50 {series['p50_ms']:.2f} ms, p99 {series['p99_ms']:.2f} ms"


def _mode(mode: str) -> str:
    return "sequential" if mode == "sequential" else f"{THREADS} threads"


def db_figures(kind: str, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of one database, numbered so that the parent can set them side by side."""
    name = DATABASES[kind]
    goal = kind == "postgres"
    if "not_measured" in report:
        why = f"not measured: {report['not_measured']}"
        return [
            figure(f"{label}, {name}", None, unit, note=why)
            for label, unit in (
                ("1a. open poll: cast_ballot x 5,000, sequential", "ballots/s"),
                ("1c. open poll: best ballots/s", "ballots/s"),
                ("2a. plain INSERT loop x 5,000, sequential", "rows/s"),
                ("3a. ratio ballots/s / inserts/s", "x"),
                ("4a. open poll: close_poll", "s"),
                ("5a. secret poll: cast_ballot x 5,000, sequential", "ballots/s"),
                ("6a. secret poll: close_poll", "s"),
            )
        ]
    statements = report["warm_up"]["statements_per_ballot"]
    polls, plain = report["polls"], report["plain"]
    modes = [(mode, "ab"[i]) for i, mode in enumerate(("sequential", "threaded")) if mode in plain]
    # The goal counts the better of sequential and threaded, against the limit of its mode.
    best = max((mode for mode, _ in modes), key=lambda m: polls[f"open-{m}"]["cast"]["per_s"])
    rows: list[dict[str, Any]] = []
    for poll_name, (mode, letter) in [("open", m) for m in modes] + [("secret", modes[0])]:
        poll = polls[f"{poll_name}-{mode}"]
        series = poll["cast"]
        number = 1 if poll_name == "open" else 5
        rows.append(
            figure(
                f"{number}{letter}. {poll_name} poll: cast_ballot x 5,000, {_mode(mode)}, {name}",
                series["per_s"],
                "ballots/s",
                better=HIGHER,
                note=f"{_ms(series)}; {series['per_s'] / plain[mode]['per_s']:.3f} of plain"
                f" INSERTs ({_mode(mode)})"
                + (
                    f"; {statements:.0f} SQL statements a ballot, BEGIN and COMMIT included"
                    if letter == "a"
                    else ""
                ),
            )
        )
        published = ", 5,000 ballots published" if poll["secret"] else ""
        rows.append(
            figure(
                f"{number + 1 if poll_name == 'secret' else 4}{letter}. {poll_name} poll"
                f" ({_mode(mode)}): close_poll, {name}",
                poll["close_s"],
                "s",
                note=f"result, record entry{published}, signed head;"
                f" record {poll['record_length']:,} entries after",
            )
        )
    # Only where there is a choice (PostgreSQL); SQLite is measured one ballot after another.
    if len(modes) > 1 or goal:
        rows.append(
            figure(
                f"1c. open poll: best ballots/s ({_mode(best)}), {name}",
                polls[f"open-{best}"]["cast"]["per_s"],
                "ballots/s",
                target=RATE_GOAL if goal else None,
                better=HIGHER,
                note=f"the better of {' and '.join(_mode(mode) for mode, _ in modes)}",
            )
        )
    for mode, letter in modes:
        series = plain[mode]
        rows.append(
            figure(
                f"2{letter}. plain INSERT loop x 5,000, {_mode(mode)}, {name}",
                series["per_s"],
                "rows/s",
                better=HIGHER,
                note=f"{_ms(series)}; autocommit, the same database; the limit",
            )
        )
        is_goal = goal and mode == best
        rows.append(
            figure(
                f"3{letter}. ratio ballots/s / inserts/s, {_mode(mode)}, {name}",
                polls[f"open-{mode}"]["cast"]["per_s"] / series["per_s"],
                "x",
                target=RATIO_GOAL if is_goal else None,
                better=HIGHER,
                note="open poll"
                + ("; the goal: the mode of 1c against its limit" if is_goal else ""),
            )
        )
    setup = report["setup_s"]
    for action in ("grant_login", "issue_mandate", "check_in"):
        seconds = setup[f"{action}_s"]
        rows.append(
            figure(
                f"9. setup: {action} x 5,000, {name}",
                seconds,
                "s",
                note=f"{1000 * seconds / DELEGATES:.2f} ms each, one action each; not a target",
            )
        )
    rows.append(
        figure(
            f"9. setup: organization, import, council; session, credentials, {name}",
            setup["organization_import_council_s"] + setup["convene_accredit_open_s"],
            "s",
            note=f"{setup['organization_import_council_s']:.1f} s +"
            f" {setup['convene_accredit_open_s']:.1f} s; not a target",
        )
    )
    return rows


def main() -> dict[str, Any]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {
        "delegates": DELEGATES,
        "branches": BRANCHES,
        "threads": THREADS,
        "warm_up_ballots": WARM_UP,
        "choices": dict(CHOICES),
        "seed": SEED,
    }
    reports: dict[str, dict[str, Any]] = {}
    step("SQLite, in a subprocess")
    reports["sqlite"] = run_child("bench.poll", "sqlite")
    if "error" in reports["sqlite"]:
        raise RuntimeError(f"the SQLite part failed: {reports['sqlite']['error']}")
    with postgres_database(pg_name("poll")) as unreachable:
        if unreachable:
            step(f"PostgreSQL: not measured: {unreachable}")
            reports["postgres"] = {"not_measured": unreachable}
        else:
            step("PostgreSQL, in a subprocess")
            reports["postgres"] = run_child("bench.poll", "postgres")
            if "error" in reports["postgres"]:
                raise RuntimeError(f"the PostgreSQL part failed: {reports['postgres']['error']}")
    info["databases"] = reports
    # Side by side: each figure on SQLite, then on PostgreSQL.
    figures = [f for kind in DATABASES for f in db_figures(kind, reports[kind])]
    figures.sort(key=lambda f: f["name"].split(".")[0])
    return {"figures": figures, "info": info}


if __name__ == "__main__":
    if sys.argv[1:2] != ["db"] or len(sys.argv) != 3 or sys.argv[2] not in DATABASES:
        raise SystemExit("usage: python -m bench.poll db sqlite|postgres")
    with contextlib.redirect_stdout(sys.stderr):
        try:
            result = db_worker(sys.argv[2])
        except CheckFailed as failure:
            result = {"check_failed": str(failure)}
    print(json.dumps(result), flush=True)
