"""The real worker, killed with SIGKILL in the middle of a batch, again and again.

The worker runs as a subprocess (`manage.py outbox_worker`) on its own file-based SQLite
database; the SMTP server (aiosmtpd) runs here and records every Message-ID it receives.
Whatever the kills interrupt, no message may arrive twice under different Message-IDs, none
may be lost silently, and the ones caught mid-send are flagged "interrupted" for the coach,
who can send them again under their own Message-ID.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.throwaway_db import is_postgres, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 200

SEED = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from datetime import timedelta
from django.utils import timezone
from flowcoach.accounts.models import Organisation
from flowcoach.outbox import services
org = Organisation.objects.create(name="Crash Test Practice", slug="crash", sending_email="hello@crash.test")
services.email_settings_update(organisation=org, auto_approve_kinds=["reminder"])
start = timezone.now() - timedelta(seconds=1)
for n in range({count}):
    services.message_draft(
        organisation=org, key=f"crash:{{n}}", kind="reminder", to_email=f"client{{n}}@crash.test",
        subject=f"Reminder {{n}}", text_body="See you soon.", send_after=start,
    )
"""

RESEND_INTERRUPTED = """
from flowcoach.outbox import services
from flowcoach.outbox.models import Message
for message in Message.objects.filter(state="interrupted"):
    services.message_resend(message=message, user=None)
from django.core.management import call_command
call_command("outbox_worker", batch=True, interval=0)
"""


class SlowMailbox:
    """Takes a little time per message, so a kill often lands between claim and record."""

    def __init__(self, delay: float):
        self.delay = delay
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import email
        from email import policy

        await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.message_ids.append(parsed["Message-ID"])
        return "250 Message accepted for delivery"


class Site:
    """A flowcoach install in a temporary folder, driven through manage.py."""

    def __init__(self, var_dir: Path, smtp_port: int, database_url: str, **extra_env: str):
        self.var_dir = var_dir
        self.database_url = database_url
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "EMAIL_BACKEND", "FLOWCOACH_TASKS_BACKEND"}
        }
        self.env.update(
            # Its own database, on PostgreSQL when the suite runs there (tests/throwaway_db.py).
            DATABASE_URL=database_url,
            FLOWCOACH_VAR_DIR=str(var_dir),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            EMAIL_TIMEOUT="5",
            DEBUG="false",
            LOG_LEVEL="WARNING",
            FLOWCOACH_OUTBOX_LEASE_SECONDS="2",
            PYTHONUNBUFFERED="1",
            **extra_env,
        )

    def manage(self, *args: str, timeout: float = 60) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start_worker(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", "outbox_worker", "--interval", "0.05", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def query(self, sql: str) -> list[tuple]:
        """Rows straight from the worker's database, read-only."""
        if is_postgres(self.database_url):
            import psycopg

            with psycopg.connect(self.database_url) as db:
                return db.execute(sql).fetchall()
        path = self.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20) as db:
            return db.execute(sql).fetchall()

    def states(self) -> dict[str, list[str]]:
        """Message-ID → [state]."""
        return dict(self.query("SELECT message_id, state FROM outbox_message"))


@pytest.fixture
def database_url(tmp_path):
    with throwaway_database(tmp_path) as url:
        yield url


@pytest.fixture
def slow_smtp():
    from aiosmtpd.controller import Controller

    mailbox = SlowMailbox(delay=0.005)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_it_survives_sigkill_mid_batch_without_duplicates_or_silent_losses(
    tmp_path, slow_smtp, database_url
):
    site = Site(tmp_path, slow_smtp.port, database_url)
    site.manage("shell", "-c", SEED.format(count=MESSAGES))
    assert len(site.states()) == MESSAGES

    kills = 0
    for round_ in range(4):
        worker = site.start_worker("--sweep-interval", "0.5", "--lost-after", "1")
        target = len(slow_smtp.message_ids) + 15 + 5 * round_
        # Let it get properly into the batch, then kill it without warning.
        wait_for(
            lambda target=target: len(slow_smtp.message_ids) >= target,
            timeout=20,
            what="the worker to send",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills += 1

    # A last worker, left alone, finishes the work and sweeps up what the kills left.
    worker = site.start_worker("--sweep-interval", "0.5", "--lost-after", "1")
    try:
        wait_for(
            lambda: set(site.states().values()) <= {"sent", "interrupted"},
            timeout=30,
            what="every message to be sent or flagged",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)

    states = site.states()
    received = Counter(slow_smtp.message_ids)
    assert kills == 4
    # Nothing arrived that the outbox does not know under that very Message-ID.
    assert set(received) <= set(states)
    # Nothing arrived twice: interrupted messages are flagged, never blindly resent.
    assert max(received.values()) == 1, [mid for mid, n in received.items() if n > 1]
    # Nothing lost silently: every "sent" message arrived; the rest are flagged.
    sent = {mid for mid, state in states.items() if state == "sent"}
    interrupted = {mid for mid, state in states.items() if state == "interrupted"}
    assert sent | interrupted == set(states)
    assert sent <= set(received)
    print(
        f"\n{MESSAGES} messages, {kills} SIGKILLs: {len(sent)} sent, "
        f"{len(interrupted)} flagged interrupted "
        f"({len(interrupted & set(received))} of them had reached the server)"
    )

    # The coach sends the interrupted ones again: same Message-ID, so a mail client that
    # already has one shows it once.
    site.manage("shell", "-c", RESEND_INTERRUPTED)
    states = site.states()
    assert set(states.values()) == {"sent"}
    assert set(slow_smtp.message_ids) == set(states), "every message arrived"
    assert len(slow_smtp.message_ids) == MESSAGES + len(interrupted & set(received))
