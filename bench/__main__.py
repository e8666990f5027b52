"""Run benchmarks: `python -m bench` runs every one, `python -m bench NAME` runs bench/NAME.py.

Exit codes: 0 done (a missed target is reported, not an error), 1 a correctness check failed
or a benchmark crashed, 2 unknown benchmark name.
"""

import datetime
import importlib
import json
import pkgutil
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

import bench


def known() -> list[str]:
    """The benchmark modules of the package, by name."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(bench.__file__).parent)])
        if not info.name.startswith("_")
    )


def run_one(name: str) -> int:
    """Run one benchmark in this process, print its table and write var/bench/NAME.json."""
    module = importlib.import_module(f"bench.{name}")
    started = datetime.datetime.now(datetime.UTC)
    start = time.perf_counter()
    print(f"== bench {name}", flush=True)
    try:
        result = module.main()
    except bench.CheckFailed as failure:
        print(f"bench {name}: CHECK FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    except Exception:
        traceback.print_exc()
        print(f"bench {name}: crashed", file=sys.stderr, flush=True)
        return 1
    duration = time.perf_counter() - start
    figures = result.get("figures", [])
    document = {
        "benchmark": name,
        "timestamp": started.isoformat(timespec="seconds"),
        "duration_s": round(duration, 3),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": bench.database(),
        "figures": figures,
        **{key: value for key, value in result.items() if key != "figures"},
    }
    bench.OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = bench.OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print()
    print(bench.table(figures))
    missed = [f["name"] for f in figures if f["passed"] is False]
    print()
    print(
        f"bench {name}: {len(figures)} figures, "
        + (f"{len(missed)} target(s) missed" if missed else "all targets met")
        + f"; took {duration:.1f} s; written to {path.relative_to(bench.ROOT)}",
        flush=True,
    )
    return 0


def main(argv: list[str]) -> int:
    names = known()
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print(f"usage: python -m bench [NAME]; benchmarks: {', '.join(names)}", file=sys.stderr)
        return 2
    if argv:
        if argv[0] not in names:
            print(
                f"bench: no benchmark {argv[0]!r}; known: {', '.join(names) or 'none'}",
                file=sys.stderr,
            )
            return 2
        return run_one(argv[0])
    # Each in its own process: Django is set up once per process, each benchmark its own way.
    failed = [
        name
        for name in names
        if subprocess.run([sys.executable, "-m", "bench", name], check=False).returncode != 0
    ]
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
