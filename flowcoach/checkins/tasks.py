"""The weekly rhythm as a task for the worker. The worker's sweep (every 30 seconds or so)
asks for it through `outbox.periodic`; at most one waits in the database queue at a time, and
running it twice is harmless because every week and every email has its own key."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task, task_backends

from . import services


@task()
def checkin_rhythm() -> dict[str, int]:
    return services.rhythm_run()


def _waiting() -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends[checkin_rhythm.backend], DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=checkin_rhythm.module_path).exists()


def enqueue_if_due(now: datetime) -> bool:
    """Registered with the worker's sweep: queue the rhythm unless one waits already."""
    if _waiting():
        return False
    checkin_rhythm.enqueue()
    return True
