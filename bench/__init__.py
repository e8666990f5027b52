"""Benchmarks: `python -m bench` runs them all, `python -m bench NAME` runs bench/NAME.py.

A benchmark is a module of this package with a `main() -> dict` function. It prepares its own
environment (database, files under var/bench/), sets Django up with `setup_django()`, measures,
and returns `{"figures": [figure(...), ...], "info": {...}}`. The runner prints the figures as a
table and writes var/bench/NAME.json with the run's timestamp, Python version and database.
A failed correctness check raises `CheckFailed`: the run exits non-zero.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"

LOWER = "lower"  # smaller measurements are better (durations)
HIGHER = "higher"  # larger measurements are better (throughput)


class CheckFailed(AssertionError):
    """A benchmark found the project computing something wrong."""


def check(condition: bool, message: str) -> None:
    """Raise `CheckFailed` with the message unless the condition holds; print it when it does."""
    if not condition:
        raise CheckFailed(message)
    step(f"check ok: {message}")


def step(message: str) -> None:
    """Print a progress line at once, so long steps show where they are."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Measure the wall-clock time of a block: `with timed() as t: ...` then `t["s"]`."""
    result = {"s": 0.0}
    start = time.perf_counter()
    try:
        yield result
    finally:
        result["s"] = time.perf_counter() - start


def figure(
    name: str,
    measured: float,
    unit: str,
    *,
    target: float | None = None,
    better: str = LOWER,
    note: str = "",
) -> dict[str, Any]:
    """One measured figure; with a target, `x_target` > 1 means better than the target."""
    if better not in (LOWER, HIGHER):
        raise ValueError(f"better must be {LOWER!r} or {HIGHER!r}, not {better!r}")
    x_target = passed = None
    if target is not None:
        if better == LOWER:
            x_target = target / measured if measured else float("inf")
            passed = measured < target
        else:
            x_target = measured / target
            passed = measured >= target
    return {
        "name": name,
        "measured": measured,
        "unit": unit,
        "target": target,
        "better": better,
        "x_target": x_target,
        "passed": passed,
        "note": note,
    }


def setup_django(var_dir: Path | None = None) -> str:
    """Set Django up, with SQLite under `var_dir` unless DATABASE_URL is set; return a note.

    Setting SOVET_VAR (rather than a sqlite:// DATABASE_URL) keeps the SQLite options the
    project's settings give only to their own database: IMMEDIATE transactions and WAL.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sovet.settings")
    if os.environ.get("DATABASE_URL"):
        note = "DATABASE_URL is set: using that database, not a fresh SQLite file"
    elif var_dir is not None:
        os.environ["SOVET_VAR"] = str(var_dir)
        note = f"fresh SQLite database in {var_dir}"
    else:
        note = "the project's default database"
    import django

    django.setup()
    return note


PG_SERVER = "host=127.0.0.1 port=5432 user=postgres connect_timeout=5"


def fresh_database(kind: str, name: str) -> str:
    """Set Django up on a fresh database of `kind` ("sqlite" or "postgres") for benchmark `name`.

    SQLite in an empty var/bench/NAME-sqlite/; PostgreSQL in the throwaway database
    sovet_bench_NAME (made by `postgres_database`), keys in var/bench/NAME-postgres/.
    Returns a note saying which.
    """
    var_dir = OUT_DIR / f"{name}-{kind}"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    if kind == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        return setup_django(var_dir)
    os.environ["SOVET_VAR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name(name)}"
    setup_django()
    return f"throwaway PostgreSQL database {pg_name(name)}"


def pg_name(name: str) -> str:
    """The throwaway PostgreSQL database of benchmark `name`."""
    return f"sovet_bench_{name}"


def database() -> dict[str, str] | None:
    """The vendor and name of the database Django uses, if Django has been set up."""
    from django.apps import apps

    if not apps.ready:
        return None
    from django.db import connection

    return {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])}


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if value == float("inf"):
        return "inf"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}" if value < 0.01 else f"{value:.3f}"
    return f"{text} {unit}".rstrip()


def table(figures: list[dict[str, Any]]) -> str:
    """The figures as a plain-text table: measured, target, x target (> 1 is better), result."""
    # x target is target/measured for durations and measured/target for throughput.
    head = ("figure", "measured", "target", "x target", "result", "note")
    rows = []
    for f in figures:
        target = None if f["target"] is None else f["target"]
        if target is None:
            target_text = "-"
        else:
            sign = "<" if f["better"] == LOWER else ">="
            target_text = f"{sign} {_number(target, f['unit'])}"
        result = {True: "pass", False: "FAIL", None: ""}[f["passed"]]
        x_target = "-" if f["x_target"] is None else f"{f['x_target']:.2f}x"
        measured = _number(f["measured"], f["unit"])
        rows.append((f["name"], measured, target_text, x_target, result, f["note"]))
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(
            str(cell).ljust(width) if i in (0, len(head) - 1) else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [head, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


CHILD_TIMEOUT = 900  # s: a benchmark's database part, run in a fresh interpreter


def run_child(module: str, kind: str) -> dict[str, Any]:
    """Run `python -m MODULE db KIND` in a fresh interpreter; its report, or {"error": why}.

    Django is set up once per process, so each database gets a process of its own. Progress goes
    to stderr, which the terminal sees; the report is the last line of stdout, as JSON.
    """
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", module, "db", kind],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}: see the log above"}
    report: dict[str, Any] = json.loads(lines[-1])
    if "check_failed" in report:
        raise CheckFailed(report["check_failed"])
    return report


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str | None]:
    """Create a throwaway database, drop it afterwards; yield why not if it cannot be done."""
    try:
        import psycopg
    except ImportError as error:
        yield f"psycopg is not installed ({error})"
        return

    def execute(statement: str) -> None:
        with psycopg.connect(f"{PG_SERVER} dbname=postgres", autocommit=True) as connection:
            connection.execute(statement)

    try:
        execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        execute(f"CREATE DATABASE {name}")
    except psycopg.Error as error:
        yield f"PostgreSQL unreachable ({str(error).strip().splitlines()[0]})"
        return
    try:
        yield None
    finally:
        try:
            execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except psycopg.Error as error:
            step(f"could not drop {name}: {error}")
