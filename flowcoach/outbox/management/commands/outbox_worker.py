"""`manage.py outbox_worker`: run this instead of `db_worker` (scripts/serve.sh does).

It is django-tasks-db's worker with the outbox's recovery in front and as a periodic sweep:
messages left "sending" by a dead worker become "interrupted" for their coach, due messages
whose task was lost are handed to a dispatch task. With the Redis backend
(FLOWCOACH_TASKS_BACKEND=rq) it runs the sweep in a background thread and django-rq's worker
(with its scheduler, for delayed sends) in front. See docs/operations.md.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from flowcoach.outbox import worker as outbox_worker


class Command(BaseCommand):
    help = "Run the task worker with the outbox's crash recovery (use instead of db_worker)."

    def add_arguments(self, parser):
        parser.add_argument("--backend", default="default", help="Task backend alias.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when idle (default 1)."
        )
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=30.0,
            help="Seconds between recovery sweeps (default 30).",
        )
        parser.add_argument(
            "--lost-after",
            type=float,
            default=60.0,
            help="A due message nobody sent for this many seconds gets a new task (default 60).",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run what is ready, then exit (burst mode)."
        )
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        backend = task_backends[options["backend"]]
        if isinstance(backend, DatabaseBackend):
            self._run_database_worker(options)
        else:
            self._run_rq_worker(backend, options)

    def _run_database_worker(self, options) -> None:
        worker = outbox_worker.make_worker(
            backend_name=options["backend"],
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            sweep_interval=options["sweep_interval"],
            lost_after=options["lost_after"],
            worker_id=options["worker_id"] or get_random_string(32),
        )
        worker.configure_signals()
        worker.run()

    def _run_rq_worker(self, backend, options) -> None:
        outbox_worker.sweep()
        if not options["batch"]:
            lost_after = timedelta(seconds=options["lost_after"])

            def sweep_forever():
                while True:
                    time.sleep(options["sweep_interval"])
                    try:
                        outbox_worker.sweep(lost_after=lost_after)
                    except Exception:  # noqa: BLE001 (keep sweeping; the error is logged)
                        outbox_worker.logger.exception("Outbox sweep failed")
                    finally:
                        close_old_connections()

            threading.Thread(target=sweep_forever, name="outbox-sweep", daemon=True).start()
        close_old_connections()
        extra = {"max_jobs": options["max_tasks"]} if options["max_tasks"] else {}
        call_command(
            "rqworker",
            *sorted(backend.queues),
            # django-tasks-rq's Job runs a django-tasks Task; rq's own Job cannot.
            job_class="django_tasks_rq.backend.Job",
            with_scheduler=True,
            burst=options["batch"],
            **extra,
        )
