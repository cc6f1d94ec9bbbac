"""Large practice exports, written in the background.

A practice above `FLOWCOACH_EXPORT_BACKGROUND_ROWS` rows would keep a browser waiting on one
long download; instead the page starts an `ExportJob`, the task worker writes the same
stream as the direct download to private storage (row by row, through a temporary file, so
never the whole practice in memory), counting rows as it goes, and the outbox tells the coach
when it is ready. Files are deleted after `FLOWCOACH_EXPORT_KEEP_DAYS` by a daily job."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from flowcoach.accounts.models import Organisation, User
from flowcoach.clients.models import Client
from flowcoach.coaching.emails import html_of
from flowcoach.outbox import services as outbox
from flowcoach.outbox import tasks as outbox_tasks
from flowcoach.outbox.models import Kind, Message, State

from . import exports
from .models import ACTIVE, ExportFormat, ExportJob, ExportState

logger = logging.getLogger("flowcoach.insights")

# Progress is saved every this many rows: often enough for a bar that moves, rarely enough
# that writing it costs nothing next to the rows themselves.
PROGRESS_EVERY = 500
# A running job whose progress has not moved for this long lost its worker.
STALE_AFTER = timedelta(minutes=15)


class ExportError(Exception):
    pass


def background_rows() -> int:
    return getattr(settings, "FLOWCOACH_EXPORT_BACKGROUND_ROWS", 2000)


def keep_days() -> int:
    return getattr(settings, "FLOWCOACH_EXPORT_KEEP_DAYS", 7)


def practice_of(organisation: Organisation | int, coach: User | int) -> QuerySet[Client]:
    return Client.objects.filter(organisation=organisation, coach=coach)


def tables_for(file_format: str, table: str) -> list[exports.Table]:
    if file_format == ExportFormat.JSON and not table:
        return list(exports.TABLES.values())
    if file_format == ExportFormat.CSV and table in exports.TABLES:
        return [exports.TABLES[table]]
    raise ExportError("There is no such export.")


def recent_jobs(organisation: Organisation, coach: User, limit: int = 10) -> list[ExportJob]:
    """The coach's latest background exports, newest first, for the exports page."""
    return list(ExportJob.objects.filter(organisation=organisation, owner=coach)[:limit])


# --- starting and retrying (the coach's side) ---------------------------------------------


def _enqueue(job: ExportJob) -> None:
    outbox_tasks.enqueue_with_write(run_export, job.pk)


def _fail_if_stale(job: ExportJob, now: datetime) -> bool:
    if job.state == ExportState.RUNNING and job.updated_at < now - STALE_AFTER:
        job.state = ExportState.FAILED
        job.finished_at = now
        job.save(update_fields=["state", "finished_at"])
        return True
    return False


def export_start(
    *, organisation: Organisation, coach: User, file_format: str, table: str = ""
) -> ExportJob:
    """The coach's waiting or running export of this file, or a new one queued for the
    worker. Asking twice (a double click, a second tab) returns the same job: the database
    allows one active job per coach and file, so even two requests at once make one."""
    table = "" if file_format == ExportFormat.JSON else table
    tables_for(file_format, table)
    now = timezone.now()
    mine = ExportJob.objects.filter(
        organisation=organisation, owner=coach, format=file_format, table=table
    )
    for _ in range(2):
        with transaction.atomic():
            active = mine.select_for_update().filter(state__in=ACTIVE).first()
            if active is not None and not _fail_if_stale(active, now):
                return active
            try:
                with transaction.atomic():
                    job = ExportJob.objects.create(
                        organisation=organisation,
                        owner=coach,
                        format=file_format,
                        table=table,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                continue  # another request created it a moment ago: return that one
            _enqueue(job)
            return job
    return mine.get(state__in=ACTIVE)


def export_retry(*, job: ExportJob) -> ExportJob:
    """A failed export, asked for again: a new job for the same file."""
    if job.state != ExportState.FAILED:
        return job
    return export_start(
        organisation=job.organisation, coach=job.owner, file_format=job.format, table=job.table
    )


# --- writing (the worker's side) -----------------------------------------------------------


def _counted(tables: list[exports.Table], progress) -> list[exports.Table]:
    def wrap(table: exports.Table):
        def rows(clients) -> Iterator[dict]:
            for row in table.rows(clients):
                yield row
                progress()

        return dataclasses.replace(table, rows=rows)

    return [wrap(table) for table in tables]


def stream_for(job: ExportJob, tables: list[exports.Table], clients) -> Iterable[str]:
    """Exactly what the direct download writes, with the job's own time as `exported_at`."""
    if job.format == ExportFormat.JSON:
        return exports.json_stream(clients, job.created_at.isoformat(), tables)
    return exports.csv_stream(tables[0], clients)


@task()
def run_export(job_pk: int) -> str:
    """The worker's task (`manage.py outbox_worker`): write one job's file."""
    return export_run(job_pk)


def export_run(job_pk: int) -> str:
    """Write one job's file. A job that is not waiting (done, or taken by another worker)
    is left alone, so a task that runs twice writes once."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_pk, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING, updated_at=now
    )
    if not claimed:
        return "nothing to do"
    job = ExportJob.objects.select_related("owner", "organisation").get(pk=job_pk)
    try:
        _write(job)
    except Exception:
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, finished_at=timezone.now(), updated_at=timezone.now()
        )
        return "failed"
    return "ready"


def _write(job: ExportJob) -> None:
    clients = practice_of(job.organisation_id, job.owner_id)
    tables = tables_for(job.format, job.table)
    total = exports.row_count(tables, clients)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    written = 0

    def progress() -> None:
        nonlocal written
        written += 1
        if written % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(
                rows_written=written, rows_total=max(total, written), updated_at=timezone.now()
            )

    with tempfile.TemporaryFile() as spool:
        for chunk in stream_for(job, _counted(tables, progress), clients):
            spool.write(chunk.encode("utf-8"))
        spool.seek(0)
        name = job.file.field.generate_filename(job, job.download_name)
        stored = job.file.storage.save(name, File(spool))
        size = job.file.storage.size(stored)
    now = timezone.now()
    with transaction.atomic():
        job.file.name = stored
        job.size = size
        job.rows_written = written
        job.rows_total = max(total, written)
        job.state = ExportState.READY
        job.finished_at = now
        job.updated_at = now
        job.expires_at = now + timedelta(days=keep_days())
        job.save()
        export_ready_email(job)


def export_ready_email(job: ExportJob) -> Message:
    """Tells the coach their file is ready. One key per job, so it goes once whatever runs
    twice; approved as drafted, since it answers the reader's own request."""
    coach = job.owner
    expires = timezone.localtime(job.expires_at, ZoneInfo(coach.time_zone or "UTC"))
    context = {
        "coach": coach,
        "job": job,
        "days": keep_days(),
        "expires": f"{expires.day} {expires:%B %Y}",
        "url": f"{settings.SITE_URL}{reverse('practice_exports')}",
    }
    text = render_to_string("insights/email/export_ready.txt", context)
    message = outbox.message_draft(
        organisation=job.organisation,
        key=f"export:{job.pk}:ready",
        kind=Kind.EXPORT_READY,
        to_email=coach.email,
        to_name=coach.full_name,
        subject=render_to_string("insights/email/export_ready_subject.txt", context).strip(),
        text_body=text,
        html_body=html_of(text),
        send_after=timezone.now(),
        owner=coach,
        reference=f"export:{job.pk}",
    )
    if message.state == State.DRAFT:
        message = outbox.message_approve(message=message, user=None)
    return message


# --- expiry (a daily job) ------------------------------------------------------------------


def exports_expire(now: datetime | None = None) -> int:
    """Deletes the files of exports past their time; the rows stay, marked expired, so the
    page can say what happened. Safe to run twice."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(state=ExportState.READY, expires_at__lte=now):
        if job.file:
            job.file.storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk, state=ExportState.READY).update(
            state=ExportState.EXPIRED, file="", updated_at=now
        )
        expired += 1
    return expired
