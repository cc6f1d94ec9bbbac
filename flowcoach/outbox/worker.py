"""The outbox worker: django-tasks-db's worker loop plus the outbox's recovery sweep.

On start, and then every `sweep_interval` seconds, it
1. flags messages left "sending" by a worker that died (lease run out) as "interrupted", for
   their coach to confirm or send again (never blindly resent), and
2. hands due messages that nobody is sending to a `dispatch_due` task, in case their own task
   was lost (a crash between commit and enqueue on Redis, a task row failed by a killed
   worker). Duplicate tasks are harmless: claiming is conditional.
3. runs the periodic jobs other apps registered (`periodic.py`), such as the weekly
   check-in rhythm.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import periodic, selectors, services, tasks
from .models import State

logger = logging.getLogger("flowcoach.outbox")


def sweep(*, lost_after: timedelta = timedelta(0)) -> dict[str, int]:
    """Recovery: flag interrupted sends; re-dispatch due messages waiting longer than
    `lost_after`."""
    interrupted = services.recover_interrupted()
    threshold = timezone.now() - lost_after
    waiting = (
        selectors.due_messages()
        .filter(state__in=(State.APPROVED, State.QUEUED, State.FAILED))
        .filter(send_after__lte=threshold)
        .count()
    )
    redispatched = 0
    if waiting and not _dispatch_pending():
        tasks.schedule_dispatch_due()
        redispatched = waiting
        logger.info("Outbox: %d due message(s) handed to a dispatch task", waiting)
    periodic.run_all(timezone.now())
    return {"interrupted": interrupted, "redispatched": redispatched}


def _dispatch_pending() -> bool:
    """Is a dispatch_due task already waiting in the database queue?"""
    if not tasks._writes_to_our_database():
        return False
    return DBTaskResult.objects.ready().filter(task_path=tasks.dispatch_due.module_path).exists()


class OutboxWorker(Worker):
    def __init__(self, *, sweep_interval: float, lost_after: float, **kwargs):
        super().__init__(**kwargs)
        self.sweep_interval = sweep_interval
        self.lost_after = timedelta(seconds=lost_after)
        self._next_sweep = 0.0

    def sweep_if_due(self, *, force: bool = False) -> None:
        if not force and time.monotonic() < self._next_sweep:
            return
        try:
            sweep(lost_after=timedelta(0) if force else self.lost_after)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
        self._next_sweep = time.monotonic() + self.sweep_interval

    def next_task(self) -> DBTaskResult | None:
        tasks_ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks_ready = tasks_ready.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks_ready.db):
            try:
                task_result = tasks_ready.get_locked()
            except OperationalError as error:
                if is_locked_database_exception(error):
                    return None
                raise
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def run(self) -> None:
        logger.info("Outbox worker %s starting", self.worker_id)
        self.sweep_if_due(force=True)
        while self.running:
            # Never inside a transaction: the caller's (a test's, or run_worker_once within
            # an atomic block) would lose its connection on PostgreSQL.
            if not connection.in_atomic_block:
                close_old_connections()
            self.sweep_if_due()
            task_result = self.next_task()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and task_result is None:
                time.sleep(self.interval)


def make_worker(
    *,
    backend_name: str = "default",
    interval: float = 1.0,
    batch: bool = False,
    max_tasks: int | None = None,
    sweep_interval: float = 30.0,
    lost_after: float = 60.0,
    worker_id: str | None = None,
) -> OutboxWorker:
    return OutboxWorker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id or get_random_string(32),
        excluded_queue_names=[],
        sweep_interval=sweep_interval,
        lost_after=lost_after,
    )


def run_worker_once(**kwargs) -> int:
    """Run every ready task, then return how many ran (tests, the benchmark)."""
    worker = make_worker(batch=True, interval=0, **kwargs)
    worker.run()
    return worker._run_tasks
