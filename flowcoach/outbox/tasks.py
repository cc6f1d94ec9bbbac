"""Tasks run by the worker (django-tasks: the database backend, or Redis through rq)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

from . import dispatch


@task()
def send_message(message_pk: int) -> str:
    """Send one approved message when it is due. Firing early (the message was moved to a
    later time) or for a message already handled does nothing."""
    return dispatch.send_one(
        message_pk,
        companions=dispatch.batch_size() - 1,
        on_reserved=retire_send_tasks,
        schedule_retry=schedule_send,
    )


@task()
def dispatch_due() -> dict[str, int]:
    """Send everything due, in batches over one SMTP connection."""
    return dispatch.dispatch_due(
        batch_size=dispatch.batch_size(),
        on_reserved=retire_send_tasks,
        schedule_retry=schedule_send,
    )


def _writes_to_our_database() -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[send_message.backend], DatabaseBackend)


def retire_send_tasks(message_pks: list[int]) -> int:
    """Mark the waiting send tasks of messages another task has just taken as done.

    Each approval queues one task, but a worker sends due messages in batches; without this,
    every message after the first in a batch would cost a task that wakes up to find its
    message gone (measured: most of the worker's time in bench/email_dispatch.py). Only tasks
    still waiting are touched; one already running finds nothing to do, as before. Redis
    tasks are left alone and run as harmless no-ops.
    """
    if not message_pks or not _writes_to_our_database():
        return 0
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        backend_name=send_message.backend,
        task_path=send_message.module_path,
        args_kwargs__args__0__in=message_pks,
    ).update(
        status=TaskResultStatus.SUCCESSFUL,
        started_at=now,
        finished_at=now,
        return_value="sent with another task's batch",
    )


def enqueue_with_write(queued, *args) -> None:
    """Enqueue a task for a row this transaction writes. With the database backend the task
    row joins the same transaction (both commit or neither does); Redis only sees it after
    commit, so a worker never picks it up before the row is visible."""
    if _writes_to_our_database():
        queued.enqueue(*args)
    else:
        transaction.on_commit(lambda: queued.enqueue(*args))


def schedule_send(message_pk: int, due: datetime | None) -> None:
    run_after = due if due and due > timezone.now() else None
    queued = send_message.using(run_after=run_after) if run_after else send_message
    enqueue_with_write(queued, message_pk)


def schedule_dispatch_due() -> None:
    if _writes_to_our_database():
        dispatch_due.enqueue()
    else:
        transaction.on_commit(dispatch_due.enqueue)
