"""Organisation figures benchmark: the admin's figures page on a large practice.

    .venv/bin/python bench/figures.py                                  # 200 coaches, 10,000 clients
    .venv/bin/python bench/figures.py --coaches 20 --clients 1000 \\
        --sessions 10000 --notes 10000                                 # a smoke run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flowcoach_bench .venv/bin/python bench/figures.py

What it does:

1. makes a throwaway install in a temporary folder (file-based SQLite, or the PostgreSQL
   database named by DATABASE_URL: use one you can throw away, it is flushed), migrates it
   and seeds the large practice with `manage.py seed_large` (several minutes at full size);
2. in a fresh process on that install (PostgreSQL: after `ANALYZE`), times the figures' work in process, after one
   warm-up: the selector (`insights.figures.organisation_figures`) and the whole page
   (`organisation_figures` through Django's test Client, signed in as the admin), `--runs`
   times each; and counts the page's queries. Before them, the first call after the kept
   months are forgotten, which counts the finished months and keeps them, is timed once;
3. prints a Markdown table (median, p95, queries) and the machine's load average.

The goal (issue #17): the figures answer in under 100 ms for 200 coaches and 10,000 clients.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import ROOT, run  # bench/load.py: manage.py in a throwaway install


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(runs: int) -> dict:
    """Runs inside the seeded install (see `main`): times the selector and the page."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flowcoach.settings")
    django.setup()
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from flowcoach.accounts.models import Membership, Role
    from flowcoach.insights import figures

    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum gathers them soon after a bulk load: without them
        # PostgreSQL guesses one row per table and walks 42,000 sessions in nested loops.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    admin = Membership.objects.select_related("user", "organisation").get(
        role=Role.ADMIN, user__email="admin@large.test"
    )
    organisation = admin.organisation
    http = HttpClient()
    http.force_login(admin.user)
    url = reverse("organisation_figures")

    def page() -> None:
        response = http.get(url)
        assert response.status_code == 200, response.status_code

    def selector() -> None:
        figures.organisation_figures(organisation)

    # The first call after an install (or a forgotten organisation) counts the finished
    # months and keeps them; every later one reads them and counts the current month live.
    figures.forget(organisation)
    started = time.perf_counter()
    selector()
    results = {"first": (time.perf_counter() - started) * 1000}
    for label, work in (("selector", selector), ("page", page)):
        work()  # warm-up: caches, the connection, compiled templates
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            work()
            timings.append((time.perf_counter() - started) * 1000)
        results[label] = {"median": statistics.median(timings), "p95": p95(timings)}
    with CaptureQueriesContext(connection) as queries:
        page()
    results["queries"] = len(queries)
    data = figures.organisation_figures(organisation)
    results["held"] = sum(cell.held.total for cell in data.totals.values())
    results["coaches"] = len(data.coaches)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coaches", type=int, default=200)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary install.")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process's mode
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.runs)))
        return

    folder = Path(tempfile.mkdtemp(prefix="flowcoach-figures-"))
    env = {
        **os.environ,
        "FLOWCOACH_VAR_DIR": str(folder),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "FLOWCOACH_LOG_LEVEL": "WARNING",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    try:
        if database == "PostgreSQL":
            run(env, "flush", "--noinput")
        run(env, "migrate", "--noinput", "-v0")
        started = time.monotonic()
        run(
            env,
            "seed_large",
            "--coaches",
            str(args.coaches),
            "--clients",
            str(args.clients),
            "--sessions",
            str(args.sessions),
            "--notes",
            str(args.notes),
            "--quiet",
        )
        seeded = time.monotonic() - started
        child = subprocess.run(
            [sys.executable, __file__, "--measure", "1", "--runs", str(args.runs)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            sys.exit(f"measuring failed:\n{child.stdout}\n{child.stderr}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()
    print(
        f"{database}: {args.coaches} coaches, {args.clients} clients, {args.sessions} sessions, "
        f"{args.notes} notes (seeded in {seeded:.0f} s); {result['held']} held sessions over "
        f"the figures' six months, {result['coaches']} coaches; {args.runs} runs after a "
        f"warm-up; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
    )
    print(f"First call, counting and keeping the finished months: {result['first']:.0f} ms\n")
    print("| database | what | median (ms) | p95 (ms) | queries |")
    print("| --- | --- | --- | --- | --- |")
    for label, what in (("selector", "selector"), ("page", "page as the admin")):
        figures = result[label]
        queries = result["queries"] if label == "page" else ""
        print(
            f"| {database} | {what} | {figures['median']:.1f} | {figures['p95']:.1f} | {queries} |"
        )


if __name__ == "__main__":
    main()
