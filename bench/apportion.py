"""Apportionment at scale: a million members in ten thousand branches, a 5,000-seat congress.

Figures (targets from the project brief):
1. importing 1,000,000 members from CSV: at least 50,000 rows/s;
2. forming the congress (create_council: seats stored, record entry) and the pure step
   composition.apportion (unit counts read + apportionment): under 1 s each;
3. recomposing after 1,000 membership changes, under 1 s: as part of a re-import that moves
   1,000 members, as recompose_all after a batch written directly, and per transfer_member.

Along the way it checks that the unit counts match the memberships, that the congress holds
exactly its seats, and that the stored seats always equal a fresh apportionment.
"""

import csv
import itertools
import os
import random
import shutil
import statistics
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import HIGHER, OUT_DIR, check, figure, setup_django, step, timed

SEED = 1903
MEMBERS = 1_000_000
REGIONS = 100
BRANCHES_PER_REGION = 100
SEATS = 5_000
CHANGES = 1_000
TRANSFERS = 100
LEVELS = ["Organization", "Region", "Branch"]
# Share of rows per status; the rest are members.
ASSISTANT_SHARE = 0.05
SUPPORTER_SHARE = 0.02
STATUSES = ("member", "assistant", "supporter")
# Branch sizes: lognormal weights, so some branches have thousands and a few almost nobody.
SIZE_SIGMA = 1.2
EMAIL_SHARE = 0.9
SECOND = 1.0

DB_DIR = OUT_DIR / "apportion-db"
MEMBERS_CSV = OUT_DIR / "members.csv"
CHANGED_CSV = OUT_DIR / "members-changed.csv"

FIRST = [
    "Anna",
    "Boris",
    "Clara",
    "Dmitri",
    "Elena",
    "Fyodor",
    "Galina",
    "Ivan",
    "Katya",
    "Lev",
    "Maria",
    "Nadia",
    "Oleg",
    "Pavel",
    "Rosa",
    "Sergei",
    "Tatiana",
    "Vera",
    "Yuri",
    "Zoya",
    "Ada",
    "Ben",
    "Chloe",
    "Dan",
    "Eva",
    "Finn",
    "Grace",
    "Hugo",
    "Iris",
    "Jonas",
]
LAST = [
    "Ivanova",
    "Petrov",
    "Smirnova",
    "Kuznetsov",
    "Popova",
    "Volkov",
    "Sokolova",
    "Lebedev",
    "Kozlova",
    "Novikov",
    "Morozova",
    "Pavlov",
    "Orlova",
    "Zaitsev",
    "Luxemburg",
    "Liebknecht",
    "Zetkin",
    "Kollontai",
    "Martov",
    "Plekhanov",
    "Axelrod",
    "Zasulich",
    "Potresov",
    "Trotsky",
    "Krupskaya",
    "Bauman",
    "Lengnik",
    "Noskov",
    "Gusev",
    "Essen",
]


@dataclass
class Roster:
    """The generated members, compactly: row i has number M{i+1:07d}."""

    branch: array  # index into the branch codes
    status: array  # index into STATUSES
    first: array
    last: array
    email: array  # 1 if the row has an e-mail address

    def rows(self, codes: list[str], branch: array | None = None) -> Iterator[tuple[str, ...]]:
        branch = self.branch if branch is None else branch
        for i in range(len(self.branch)):
            number = f"M{i + 1:07d}"
            yield (
                number,
                f"{FIRST[self.first[i]]} {LAST[self.last[i]]}",
                codes[branch[i]],
                f"{number.lower()}@example.org" if self.email[i] else "",
                STATUSES[self.status[i]],
            )


def generate(rng: random.Random, branches: int) -> Roster:
    weights = [rng.lognormvariate(0, SIZE_SIGMA) for _ in range(branches)]
    cumulative = list(itertools.accumulate(weights))
    branch = array("i", rng.choices(range(branches), cum_weights=cumulative, k=MEMBERS))
    status = array("b")
    for _ in range(MEMBERS):
        r = rng.random()
        status.append(
            1 if r < ASSISTANT_SHARE else 2 if r < ASSISTANT_SHARE + SUPPORTER_SHARE else 0
        )
    first = array("b", (rng.randrange(len(FIRST)) for _ in range(MEMBERS)))
    last = array("b", (rng.randrange(len(LAST)) for _ in range(MEMBERS)))
    email = array("b", (rng.random() < EMAIL_SHARE for _ in range(MEMBERS)))
    return Roster(branch, status, first, last, email)


def write_csv(path: Path, rows: Iterator[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(("number", "name", "unit", "email", "status"))
        writer.writerows(rows)


def moved(rng: random.Random, branch: array, count: int, branches: int) -> dict[int, int]:
    """Pick `count` rows and a different branch for each: {row: new branch}."""
    moves = {}
    for row in rng.sample(range(len(branch)), count):
        new = rng.randrange(branches - 1)
        moves[row] = new + (new >= branch[row])
    return moves


@contextmanager
def spy(module: ModuleType, name: str) -> Iterator[list[tuple[float, Any]]]:
    """Time every call of module.name while the block runs: a list of (seconds, result)."""
    original: Callable[..., Any] = getattr(module, name)
    calls: list[tuple[float, Any]] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = original(*args, **kwargs)
        calls.append((time.perf_counter() - start, result))
        return result

    setattr(module, name, wrapper)
    try:
        yield calls
    finally:
        setattr(module, name, original)


def import_progress(label: str) -> Callable[[int, int], None]:
    def progress(rows: int, expected: int) -> None:
        if rows % 200_000 == 0 or rows == expected:
            step(f"{label}: {rows:,} / {expected:,} rows")

    return progress


def seat_changes(result: dict[int, dict[int, tuple[int, int]]]) -> int:
    return sum(len(changes) for changes in result.values())


def main() -> dict[str, Any]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        shutil.rmtree(DB_DIR, ignore_errors=True)
        DB_DIR.mkdir(parents=True)
    database_note = setup_django(DB_DIR)
    step(database_note)

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count, F, Sum

    from sovet import apportionment
    from sovet.councils import composition
    from sovet.councils.actions import create_council
    from sovet.councils.models import Council, Seats
    from sovet.organizations.actions import (
        add_unit,
        create_organization,
        current_statute,
        transfer_member,
    )
    from sovet.organizations.importing import import_members
    from sovet.organizations.models import Membership, Status, Unit, UnitLevel

    info: dict[str, Any] = {"database_note": database_note}
    figures: list[dict[str, Any]] = []

    def stored_seats(council: Council) -> dict[int, int]:
        return dict(Seats.objects.filter(council=council).values_list("unit_id", "count"))

    def check_seats_fresh(council: Council, when: str) -> None:
        council = Council.objects.select_related("constituency_level", "organization").get(
            pk=council.pk
        )
        fresh = composition.apportion(council, current_statute(council.organization))
        fresh = {unit: seats for unit, seats in fresh.items() if seats}
        stored = stored_seats(council)
        differ = apportionment.changes(stored, fresh)
        check(
            not differ,
            f"{when}: stored seats equal a fresh apportionment"
            + (
                f" (differ in {len(differ)} units, e.g. {list(differ.items())[:5]})"
                if differ
                else ""
            ),
        )
        check(sum(stored.values()) == SEATS, f"{when}: the congress holds {SEATS:,} seats")

    def check_counts(when: str) -> None:
        actual = Counter(
            dict(
                Membership.objects.filter(organization=organization, status=Status.MEMBER)
                .values("unit")
                .annotate(n=Count("id"))
                .values_list("unit", "n")
            )
        )
        kept = dict(
            Unit.objects.filter(organization=organization).values_list("pk", "member_count")
        )
        wrong = {pk: (kept[pk], actual[pk]) for pk in kept if kept[pk] != actual[pk]}
        check(
            not wrong,
            f"{when}: every unit's member_count equals its memberships"
            + (f" (wrong in {len(wrong)}, e.g. {list(wrong.items())[:5]})" if wrong else ""),
        )

    # --- Setup: schema, organization, unit tree -------------------------------------------
    step("migrating")
    with timed() as t:
        call_command("migrate", verbosity=0, interactive=False)
    info["migrate_s"] = t["s"]
    slug = "bench" if not os.environ.get("DATABASE_URL") else f"bench-{int(time.time())}"
    with timed() as t:
        organization = create_organization(
            actor=None,
            slug=slug,
            name="Bench Party",
            levels=LEVELS,
            # The default preset gives every unit at least one delegate: 10,000 branches could
            # not share 5,000 seats. Seats go by membership alone here.
            rules={"min_delegates_per_unit": 0},
        )
        root = Unit.objects.select_related("level", "organization").get(
            organization=organization, parent=None
        )
        codes: list[str] = []
        for r in range(1, REGIONS + 1):
            region = add_unit(actor=None, parent=root, code=f"r{r:03d}", name=f"Region {r}")
            for b in range(1, BRANCHES_PER_REGION + 1):
                code = f"r{r:03d}-b{b:03d}"
                add_unit(actor=None, parent=region, code=code, name=f"Branch {r}.{b}")
                codes.append(code)
            if r % 10 == 0:
                step(f"unit tree: {r} / {REGIONS} regions, {len(codes):,} branches")
    units_added = REGIONS + len(codes)
    info["setup_units_s"] = t["s"]
    info["setup_units_per_s"] = units_added / t["s"]
    step(f"organization and {units_added:,} units (add_unit) in {t['s']:.1f} s")
    figures.append(
        figure(
            f"setup: {units_added:,} x add_unit",
            t["s"],
            "s",
            note=f"{1000 * t['s'] / units_added:.2f} ms per unit; not a target",
        )
    )
    branch_level = UnitLevel.objects.get(organization=organization, name="Branch")
    unit_pk = dict(Unit.objects.filter(organization=organization).values_list("code", "pk"))

    # --- The member file ------------------------------------------------------------------
    rng = random.Random(SEED)
    with timed() as t:
        roster = generate(rng, len(codes))
        write_csv(MEMBERS_CSV, roster.rows(codes))
    expected_members = roster.status.count(0)
    sizes = Counter(roster.branch)
    info["members_csv"] = {
        "rows": MEMBERS,
        "members": expected_members,
        "assistants": roster.status.count(1),
        "supporters": roster.status.count(2),
        "branch_sizes": {
            "min": min(sizes.get(i, 0) for i in range(len(codes))),
            "median": statistics.median(sizes.get(i, 0) for i in range(len(codes))),
            "max": max(sizes.values()),
            "empty": sum(1 for i in range(len(codes)) if i not in sizes),
        },
        "bytes": MEMBERS_CSV.stat().st_size,
        "write_s": t["s"],
    }
    step(
        f"wrote {MEMBERS:,} rows to {MEMBERS_CSV} in {t['s']:.1f} s "
        f"(branch sizes {info['members_csv']['branch_sizes']})"
    )

    # --- Figure 1: import throughput ------------------------------------------------------
    step("figure 1: importing the member file")
    with timed() as t:
        report = import_members(
            actor=None,
            organization=organization,
            path=MEMBERS_CSV,
            progress=import_progress("import"),
        )
    info["import"] = {"s": t["s"], **report.counts()}
    step(f"imported in {t['s']:.1f} s: {report.counts()}")
    figures.append(
        figure(
            "1. import 1,000,000 members",
            MEMBERS / t["s"],
            "rows/s",
            target=50_000,
            better=HIGHER,
            note=f"{t['s']:.1f} s in all",
        )
    )
    check(report.added == MEMBERS and not report.bad, f"the import added {MEMBERS:,} rows")
    counted = Unit.objects.filter(organization=organization).aggregate(n=Sum("member_count"))["n"]
    check(
        counted == expected_members,
        f"sum of Unit.member_count ({counted:,}) == rows with status member ({expected_members:,})",
    )
    check(
        Membership.objects.filter(organization=organization).count() == MEMBERS,
        f"{MEMBERS:,} memberships stored",
    )

    # --- Figure 2: apportioning a 5,000-seat congress -------------------------------------
    step(f"figure 2: forming a {SEATS:,}-seat congress")
    with timed() as t:
        council = create_council(
            actor=None,
            unit=root,
            name="Congress",
            constituency_level=branch_level,
            fixed_seats=SEATS,
        )
    figures.append(
        figure(
            f"2a. create_council, {SEATS:,} seats",
            t["s"],
            "s",
            target=SECOND,
            note="seats stored + record entry",
        )
    )
    step(f"create_council in {t['s']:.3f} s")
    council = Council.objects.select_related("constituency_level", "organization").get(
        pk=council.pk
    )
    statute = current_statute(organization)
    check(sum(stored_seats(council).values()) == SEATS, f"the congress holds {SEATS:,} seats")

    runs = []
    for _ in range(5):
        with timed() as t:
            target_seats = composition.apportion(council, statute)
        runs.append(t["s"])
    figures.append(
        figure(
            "2b. composition.apportion (pure step)",
            statistics.median(runs),
            "s",
            target=SECOND,
            note=f"median of {len(runs)}; unit counts read + {statute.apportionment_method}",
        )
    )
    info["composition_apportion_runs_s"] = runs
    with timed() as t:
        populations = composition.populations(council, statute.criterion)
    info["populations_s"] = t["s"]
    check(
        sum(populations.values()) == expected_members and len(populations) == len(codes),
        f"populations cover {len(codes):,} branches and {expected_members:,} members",
    )
    pure: dict[str, dict[int, int]] = {}
    for method in apportionment.Method:
        with timed() as t:
            pure[method.value] = apportionment.apportion(
                populations, SEATS, method, minimum=statute.min_delegates_per_unit
            )
        figures.append(figure(f"2c. apportionment.apportion {method.value}", t["s"], "s"))
        check(sum(pure[method.value].values()) == SEATS, f"{method.value} gives {SEATS:,} seats")
    # composition.apportion leaves out units nobody counts in; compare the seats given.
    check(
        not apportionment.changes(target_seats, pure[statute.apportionment_method]),
        "composition.apportion gives the seats the pure method gives on the same populations",
    )
    seated = sum(1 for seats in target_seats.values() if seats)
    info["congress"] = {
        "method": statute.apportionment_method,
        "branches_seated": seated,
        "max_seats": max(target_seats.values()),
        "differ_from_sainte_lague": {
            method: len(apportionment.changes(pure["sainte_lague"], seats))
            for method, seats in pure.items()
        },
    }
    step(f"congress: {info['congress']}")

    # --- Figure 3a: re-import moving 1,000 members ----------------------------------------
    step(f"figure 3a: re-importing with {CHANGES:,} members moved")
    moves = moved(rng, roster.branch, CHANGES, len(codes))
    branch = array("i", roster.branch)
    for row, new in moves.items():
        branch[row] = new
    write_csv(CHANGED_CSV, roster.rows(codes, branch))
    with timed() as t, spy(composition, "recompose_all") as recomposes:
        report = import_members(
            actor=None,
            organization=organization,
            path=CHANGED_CSV,
            progress=import_progress("re-import"),
        )
    check(
        report.transferred == CHANGES and report.unchanged == MEMBERS - CHANGES,
        f"the re-import transferred {CHANGES:,} and left {MEMBERS - CHANGES:,} unchanged",
    )
    check(len(recomposes) == 1, "the re-import recomposed once")
    recompose_s, result = recomposes[0]
    info["reimport"] = {
        "s": t["s"],
        "recompose_s": recompose_s,
        "seat_changes": seat_changes(result),
        **report.counts(),
    }
    step(f"re-import: {info['reimport']}")
    figures.append(
        figure(
            f"3a. re-import, {CHANGES:,} moved: total",
            t["s"],
            "s",
            note=f"{MEMBERS / t['s']:,.0f} rows/s",
        )
    )
    figures.append(
        figure(
            "3a. ... its recompose_all",
            recompose_s,
            "s",
            target=SECOND,
            note=f"{seat_changes(result)} units' seats changed",
        )
    )
    check_seats_fresh(council, "after the re-import")
    check_counts("after the re-import")

    # --- Figure 3b: single transfers, each an action that recomposes ----------------------
    step(f"figure 3b: {TRANSFERS} x transfer_member")
    singles = moved(rng, branch, TRANSFERS, len(codes))
    numbers = {f"M{row + 1:07d}": codes[new] for row, new in singles.items()}
    memberships = Membership.objects.filter(
        organization=organization, number__in=numbers
    ).select_related("organization")
    targets = {
        unit.code: unit
        for unit in Unit.objects.filter(organization=organization, code__in=numbers.values())
    }
    latencies = []
    with spy(composition, "recompose_all") as recomposes:
        for membership in memberships:
            with timed() as t:
                transfer_member(
                    actor=None, membership=membership, unit=targets[numbers[membership.number]]
                )
            latencies.append(t["s"])
    seat_moves = sum(seat_changes(result) for _, result in recomposes)
    check(len(latencies) == TRANSFERS, f"{TRANSFERS} transfers made")
    latencies.sort()
    info["transfers"] = {
        "mean_s": statistics.fmean(latencies),
        "p50_s": statistics.median(latencies),
        "max_s": latencies[-1],
        "recompose_mean_s": statistics.fmean(s for s, _ in recomposes),
        "seat_changes": seat_moves,
    }
    step(f"transfers: {info['transfers']}")
    figures.append(
        figure(
            "3b. transfer_member, mean latency",
            info["transfers"]["mean_s"],
            "s",
            target=SECOND,
            note=(
                f"max {latencies[-1]:.3f} s; recompose {info['transfers']['recompose_mean_s']:.3f}"
                f" s of it; {seat_moves} seat changes in all"
            ),
        )
    )
    check_seats_fresh(council, "after the transfers")

    # --- Figure 3c: recompose_all after a batch of changes written directly ---------------
    step(f"figure 3c: recompose_all after {CHANGES:,} moves written directly")
    batch = moved(rng, branch, CHANGES, len(codes))
    by_number = {f"M{row + 1:07d}": unit_pk[codes[new]] for row, new in batch.items()}
    with transaction.atomic():
        current = list(
            Membership.objects.filter(organization=organization, number__in=by_number).values_list(
                "pk", "number", "unit_id", "status"
            )
        )
        deltas: Counter[tuple[int, str]] = Counter()
        updates = []
        for pk, number, old_unit, status in current:
            updates.append(Membership(pk=pk, unit_id=by_number[number]))
            deltas[old_unit, status] -= 1
            deltas[by_number[number], status] += 1
        Membership.objects.bulk_update(updates, ["unit"], batch_size=500)
        for (unit, status), delta in deltas.items():
            if delta and status == Status.MEMBER:
                Unit.objects.filter(pk=unit).update(member_count=F("member_count") + delta)
            elif delta and status == Status.ASSISTANT:
                Unit.objects.filter(pk=unit).update(assistant_count=F("assistant_count") + delta)
    with timed() as t, transaction.atomic():
        result = composition.recompose_all(organization, actor=None)
    info["recompose_all"] = {"s": t["s"], "seat_changes": seat_changes(result)}
    figures.append(
        figure(
            f"3c. recompose_all after {CHANGES:,} moves",
            t["s"],
            "s",
            target=SECOND,
            note=f"{seat_changes(result)} units' seats changed; transaction included",
        )
    )
    step(f"recompose_all: {info['recompose_all']}")
    check_seats_fresh(council, "after the direct batch")
    check_counts("at the end")

    info["scale"] = {
        "members": MEMBERS,
        "regions": REGIONS,
        "branches": len(codes),
        "seats": SEATS,
        "changes": CHANGES,
        "transfers": TRANSFERS,
        "seed": SEED,
    }
    info["record_length"] = Council.objects.get(pk=council.pk).organization.record_length
    info["vendor"] = connection.vendor
    return {"figures": figures, "info": info}
