"""Many randomized runs of the session runner in a real browser, counting losses.

Plays fresh seeds through the same test CI runs (tests/e2e/test_runner_fuzz.py, engine in
tests/e2e/runner_fuzz.py) and sums what each run reports: runs, edits, reloads, offline
spells, second tabs, server restarts, clashes shown, completions, and losses (a run whose
stored state differed from what was typed last, or that could not settle). Every lost seed
is listed, to replay with FLOWCOACH_FUZZ_SEEDS=<seed>.

    .venv/bin/python bench/runner_fuzz.py --runs 200
    .venv/bin/python bench/runner_fuzz.py --runs 50 --restarts 5 --pause-scale 0.5
    DATABASE_URL=postgres://... .venv/bin/python bench/runner_fuzz.py --runs 100

Exits non-zero if any run lost a value.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="sequences on the live server")
    parser.add_argument("--restarts", type=int, default=0, help="sequences with server restarts")
    parser.add_argument("--steps", type=int, default=24, help="steps per sequence")
    parser.add_argument(
        "--pause-scale", type=float, default=1.0, help="scales the 0-1,000 ms pauses"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "runs.jsonl"
        env = {
            **os.environ,
            "FLOWCOACH_REQUIRE_BROWSER": "1",
            "FLOWCOACH_FUZZ_COUNT": str(args.runs),
            "FLOWCOACH_FUZZ_RESTARTS": str(args.restarts),
            "FLOWCOACH_FUZZ_STEPS": str(args.steps),
            "FLOWCOACH_FUZZ_PAUSE_SCALE": str(args.pause_scale),
            "FLOWCOACH_FUZZ_REPORT": str(report),
        }
        selection = [] if args.restarts else ["-k", "not restarts"]
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/e2e/test_runner_fuzz.py",
                "-n",
                "0",
                "-q",
                "-p",
                "no:cacheprovider",
                *selection,
            ],
            cwd=BASE_DIR,
            env=env,
            check=False,
        )
        elapsed = time.monotonic() - started
        rows = (
            [json.loads(line) for line in report.read_text().splitlines()]
            if report.exists()
            else []
        )

    lost = [row["seed"] for row in rows if row["outcome"] != "ok"]
    totals = {
        key: sum(int(row.get(key, 0)) for row in rows)
        for key in (
            "edits",
            "reloads",
            "offline",
            "second_tabs",
            "restarts",
            "clashes",
            "completed",
        )
    }
    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    print(f"\nrunner fuzz on {database}: {len(rows)} runs in {elapsed / 60:.1f} min")
    print(
        f"  edits {totals['edits']}, reloads {totals['reloads']}, offline spells "
        f"{totals['offline']}, second tabs {totals['second_tabs']}, server restarts "
        f"{totals['restarts']}, clashes shown {totals['clashes']}, completed {totals['completed']}"
    )
    print(f"  losses: {len(lost)}" + (f" (seeds {', '.join(map(str, lost))})" if lost else ""))
    return 1 if lost or len(rows) < args.runs + args.restarts else 0


if __name__ == "__main__":
    sys.exit(main())
