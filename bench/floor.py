"""In-process cost of a request: queries and time per page, through every middleware.

    .venv/bin/python bench/floor.py                      # SQLite, 300 requests per path
    .venv/bin/python bench/floor.py --requests 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flowcoach_bench .venv/bin/python bench/floor.py

No server and no network: Django's test client sends each request through the whole stack
(sessions, authentication, the actor, the security headers) in this process, with `DEBUG`
off. For each path it reports the queries one request runs (and which, with `--show`), the
CPU time this process spent per request (the steadier figure on a shared machine; on
PostgreSQL the database server's share is not in it), the median and 95th-percentile wall
time and the body size. It measures what a change
to the per-request floor or to a page saves before `load.py` measures it under load.

A throwaway install in a temporary folder (file-based SQLite, or the PostgreSQL database
named by DATABASE_URL: use one you can throw away), seeded with `seed_large` at its small
size and `seed_demo`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="per round (3 rounds)")
    parser.add_argument("--show", action="store_true", help="Print each path's queries.")
    parser.add_argument(
        "--profile",
        metavar="LABEL",
        help="Profile the paths whose label contains LABEL and print where their time goes.",
    )
    parser.add_argument("--only", metavar="LABEL", help="Measure only paths containing LABEL.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="flowcoach-floor-"))
    os.environ["FLOWCOACH_VAR_DIR"] = str(folder)
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'floor.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flowcoach.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    from flowcoach.accounts.models import User
    from flowcoach.clients.models import Client
    from flowcoach.coaching.models import CoachingSession

    call_command("migrate", "--noinput", verbosity=0)
    call_command(
        "seed_large",
        *("--coaches", "5", "--clients", "200", "--sessions", "2000", "--notes", "20000"),
        "--replace",
        "--quiet",
    )
    call_command("seed_demo", verbosity=0)

    coach = User.objects.get(email="coach0@large.test")
    client = Client.objects.filter(coach=coach, user__isnull=False).order_by("pk").first()
    coming = (
        CoachingSession.objects.filter(engagement__coach=coach, status="scheduled")
        .order_by("starts_at")
        .first()
    )
    browsers = {"coach": HttpClient(), "client": HttpClient()}
    browsers["coach"].force_login(coach)
    browsers["client"].force_login(client.user)
    # (label, path, who, status): the coach asking the client API is refused before any
    # query of its own, so that line is the floor every signed-in request pays.
    paths = [
        ("healthz", "/healthz", "coach", 200),
        ("signed-in floor (API refuses a coach)", "/api/v1/me/", "coach", 403),
        ("coach home", "/home/", "coach", 200),
        ("client page", f"/clients/{client.pk}/", "coach", 200),
        ("runner page", f"/sessions/{coming.pk}/run/", "coach", 200),
        ("portal", "/portal/", "client", 200),
        ("client API: sessions", "/api/v1/sessions/", "client", 200),
    ]
    print(f"({connection.vendor}, {args.requests} requests each)")
    print("| path | queries | CPU ms | p50 ms | p95 ms | KB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, path, who, expected in paths:
        if args.only and args.only not in label:
            continue
        browser = browsers[who]
        response = browser.get(path)  # warm: templates, caches, the session row
        if response.status_code != expected:
            sys.exit(f"{path} answered {response.status_code}, not {expected}")
        # The log holds at most 9,000 queries, which seeding filled: start it afresh.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            browser.get(path)
        # Read now: each later request clears the log (Django's request_started signal).
        queries = [query["sql"] for query in captured.captured_queries]
        # Three rounds, the best of each figure: other work on a shared machine only ever
        # adds time.
        rounds = []
        for _ in range(3):
            times = []
            cpu_started = time.process_time()
            for _ in range(args.requests):
                started = time.perf_counter()
                response = browser.get(path)
                times.append((time.perf_counter() - started) * 1000)
            rounds.append(((time.process_time() - cpu_started) * 1000 / args.requests, times))
        cpu = min(spent for spent, _ in rounds)
        times = min((times for _, times in rounds), key=statistics.median)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"| {label} | {len(queries)} | {cpu:.2f} | "
            f"{statistics.median(times):.2f} | {p95:.2f} | {len(response.content) / 1024:.1f} |"
        )
        if args.show:
            for sql in queries:
                print("    ", sql[:160])
        if args.profile and args.profile in label:
            _profile(browser, path, args.requests)


def _profile(browser, path: str, requests: int) -> None:
    """Where one path's time goes: its functions by own time, then by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        browser.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
