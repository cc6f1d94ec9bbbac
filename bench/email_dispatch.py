"""Email dispatch benchmark: queue N messages, deliver them to a local SMTP server through the
real dispatch path, report messages per second, duplicates and losses.

    .venv/bin/python bench/email_dispatch.py                      # 5,000 messages, 1 worker
    .venv/bin/python bench/email_dispatch.py --workers 2 --mode tasks
    .venv/bin/python bench/email_dispatch.py --mode batch

Everything runs on a throwaway file-based SQLite database in a temporary folder (or
PostgreSQL when DATABASE_URL is set: use a database you can throw away). The messages are
drafted and approved through `outbox.services` (an organisation that auto-approves the kind),
which enqueues one send task per message, exactly as in production. The workers are real
`manage.py outbox_worker` processes. Modes:

  tasks   the workers run the per-message send tasks (each claims a batch of due messages
          and sends it over one SMTP connection; tasks whose message is already sent are
          no-ops)
  batch   one `dispatch_due` task drains the queue over one connection; the per-message
          tasks are then no-ops

The SMTP server (aiosmtpd) runs in this process and records each Message-ID it receives:
duplicates are Message-IDs received more than once; losses are messages neither received
nor flagged.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Mailbox:
    def __init__(self):
        self.message_ids: list[str] = []
        self.first_at = self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        # The Message-ID header is all we need; parsing whole messages would make the
        # server, not flowcoach, the bottleneck.
        for line in envelope.content.split(b"\r\n"):
            if line[:11].lower() == b"message-id:":
                self.message_ids.append(line[11:].strip().decode())
                self.last_at = time.perf_counter()
                self.first_at = self.first_at or self.last_at
                break
            if not line:
                break
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mode", choices=["tasks", "batch"], default="tasks")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="flowcoach-bench-"))
    port = free_port()
    os.environ.update(
        FLOWCOACH_VAR_DIR=str(var_dir),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        DEBUG="false",
        LOG_LEVEL="WARNING",
        FLOWCOACH_TASKS_BACKEND="database",
    )
    os.environ.pop("EMAIL_BACKEND", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flowcoach.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from flowcoach.accounts.models import Organisation
    from flowcoach.outbox import services, tasks
    from flowcoach.outbox.models import Message

    call_command("migrate", interactive=False, verbosity=0)
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()

    org = Organisation.objects.create(
        name="Bench Practice", slug="bench", sending_email="hello@bench.test"
    )
    services.email_settings_update(organisation=org, auto_approve_kinds=["reminder"])
    started = time.perf_counter()
    now = timezone.now()
    for n in range(args.messages):
        services.message_draft(
            organisation=org,
            key=f"bench:{n}",
            kind="reminder",
            to_email=f"client{n}@bench.test",
            to_name=f"Client {n}",
            subject=f"Your session reminder #{n}",
            text_body="Hello,\n\nA short reminder of our session tomorrow at 10:00.\n" * 3,
            send_after=now,
        )
    queued_in = time.perf_counter() - started
    if args.mode == "batch":
        tasks.dispatch_due.enqueue()
    connection.close()

    env = dict(os.environ)
    children_before = os.times()
    server_cpu_before = time.process_time()
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "outbox_worker", "--interval", "0.05"],
            cwd=ROOT,
            env=env,
        )
        for _ in range(args.workers)
    ]
    try:
        deadline = started + args.timeout
        while time.perf_counter() < deadline:
            if len(mailbox.message_ids) >= args.messages:
                break
            time.sleep(0.01)
        delivered_in = time.perf_counter() - started
        # Give a late duplicate every chance to show up.
        time.sleep(1.0)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        server_cpu = time.process_time() - server_cpu_before
        children = os.times()
        worker_cpu = (children.children_user - children_before.children_user) + (
            children.children_system - children_before.children_system
        )
        controller.stop()

    states = Counter(Message.objects.values_list("state", flat=True))
    known = set(Message.objects.values_list("message_id", flat=True))
    received = Counter(mailbox.message_ids)
    duplicates = sum(n - 1 for n in received.values())
    strangers = len(set(received) - known)
    flagged = states.get("interrupted", 0) + states.get("failed", 0)
    losses = len(known - set(received)) - flagged
    print(f"database        {connection.vendor}")
    print(f"messages        {args.messages} ({args.mode} mode, {args.workers} worker(s))")
    print(f"queued in       {queued_in:.1f} s ({args.messages / queued_in:.0f} drafts/s)")
    print(f"delivered in    {delivered_in:.2f} s (from worker start, incl. ~1 s startup)")
    print(f"throughput      {len(set(received)) / delivered_in:.0f} messages/s overall")
    steady = mailbox.last_at - mailbox.first_at
    if steady > 0:
        print(
            f"                {(len(mailbox.message_ids) - 1) / steady:.0f} messages/s from the"
            " first message received to the last (worker start-up excluded)"
        )
    print(
        f"CPU per message {1000 * worker_cpu / args.messages:.2f} ms in the worker(s) (incl."
        f" startup), {1000 * server_cpu / args.messages:.2f} ms in this process (SMTP server)"
    )
    print(f"load average    {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"states          {dict(states)}")
    print(f"duplicates      {duplicates}")
    print(f"unknown IDs     {strangers}")
    print(f"losses          {losses}")
    sys.exit(1 if duplicates or strangers or losses else 0)


if __name__ == "__main__":
    main()
