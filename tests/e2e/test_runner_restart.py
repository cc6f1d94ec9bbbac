"""In a real browser against a real server process: the coach types notes in the runner, the
server is killed (SIGKILL, no goodbye) while they type, they keep typing and see that the
changes are kept on the device, the server comes back on the same port, and the database
holds every note exactly once with its final text.

Django's live server runs in the test process and shares its in-memory test database, so it
cannot be killed. Here the app runs under gunicorn in its own process group against its own
database: a SQLite file in the test's temporary folder, or, when the suite runs on
PostgreSQL (DATABASE_URL set), a throwaway database created and dropped by this test."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, free_port
from tests.e2e.conftest import assert_accessible, sign_in
from tests.throwaway_db import throwaway_database

pytestmark = [pytest.mark.browser]

BASE_DIR = Path(__file__).resolve().parents[2]
DEADLINE = 30  # seconds: for the server to answer, for a command to finish

# Run inside the server's environment with `manage.py shell -c`: migrate, then a coach, a
# client and an S1 session made with the project's own services. Prints the ids as JSON.
SETUP = """
import json
from datetime import timedelta
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", interactive=False, verbosity=0)
from flowcoach.accounts import services as account_services
from flowcoach.accounts.models import Membership, Role
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.services import engagement_enrol
from flowcoach.programs.builtins import sync_builtin_programs
from flowcoach.programs.models import Program
org, _ = account_services.organisation_create(
    name="Restart Practice", admin_email="admin@restart.test", admin_full_name="Ada Admin",
    admin_password=PASSWORD, time_zone="Europe/London",
)
coach = account_services.user_create(
    email="coach@restart.test", full_name="Cora Coach", password=PASSWORD,
    time_zone="Europe/London",
)
Membership.objects.create(user=coach, organisation=org, role=Role.COACH)
client = Client.objects.create(
    organisation=org, coach=coach, full_name="Cliff Client", email="client@restart.test",
    time_zone="Europe/London",
)
if not Program.objects.filter(organisation=None, slug="best-seller").exists():
    sync_builtin_programs()
engagement = engagement_enrol(
    client=client, program=Program.objects.get(organisation=None, slug="best-seller"),
    coach=coach,
)
session = engagement.sessions.order_by("sequence").first()
session.status = CoachingSession.Status.SCHEDULED
session.starts_at = timezone.now() - timedelta(minutes=2)
session.save()
print(json.dumps({"session": session.pk, "coach": coach.email}))
"""

# What the server's database holds for the session, as JSON.
STORED = """
import json
from flowcoach.coaching.runner import services as runner_services
from flowcoach.coaching.models import CoachingSession, PurposeStatement, SessionNote
session = CoachingSession.objects.get(pk=SESSION)
notes = [
    {"body": n.body, "deleted": n.deleted_at is not None, "segment": n.segment}
    for n in SessionNote.objects.filter(session=session).order_by("created_at", "id")
]
purpose = PurposeStatement.objects.filter(session=session).values_list("text", flat=True)
timing = runner_services.record_of(session).timing
print(json.dumps({"notes": notes, "purpose": list(purpose), "timing": timing}))
"""


def _run(env: dict, code: str) -> dict:
    """Runs Python in the server's environment and reads the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE * 2,  # a migration from scratch on a slow machine
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn in its own process group, so one SIGKILL takes the master and its worker
    down together, as a crash or a pulled plug would."""

    def __init__(self, env: dict, port: int, log: Path, ids: dict):
        self.env, self.port, self.log, self.ids = env, port, log, ids
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "flowcoach.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                    "--worker-class",
                    "sync",
                    "--timeout",
                    str(DEADLINE),
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The server stopped on start:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        pytest.fail(f"The server did not answer in {DEADLINE} s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=DEADLINE)


@contextmanager
def server_process(folder: Path):
    """A migrated database with a coach and a session, and the server running on it; the
    server is always killed and the database dropped at the end, whatever happened."""
    with throwaway_database(folder) as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "FLOWCOACH_VAR_DIR": str(folder / "var"),
            "FLOWCOACH_PROFILE": "development",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        ids = _run(env, f"PASSWORD = {PASSWORD!r}\n" + SETUP)
        running = Server(env, free_port(), folder / "gunicorn.log", ids)
        try:
            running.start()
            yield running
        finally:
            running.kill()


@pytest.fixture
def server(tmp_path):
    with server_process(tmp_path) as running:
        yield running


def test_it_loses_nothing_when_the_server_is_killed_and_restarted_while_typing(page, server):
    session = server.ids["session"]
    sign_in(page, server.url, server.ids["coach"])
    page.wait_for_url(f"{server.url}/home/")
    page.goto(f"{server.url}/sessions/{session}/run/")
    status = page.locator("#save-status")
    expect(status).to_have_text("Saved")
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_role("button", name=re.compile("^Pause"))).to_be_visible()

    note = page.get_by_label(re.compile("^Note"))
    note.click()
    note.press_sequentially("Written before the crash")
    note.press("Control+Enter")
    expect(status).to_have_text("Saved", timeout=5_000)

    # The server dies mid-word: a save may be on the wire, half done, or not yet sent.
    killer = threading.Timer(0.4, server.kill)
    killer.start()
    try:
        note.press_sequentially("Typed as the server fell over, and finished after", delay=25)
    finally:
        killer.join()
    assert server.process.poll() is not None, "the server should be down by now"
    note.press("Control+Enter")
    note.press_sequentially("A second thought while it was down")
    note.press("Control+Enter")
    page.get_by_label(re.compile("^Draft with")).fill("I sell so people choose with confidence.")
    page.get_by_role("button", name=re.compile("^Next segment")).click()
    expect(status).to_have_text(
        re.compile(r"^Offline: \d+ changes? kept on this device"), timeout=10_000
    )

    server.start()  # same port, same database
    expect(status).to_have_text("Saved", timeout=15_000)

    stored = _run(server.env, STORED.replace("SESSION", str(session)))
    bodies = [n["body"] for n in stored["notes"]]
    assert sorted(bodies) == sorted(
        [
            "Written before the crash",
            "Typed as the server fell over, and finished after",
            "A second thought while it was down",
        ]
    ), bodies
    assert not any(n["deleted"] for n in stored["notes"])
    assert stored["purpose"] == ["I sell so people choose with confidence."]
    assert [stretch["segment"] for stretch in stored["timing"]] == [0, 1]

    # What the page shows after a reload agrees with the database.
    page.reload()
    expect(status).to_have_text("Saved")
    for body in bodies:
        expect(page.locator("#note-list li", has_text=body)).to_have_count(1)
    assert_accessible(page)
