"""Counting, side by side with the Python peers: Sovet versus pref_voting, votekit, pyrankvote.

Cases (issue 3, item 6):
  (a) the largest real election in the data, Portland 2024 District 1 (42,871 ballots, 17
      candidates, 3 seats), as the BLT file it is published in (one line per distinct ranking);
  (b) 1,000,000 ballots over 12 candidates for 3 seats from a fixed-seed spatial model:
      candidates and voters are points in the plane (voters in four blocs), each voter ranks
      the candidates by distance and stops after a random number 1..12 of them, so rankings
      repeat as in real elections;
  (c) 1,000,000 ballots from impartial culture: uniform random orders, cut after a random
      number 1..12 of candidates, so almost every long ranking is unique.
(b) and (c) are written to var/bench/ as BLT with one line per ballot, as a cast-vote export
would be, so that Sovet reads a million lines rather than a few thousand grouped ones.

What is timed, every job in a fresh subprocess of its own (same interpreter, one at a time; a
job whose run takes under REPEAT_BELOW seconds is run up to REPEATS times there, from scratch,
and its fastest run kept, for Sovet and peers alike):
- Sovet: the whole job, `formats.read_ballots(path)` and then the count (Scottish STV; Meek STV
  with the PR Foundation's rule on (a)).
- A peer: building its own structures from the same ballots already in memory (loaded, untimed,
  before the clock starts) and counting. The ballots are handed over as the file holds them:
  a (ranking, weight) pair per ballot line, so on (a) the published grouped lines and on (b)
  and (c) one ranking per ballot (pref_voting takes the weights as `rcounts`, votekit as
  `RankBallot` weights; pyrankvote has no weights and gets each line `weight` times). Grouping
  equal rankings is then part of the job, timed for Sovet and for every peer alike. Imports
  happen before the clock starts.
- For information, not for the goal, on (b) and (c): pref_voting and votekit also run on the
  rankings already grouped by Sovet's reader, so the grouping they are spared is not timed for
  them (it is for Sovet).
Peers' STV: pref_voting `stv_scottish` (its Scottish STV, SSI 2007/42); votekit `FastSTV` (its
numpy STV, Droop quota, fractional transfer); pyrankvote `single_transferable_vote` (Droop
quota, fractional surplus transfer). On (a) also pref_voting `stv_meek` against Sovet's Meek.
"Same result" means the same set of elected candidates as Sovet's count of the same method.

Peak memory: a second run of each job (after all timing, two at a time), under tracemalloc,
started just before the job (after
imports and, for a peer, after its input ballots are in memory): the peak of memory allocated
by Python objects and by numpy/pandas buffers (which report to tracemalloc) during the job.
Sovet's figure therefore includes everything its reader builds from the file; a peer's leaves
out the input it was handed. tracemalloc slows Python down, so time and memory come from
separate runs. The timing run also reports the child's ru_maxrss (the whole process: the
interpreter, imported libraries and the input) as information.

Each job has a time limit (PEER_TIMEOUT, and MEEK_PEER_TIMEOUT for pref_voting's Meek, which
needs minutes on (a)); a job that runs out is shown as "> limit", never left out.
"""

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import HIGHER, OUT_DIR, ROOT, check, figure, step

SEED = 1917
BALLOTS = 1_000_000
CANDIDATES = 12
SEATS = 3
PEER_TIMEOUT = 300
MEEK_PEER_TIMEOUT = 120  # pref_voting's Meek takes minutes on (a); the whole run stays short
SPEEDUP = 10.0  # Scottish STV: at least 10x faster than the fastest peer with the same result
MEEK_TARGET = 1.0
MEMORY_TIMEOUT = 600  # a memory run, under tracemalloc, of a job that finished its timing
REPEATS = 3  # a job whose run takes under REPEAT_BELOW seconds is run up to 3 times
REPEAT_BELOW = 2.0

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "elections"
PORTLAND = DATA / "portland_2024_district1.blt"
SPATIAL_BLT = OUT_DIR / "count-spatial-1m.blt"
IC_BLT = OUT_DIR / "count-ic-1m.blt"

MB = 1 << 20
Ranking = tuple[int, ...]

# Job name -> (library, what it runs, which Sovet method it is compared with).
JOBS: dict[str, tuple[str, str, str]] = {
    "sovet-scottish": ("Sovet", "scottish_stv", "scottish"),
    "sovet-meek": ("Sovet", "meek_stv prf", "meek"),
    "pref_voting-scottish": ("pref_voting", "stv_scottish", "scottish"),
    "votekit-fast": ("votekit", "FastSTV fractional", "scottish"),
    "pyrankvote-stv": ("pyrankvote", "single_transferable_vote", "scottish"),
    "pref_voting-meek": ("pref_voting", "stv_meek", "meek"),
    "pref_voting-scottish-grouped": ("pref_voting", "stv_scottish", "scottish"),
    "votekit-fast-grouped": ("votekit", "FastSTV fractional", "scottish"),
}
GROUPED = "-grouped"  # a job whose peer is handed grouped rankings: informative only
AS_CAST = "as the file holds them: (ranking, weight) per line; pyrankvote expands weights"
GROUPED_INPUT = "grouped rankings with counts (informative: its grouping is not timed)"
PEER_PACKAGES = {"pref_voting": "pref_voting", "votekit": "votekit", "pyrankvote": "pyrankvote"}


# ---------------------------------------------------------------------------------------------
# Generated elections


def _rankings(order: Any, lengths: Any) -> Counter[tuple[int, ...]]:
    rows, cuts = order.tolist(), lengths.tolist()
    return Counter(tuple(row[:cut]) for row, cut in zip(rows, cuts, strict=True))


def spatial_ballots() -> tuple[list[tuple[int, ...]], Counter[tuple[int, ...]]]:
    """1,000,000 truncated rankings by distance in the plane: (in voter order, grouped)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    candidates = rng.normal(0.0, 1.0, (CANDIDATES, 2))
    centres = rng.normal(0.0, 1.2, (4, 2))
    bloc = rng.choice(4, size=BALLOTS, p=[0.4, 0.3, 0.2, 0.1])
    voters = centres[bloc] + rng.normal(0.0, 0.6, (BALLOTS, 2))
    distance = ((voters[:, None, :] - candidates[None, :, :]) ** 2).sum(axis=2)
    order = np.argsort(distance, axis=1, kind="stable")
    lengths = rng.integers(1, CANDIDATES + 1, size=BALLOTS)
    rows = [tuple(row[:cut]) for row, cut in zip(order.tolist(), lengths.tolist(), strict=True)]
    return rows, Counter(rows)


def impartial_ballots() -> tuple[list[tuple[int, ...]], Counter[tuple[int, ...]]]:
    """1,000,000 uniform random orders cut after 1..12 places: (in voter order, grouped)."""
    import numpy as np

    rng = np.random.default_rng(SEED + 1)
    order = np.argsort(rng.random((BALLOTS, CANDIDATES)), axis=1)
    lengths = rng.integers(1, CANDIDATES + 1, size=BALLOTS)
    rows = [tuple(row[:cut]) for row, cut in zip(order.tolist(), lengths.tolist(), strict=True)]
    return rows, Counter(rows)


def write_ballot_file(path: Path, rows: list[tuple[int, ...]], title: str) -> None:
    """BLT with one line per ballot (`1 c1 c2 ... 0`), candidates named A..L."""
    names = [f'"Candidate {chr(ord("A") + c)}"' for c in range(CANDIDATES)]
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        stream.write(f"{CANDIDATES} {SEATS}\n")
        batch = 100_000
        for start in range(0, len(rows), batch):
            stream.write(
                "".join(
                    "1 " + " ".join(str(c + 1) for c in row) + " 0\n"
                    for row in rows[start : start + batch]
                )
            )
        stream.write("0\n" + "\n".join(names) + f'\n"{title}"\n')


# ---------------------------------------------------------------------------------------------
# The worker: one job in its own process, `python -m bench.count JOB FILE time|memory`


def _load(path: Path, grouped: bool) -> tuple[tuple[str, ...], int, list[tuple[Ranking, int]]]:
    """The ballots a peer is handed: names, seats and (ranking, weight) pairs.

    As the file holds them (one pair per ballot line, in file order), or, for the informative
    jobs, grouped by Sovet's reader (each distinct non-blank ranking once, with its count).
    """
    from sovet.counting import formats

    profile = formats.read_ballots(path)
    if profile.withdrawn:
        raise SystemExit(f"{path}: withdrawn candidates are not supported by this benchmark")
    if grouped:
        return (
            profile.candidates,
            profile.seats,
            sorted((r, w) for r, w in profile.ballots.items() if r and w),
        )
    lines: list[tuple[Ranking, int]] = []
    with path.open(encoding="utf-8") as stream:
        next(stream)  # `candidates seats`
        for line in stream:
            numbers = [int(item) for item in line.split()]
            if numbers == [0]:
                break
            if numbers[-1] != 0 or len(numbers) < 3:
                raise SystemExit(f"{path}: {line!r} is not a plain non-blank ballot line")
            lines.append((tuple(c - 1 for c in numbers[1:-1]), numbers[0]))
    return profile.candidates, profile.seats, lines


def _prepare(job: str, path: Path) -> Any:
    """Imports and input, before the clock: returns a function that does the timed job."""
    library = JOBS[job][0]
    if library == "Sovet":
        from sovet.counting import formats, meek, stv

        def sovet() -> dict[str, Any]:
            start = time.perf_counter()
            profile = formats.read_ballots(path)
            read = time.perf_counter()
            if job == "sovet-scottish":
                result = stv.scottish_stv(profile)
            else:
                result = meek.meek_stv(profile, variant="prf")
            done = time.perf_counter()
            return {
                "elected": result.elected_names,
                "read_s": read - start,
                "count_s": done - read,
                "voters": profile.voters,
                "distinct": len(profile.ballots),
                "rounds": len(result.rounds),
            }

        return sovet

    names, seats, grouped = _load(path, job.endswith(GROUPED))
    if job.startswith("pref_voting"):
        import random

        from pref_voting.profiles_with_ties import ProfileWithTies
        from pref_voting.proportional_methods import stv_meek, stv_scottish

        def pref_voting() -> dict[str, Any]:
            start = time.perf_counter()
            profile = ProfileWithTies(
                [{c: place for place, c in enumerate(r, 1)} for r, _ in grouped],
                rcounts=[w for _, w in grouped],
                candidates=list(range(len(names))),
            )
            built = time.perf_counter()
            if job != "pref_voting-meek":
                elected = stv_scottish(profile, num_seats=seats, rng=random.Random(SEED))
            else:
                elected = stv_meek(profile, num_seats=seats)
            done = time.perf_counter()
            return {
                "elected": [names[c] for c in elected],
                "build_s": built - start,
                "count_s": done - built,
            }

        return pref_voting

    if job.startswith("votekit-fast"):
        from votekit.ballot import RankBallot
        from votekit.elections import FastSTV
        from votekit.pref_profile import RankProfile

        def votekit() -> dict[str, Any]:
            start = time.perf_counter()
            ballots = [RankBallot(ranking=[names[c] for c in r], weight=w) for r, w in grouped]
            profile = RankProfile(
                ballots=ballots, candidates=list(names), max_ranking_length=len(names)
            )
            built = time.perf_counter()
            election = FastSTV(
                profile, n_seats=seats, transfer="fractional", tiebreak="random", rng_seed=SEED
            )
            done = time.perf_counter()
            return {
                "elected": [c for group in election.get_elected() for c in group],
                "build_s": built - start,
                "count_s": done - built,
            }

        return votekit

    if job == "pyrankvote-stv":
        import pyrankvote
        from pyrankvote import Ballot, Candidate

        expanded = [[names[c] for c in r] for r, w in grouped for _ in range(w)]

        def pyrankvote_job() -> dict[str, Any]:
            start = time.perf_counter()
            candidates = {name: Candidate(name) for name in names}
            ballots = [Ballot(ranked_candidates=[candidates[n] for n in r]) for r in expanded]
            built = time.perf_counter()
            result = pyrankvote.single_transferable_vote(
                list(candidates.values()), ballots, number_of_seats=seats
            )
            done = time.perf_counter()
            return {
                "elected": [c.name for c in result.get_winners()],
                "build_s": built - start,
                "count_s": done - built,
            }

        return pyrankvote_job

    raise SystemExit(f"unknown job {job!r}")


def _rss_bytes() -> int:
    """Resident memory now, from /proc (Linux), or 0 where there is none."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def worker(job: str, path: Path, mode: str) -> dict[str, Any]:
    run = _prepare(job, path)
    rss_before = _rss_bytes()
    if mode == "memory":
        tracemalloc.start()
        report = run()
        report["peak_bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        # A short job is repeated (from scratch each time) and its fastest run kept, to tame
        # noise; the same rule holds for Sovet and for every peer.
        runs: list[tuple[float, dict[str, Any]]] = []
        while not runs or (len(runs) < REPEATS and runs[-1][0] < REPEAT_BELOW):
            start = time.perf_counter()
            one = run()
            runs.append((time.perf_counter() - start, one))
        seconds, report = min(runs, key=lambda item: item[0])
        report["s"] = seconds
        report["runs_s"] = [s for s, _ in runs]
        if any(set(one["elected"]) != set(report["elected"]) for _, one in runs):
            raise SystemExit(f"{job}: repeated runs elected different sets")
    report["rss_before_job_bytes"] = rss_before
    # ru_maxrss is in kilobytes on Linux.
    report["maxrss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return report


# ---------------------------------------------------------------------------------------------
# The parent: run every job in a subprocess with a time limit


def run_job(job: str, path: Path, mode: str, limit: float) -> dict[str, Any]:
    """Run one job in a fresh interpreter; a dict with the report, or "timeout"/"error"."""
    command = [sys.executable, "-m", "bench.count", job, str(path), mode]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=limit, check=False
        )
    except subprocess.TimeoutExpired:
        return {"timeout": limit, "wall_s": time.perf_counter() - start}
    wall = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail[:200]}", "wall_s": wall}
    report: dict[str, Any] = json.loads(lines[-1])
    report["wall_s"] = wall
    return report


def _peer_available(library: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(PEER_PACKAGES[library]) is not None


def _mb(value: float) -> str:
    return f"{value / MB:,.1f} MB"


def time_case(case: str, path: Path, jobs: list[str]) -> dict[str, dict[str, Any]]:
    """Time every job of a case, one after another."""
    results: dict[str, dict[str, Any]] = {}
    for job in jobs:
        library = JOBS[job][0]
        if library != "Sovet" and not _peer_available(library):
            results[job] = {"missing": f"{PEER_PACKAGES[library]} is not installed"}
            step(f"{case}: {job}: not installed, left out")
            continue
        limit = MEEK_PEER_TIMEOUT if job == "pref_voting-meek" else PEER_TIMEOUT
        step(f"{case}: {job}: timing (limit {limit} s)")
        timing = run_job(job, path, "time", limit)
        if "s" in timing:
            step(
                f"{case}: {job}: {timing['s']:.3f} s, elected {timing['elected']}"
                + (
                    f" (read {timing['read_s']:.3f} s + count {timing['count_s']:.3f} s)"
                    if "read_s" in timing
                    else f" (build {timing['build_s']:.3f} s + count {timing['count_s']:.3f} s)"
                )
                + f"; runs {', '.join(f'{s:.3f}' for s in timing['runs_s'])}"
            )
        else:
            step(f"{case}: {job}: did not finish: {timing}")
        results[job] = timing
    return results


def measure_memory(cases: dict[str, tuple[Path, dict[str, dict[str, Any]]]]) -> None:
    """Run every job that finished its timing once more under tracemalloc, two at a time.

    Memory runs come after all timing is done, so running two at once disturbs no timing;
    tracemalloc makes Python several times slower, hence the longer MEMORY_TIMEOUT.
    """
    todo = [
        (case, job, path)
        for case, (path, results) in cases.items()
        for job, report in results.items()
        if "s" in report
    ]
    # Longest first (by its timing run), so the two workers finish close together.
    todo.sort(key=lambda item: -cases[item[0]][1][item[1]]["s"])

    def one(item: tuple[str, str, Path]) -> tuple[str, str, dict[str, Any]]:
        case, job, path = item
        return case, job, run_job(job, path, "memory", MEMORY_TIMEOUT)

    step(f"memory: {len(todo)} runs under tracemalloc, two at a time")
    with ThreadPoolExecutor(max_workers=2) as pool:
        for case, job, memory in pool.map(one, todo):
            report = cases[case][1][job]
            if "peak_bytes" in memory:
                report["peak_bytes"] = memory["peak_bytes"]
                step(f"{case}: {job}: peak {_mb(memory['peak_bytes'])}")
            else:
                report["memory_run"] = memory
                step(f"{case}: {job}: memory run did not finish: {memory}")


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return set(a["elected"]) == set(b["elected"])


def _peer_name(job: str) -> str:
    library, runs, _ = JOBS[job]
    return f"{library} {runs}" + (" (grouped input)" if job.endswith(GROUPED) else "")


def _peer_row(label: str, job: str, peer: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """One peer's time, whether it agreed with Sovet, its peak memory and what it was given."""
    title = f"{label} {_peer_name(job)}"
    if "missing" in peer:
        return figure(title, None, "s", note=f"NOT RUN: {peer['missing']}")
    if "timeout" in peer:
        return figure(
            title,
            float(peer["timeout"]),
            "s",
            note=f"TIMED OUT: > {peer['timeout']:.0f} s; result and memory unknown",
        )
    if "error" in peer:
        return figure(title, None, "s", note=f"ERROR: {peer['error']}")
    peak = peer.get("peak_bytes")
    return figure(
        title,
        peer["s"],
        "s",
        note=(
            ("same result" if _same(own, peer) else f"DIFFERENT result: {sorted(peer['elected'])}")
            + f"; build {peer['build_s']:.2f} + count {peer['count_s']:.2f} s"
            + f"; peak {_mb(peak) if peak is not None else 'unknown'}"
            + f"; input {GROUPED_INPUT if job.endswith(GROUPED) else AS_CAST}"
        ),
    )


def case_figures(
    label: str, results: dict[str, dict[str, Any]], method: str, figures: list[dict[str, Any]]
) -> None:
    """Sovet's time and memory for one method of one case, then every peer's beside it."""
    own = results["sovet-scottish" if method == "scottish" else "sovet-meek"]
    what = "Scottish STV" if method == "scottish" else "Meek STV (prf)"
    shown = [job for job in results if JOBS[job][0] != "Sovet" and JOBS[job][2] == method]
    peers = [job for job in shown if not job.endswith(GROUPED)]  # the goal's: ballots as cast
    grouped = [job for job in shown if job.endswith(GROUPED)]
    breakdown = (
        f"read {own['read_s']:.3f} s + count {own['count_s']:.3f} s; "
        f"{own['voters']:,} ballots, {own['distinct']:,} distinct; "
        f"elected {', '.join(own['elected'])}"
    )
    if method == "scottish":
        figures.append(figure(f"{label} Sovet {what}: read + count", own["s"], "s", note=breakdown))
        for jobs, name, target in (
            (peers, f"{label} Scottish STV speed-up vs fastest agreeing peer", SPEEDUP),
            (
                grouped,
                f"{label} Scottish STV speed-up vs fastest agreeing peer on grouped input "
                "(informative)",
                None,
            ),
        ):
            agreeing = [
                (results[job]["s"], _peer_name(job))
                for job in jobs
                if "s" in results[job] and _same(own, results[job])
            ]
            if not jobs:
                continue
            if not agreeing:
                figures.append(figure(name, None, "x", note="no agreeing peer finished"))
                continue
            fastest_s, fastest = min(agreeing)
            figures.append(
                figure(
                    name,
                    fastest_s / own["s"],
                    "x",
                    target=target,
                    better=HIGHER,
                    note=f"{fastest} {fastest_s:.3f} s / Sovet {own['s']:.3f} s",
                )
            )
    else:
        figures.append(
            figure(
                f"{label} Sovet {what}: read + count",
                own["s"],
                "s",
                target=MEEK_TARGET,
                note=breakdown,
            )
        )
    if "peak_bytes" in own:
        peaks = [
            (results[job]["peak_bytes"], _peer_name(job))
            for job in peers
            if "peak_bytes" in results[job]
        ]
        unknown = [_peer_name(job) for job in peers if "peak_bytes" not in results[job]]
        lowest = min(peaks) if peaks else None
        figures.append(
            figure(
                f"{label} Sovet {what} peak memory",
                own["peak_bytes"] / MB,
                "MB",
                target=None if lowest is None else lowest[0] / MB,
                note=(
                    (f"target: lowest peer, {lowest[1]}" if lowest else "no peer measured")
                    + (f"; unknown (did not finish): {', '.join(unknown)}" if unknown else "")
                ),
            )
        )
    else:
        figures.append(
            figure(
                f"{label} Sovet {what} peak memory",
                None,
                "MB",
                note=f"memory run did not finish: {own.get('memory_run')}",
            )
        )
    figures.extend(_peer_row(label, job, results[job], own) for job in shown)


def main() -> dict[str, Any]:
    if not PORTLAND.is_file():
        raise FileNotFoundError(
            f"{PORTLAND} is missing: the count benchmark needs the shared election data in "
            f"{DATA} (the repository's ../shared/data/elections)"
        )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    official = json.loads((DATA / "official_results.json").read_text())["portland_2024_d1"]
    info: dict[str, Any] = {
        "seed": SEED,
        "peer_timeout_s": PEER_TIMEOUT,
        "meek_peer_timeout_s": MEEK_PEER_TIMEOUT,
        "memory_timeout_s": MEMORY_TIMEOUT,
        "timing": (
            "each job in a fresh subprocess, jobs one after another; a job whose run takes "
            f"under {REPEAT_BELOW} s is run up to {REPEATS} times there and its fastest kept"
        ),
        "memory": (
            "tracemalloc peak during the job, in a separate run of the job (two at a time, "
            "after all timing); a peer's input ballots are not counted, Sovet's reading is"
        ),
        "peer_input": {"goal": AS_CAST, "informative": GROUPED_INPUT},
        "versions": {},
    }
    from importlib.metadata import PackageNotFoundError, version

    for package in ("pref_voting", "votekit", "pyrankvote", "numpy", "pandas"):
        try:
            info["versions"][package] = version(package)
        except PackageNotFoundError:
            info["versions"][package] = None
    step(f"peer versions: {info['versions']}")

    step(f"generating {BALLOTS:,} spatial-model ballots (seed {SEED})")
    rows, spatial = spatial_ballots()
    write_ballot_file(SPATIAL_BLT, rows, f"Spatial model, {BALLOTS:,} ballots, seed {SEED}")
    del rows
    step(f"generating {BALLOTS:,} impartial-culture ballots (seed {SEED + 1})")
    rows, impartial = impartial_ballots()
    write_ballot_file(IC_BLT, rows, f"Impartial culture, {BALLOTS:,} ballots, seed {SEED + 1}")
    del rows
    info["generated"] = {
        name: {
            "file": str(path.relative_to(ROOT)),
            "bytes": path.stat().st_size,
            "ballots": BALLOTS,
            "distinct": len(grouped),
        }
        for name, path, grouped in (
            ("spatial", SPATIAL_BLT, spatial),
            ("impartial", IC_BLT, impartial),
        )
    }
    step(f"written: {info['generated']}")

    scottish = [
        "sovet-scottish",
        "pref_voting-scottish",
        "votekit-fast",
        "pyrankvote-stv",
        "pref_voting-scottish-grouped",
        "votekit-fast-grouped",
    ]
    cases = {
        "(a) Portland D1": (
            PORTLAND,
            [
                *(job for job in scottish if not job.endswith(GROUPED)),
                "sovet-meek",
                "pref_voting-meek",
            ],
        ),
        "(b) spatial 1M": (SPATIAL_BLT, scottish),
        "(c) impartial 1M": (IC_BLT, scottish),
    }
    timed: dict[str, tuple[Path, dict[str, dict[str, Any]]]] = {}
    for label, (path, jobs) in cases.items():
        step(f"case {label}: {path}")
        results = time_case(label, path, jobs)
        for job in ("sovet-scottish", "sovet-meek"):
            if job in results and "s" not in results[job]:
                raise RuntimeError(f"{label}: Sovet's job {job} did not finish: {results[job]}")
        timed[label] = (path, results)
    portland = timed["(a) Portland D1"][1]
    for job in ("sovet-scottish", "sovet-meek"):
        check(
            set(portland[job]["elected"]) == set(official["elected"]),
            f"(a) Sovet's {JOBS[job][1]} elects Portland's official set {official['elected']}",
        )
    for label, expected in (("(b) spatial 1M", spatial), ("(c) impartial 1M", impartial)):
        own = timed[label][1]["sovet-scottish"]
        check(
            own["voters"] == BALLOTS and own["distinct"] == len(expected),
            f"{label}: Sovet read {BALLOTS:,} ballots, {len(expected):,} distinct rankings",
        )

    measure_memory(timed)

    figures: list[dict[str, Any]] = []
    case_figures("(a) Portland D1", portland, "scottish", figures)
    case_figures("(a) Portland D1", portland, "meek", figures)
    case_figures("(b) spatial 1M", timed["(b) spatial 1M"][1], "scottish", figures)
    case_figures("(c) impartial 1M", timed["(c) impartial 1M"][1], "scottish", figures)
    info["cases"] = {
        label: {"file": str(path), "jobs": results} for label, (path, results) in timed.items()
    }
    return {"figures": figures, "info": info}


if __name__ == "__main__":
    job_name, file_name, run_mode = sys.argv[1:4]
    print(json.dumps(worker(job_name, Path(file_name), run_mode)), flush=True)
