"""Runner autosave benchmark: concurrent clients save notes through the real server, report
requests per second, p50/p99 latency, errors, conflicts and duplicates.

    .venv/bin/python bench/runner_autosave.py                  # 16 clients x 200 requests
    .venv/bin/python bench/runner_autosave.py --clients 16 --requests 200 --workers 2
    .venv/bin/python bench/runner_autosave.py --clients 64 --requests 40 --pause 700
    .venv/bin/python bench/runner_autosave.py --large --pause 700  # among a million notes

Everything runs on a throwaway file-based SQLite database in a temporary folder (or
PostgreSQL when DATABASE_URL is set: use a database you can throw away). The organisation,
coach, client and scheduled session are made with the project's services; the coach is
signed in with a real Django session whose cookie each request carries, with the CSRF
cookie and the `X-CSRFToken` header, as the runner's script sends them. The server is real
gunicorn (sync workers, as `scripts/serve.sh`) on a free 127.0.0.1 port.

Each client thread creates its own note with a fresh uuid (the runner's client-made id),
then updates it again and again with the version the server returned, exactly as
`static/js/runner/queue.js` does. A 409 (conflict) would mean a version was lost; any other
non-200 answer is an error. At the end the session must hold exactly one note per client.

With no `--pause` each client saves again as soon as it has its answer: a saturation test.
`--pause 700` waits 0.5 to 1.5 times 700 ms between saves (random, so clients drift apart),
and each client's first save comes at a random moment within the first 700 ms: the runner's
script saves 700 ms after the coach stops typing, so that is about as often as one tab can
save while its coach types.

The server's CPU time per answered request (its workers' user + system time during the
traffic, from /proc) is printed too: on a shared machine it is steadier than wall-clock
figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"The server did not start on port {port} within {timeout:.0f} s.")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


class Client(threading.Thread):
    """One browser tab: one note, saved again and again with the version last returned."""

    def __init__(self, number, *, port, path, headers, requests, deadline, start, pause):
        super().__init__(daemon=True)
        self.pause = pause
        self.number = number
        self.port = port
        self.path = path
        self.headers = headers
        self.requests = requests
        self.deadline = deadline
        self.start_event = start
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.conflicts = 0

    def run(self) -> None:
        note_id = str(uuid.uuid4())
        version = None
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.start_event.wait()
        pauses = random.Random(self.number)
        try:
            for n in range(self.requests):
                if self.pause:
                    # Coaches do not all start typing in the same millisecond: the first
                    # save comes at a random moment within one pause.
                    low, high = (0.5, 1.5) if n else (0.0, 1.0)
                    time.sleep(self.pause * pauses.uniform(low, high))
                if time.monotonic() > self.deadline:
                    self.errors.append(f"stopped at the time limit after {n} requests")
                    break
                body = json.dumps(
                    {
                        "uuid": note_id,
                        "base_version": version,
                        "body": f"Client {self.number}, edit {n}: rises when **winning**.",
                        "segment": 0,
                        "flow_stage": "find_out",
                        "visibility": "coach_only",
                    }
                )
                started = time.perf_counter()
                try:
                    connection.request("POST", self.path, body=body, headers=self.headers)
                    response = connection.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as error:
                    self.errors.append(f"{type(error).__name__}: {error}")
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                    continue
                self.latencies.append(time.perf_counter() - started)
                if response.status == 200:
                    version = json.loads(payload)["version"]
                elif response.status == 409:
                    self.conflicts += 1
                    version = json.loads(payload).get("version")
                else:
                    self.errors.append(f"HTTP {response.status}: {payload[:200]!r}")
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        finally:
            connection.close()


def cpu_seconds(parent: int) -> float:
    """User + system CPU seconds of `parent`'s child processes (gunicorn's workers), or NaN
    where /proc is not available."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:  # ppid; utime and stime follow at 11 and 12
                total += (int(fields[11]) + int(fields[12])) / ticks
    except OSError:
        return float("nan")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=200, help="per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for the traffic")
    parser.add_argument(
        "--pause", type=float, default=0, help="ms between a client's saves (0.5 to 1.5 times)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--large",
        action="store_true",
        help="save into the large practice (seed_large: 200 coaches, 10,000 clients, 1M notes)",
    )
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="flowcoach-bench-"))
    port = free_port()
    os.environ.update(
        FLOWCOACH_VAR_DIR=str(var_dir),
        DEBUG="false",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1",
        FLOWCOACH_TASKS_BACKEND="database",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flowcoach.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.urls import reverse
    from django.utils import timezone

    from flowcoach.accounts.services import organisation_create
    from flowcoach.clients.models import Client as CoachingClient
    from flowcoach.coaching.models import CoachingSession, SessionNote
    from flowcoach.coaching.services import engagement_enrol
    from flowcoach.programs.models import Program

    call_command("migrate", interactive=False, verbosity=0)
    if args.large:
        # The benchmark's coach saves among a million other notes, in tables and indexes the
        # size a sales organisation's would be.
        call_command(
            *("seed_large", "--coaches", "200", "--clients", "10000"),
            *("--sessions", "100000", "--notes", "1000000", "--replace", "--quiet"),
        )
    org, coach = organisation_create(
        name="Bench Practice",
        admin_email="coach@bench.test",
        admin_full_name="Bea Bench",
        admin_password=None,
        admin_also_coaches=True,
    )
    client = CoachingClient.objects.create(
        organisation=org, coach=coach, full_name="Cal Client", email="client@bench.test"
    )
    engagement = engagement_enrol(
        client=client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=coach,
    )
    session = engagement.sessions.order_by("sequence").first()
    session.status = CoachingSession.Status.SCHEDULED
    session.starts_at = timezone.now() - timedelta(minutes=5)
    session.save()

    # A real signed-in session, stored in the database the server reads.
    signed_in = DjangoClient()
    signed_in.force_login(coach)
    session_cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    csrf_token = secrets.token_hex(16)  # 32 characters, as Django's own CSRF secret
    path = reverse("runner_notes", args=[session.pk])
    connection.close()

    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": csrf_token,
        "Origin": f"http://127.0.0.1:{port}",
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf_token}",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "flowcoach.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        start_new_session=True,
    )
    try:
        wait_for_port(port, 90)  # a loaded machine can take a while to import Django
        # One warm-up request per worker is not guaranteed to reach each worker; a few
        # unmeasured GETs load the code in both before the clock starts.
        for _ in range(args.workers * 2):
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            warm.request("GET", "/healthz")
            warm.getresponse().read()
            warm.close()

        start = threading.Event()
        deadline = time.monotonic() + args.timeout
        clients = [
            Client(
                n,
                port=port,
                path=path,
                headers=headers,
                requests=args.requests,
                deadline=deadline,
                start=start,
                pause=args.pause / 1000,
            )
            for n in range(args.clients)
        ]
        for thread in clients:
            thread.start()
        load_before = os.getloadavg()[0]
        cpu_before = cpu_seconds(server.pid)
        began = time.perf_counter()
        start.set()
        for thread in clients:
            thread.join(args.timeout + 15)
        elapsed = time.perf_counter() - began
        server_cpu = cpu_seconds(server.pid) - cpu_before
        load_after = os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    latencies = [value for thread in clients for value in thread.latencies]
    errors = [error for thread in clients for error in thread.errors]
    conflicts = sum(thread.conflicts for thread in clients)
    notes = SessionNote.objects.filter(session=session).count()
    versions = sorted(SessionNote.objects.filter(session=session).values_list("version", flat=True))
    connection.close()

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    pause = f", pause {args.pause:.0f} ms" if args.pause else ", no pause"
    print(
        f"database {database}, {args.workers} gunicorn sync workers, {args.clients} clients"
        f" x {args.requests} requests{pause}, load average {load_before:.1f} ->"
        f" {load_after:.1f}"
    )
    print(f"answered      {len(latencies)} in {elapsed:.2f} s")
    print(f"requests/s    {len(latencies) / elapsed:.0f}")
    if latencies:
        print(f"server CPU    {server_cpu / len(latencies) * 1000:.2f} ms per request")
    if latencies:
        print(
            f"latency ms    p50 {percentile(latencies, 0.50) * 1000:.1f}"
            f"  p90 {percentile(latencies, 0.90) * 1000:.1f}"
            f"  p99 {percentile(latencies, 0.99) * 1000:.1f}"
            f"  max {max(latencies) * 1000:.1f}"
            f"  mean {statistics.fmean(latencies) * 1000:.1f}"
        )
    print(f"errors        {len(errors)}")
    for error in errors[:5]:
        print(f"  {error}")
    print(f"conflicts     {conflicts}")
    print(
        f"notes         {notes} (expected {args.clients}); versions"
        f" {versions[0] if versions else '-'}..{versions[-1] if versions else '-'}"
    )
    duplicates = notes != args.clients
    if errors or conflicts or duplicates:
        print("FAILED: errors, conflicts or a wrong number of notes.")
        print(f"data kept in {var_dir}")
        raise SystemExit(1)
    if args.keep:
        print(f"data kept in {var_dir}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
