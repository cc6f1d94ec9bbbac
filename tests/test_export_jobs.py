"""Large practice exports prepared in the background: the real task worker writes the same
file the direct download streams, the page shows its progress, the outbox emails the coach
once, the file is theirs alone, and it is deleted when its days are up."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from flowcoach.accounts.models import AuditAction, AuditEntry
from flowcoach.clients.models import Client
from flowcoach.coaching.models import Commitment
from flowcoach.insights import export_jobs, exports
from flowcoach.insights.models import ExportJob, ExportState
from flowcoach.outbox import periodic
from flowcoach.outbox.models import Kind, Message, State
from flowcoach.outbox.worker import run_worker_once
from tests.session_helpers import enrol


@pytest.fixture(autouse=True)
def storage_dir(private_storage) -> Path:
    return private_storage


@pytest.fixture
def practice(world, settings):
    """Cora's practice: two clients with sessions and a dozen commitments, one with a formula;
    "large" because the threshold is lowered to a handful of rows."""
    settings.FLOWCOACH_EXPORT_BACKGROUND_ROWS = 5
    extra = Client.objects.create(
        organisation=world.org, coach=world.coach, full_name="Mo Second", email="mo@example.org"
    )
    for client in (world.client, extra):
        enrol(world, client=client)
    for n in range(12):
        text = '=HYPERLINK("http://x")' if n == 3 else f"Call {n} buyers"
        Commitment.objects.create(client=world.client, uuid=uuid.uuid4(), text=text)
    enrol(world, client=world.other_client, coach=world.other_coach)
    Commitment.objects.create(client=world.other_client, uuid=uuid.uuid4(), text="Not Cora's")
    return world


def start(http, file_format: str, table: str = ""):
    return http.post(reverse("practice_export_start"), {"format": file_format, "table": table})


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def only_job() -> ExportJob:
    (job,) = ExportJob.objects.all()
    return job


def export_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=export_jobs.run_export.module_path).count()


def test_it_streams_a_small_practice_straight_away(world, settings):
    settings.FLOWCOACH_EXPORT_BACKGROUND_ROWS = 2000
    enrol(world)
    page = world.login(world.coach).get(reverse("practice_exports")).content.decode()
    assert reverse("practice_export_csv", args=["sessions"]) in page
    assert reverse("practice_export_start") not in page


def test_it_prepares_a_large_csv_with_the_real_worker_and_emails_once(practice, smtp_server):
    world = practice
    coach = world.login(world.coach)
    page = coach.get(reverse("practice_exports")).content.decode()
    assert reverse("practice_export_start") in page and "Prepare Commitments (CSV)" in page
    assert reverse("practice_export_csv", args=["commitments"]) not in page

    response = start(coach, "csv", "commitments")
    job = only_job()
    assert response.status_code == 302 and response["Location"].endswith(f"#export-job-{job.pk}")
    assert job.state == ExportState.QUEUED and export_tasks() == 1
    page = coach.get(reverse("practice_exports")).content.decode()
    assert f'id="export-progress-{job.pk}"' in page and "<progress" in page
    assert f'hx-get="{reverse("practice_export_job", args=[job.pk])}"' in page

    run_worker_once()
    job.refresh_from_db()
    assert job.state == ExportState.READY
    assert job.rows_written == job.rows_total == 12
    assert job.expires_at - job.finished_at == timedelta(days=7)

    download = coach.get(reverse("practice_export_download", args=[job.pk]))
    prepared = b"".join(download.streaming_content).decode("utf-8")
    direct = streamed(coach.get(reverse("practice_export_csv", args=["commitments"])))
    assert prepared == direct
    rows = list(csv.DictReader(io.StringIO(prepared.lstrip("\ufeff"))))
    assert len(rows) == 12 and "Not Cora's" not in prepared
    assert rows[3]["commitment"] == '\'=HYPERLINK("http://x")'
    assert download["Content-Disposition"].startswith('attachment; filename="practice-commitm')
    assert ("practice_commitments", "csv") in {
        (entry.object_type, entry.detail["format"])
        for entry in AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=world.coach)
    }

    (email,) = smtp_server.messages
    assert email["To"] == "Cora Coach <coach@harbour.test>"
    assert email["Subject"] == "Your practice export is ready"
    text = email.get_body(("plain",)).get_content()
    assert "12 rows" in text and reverse("practice_exports") in text
    message = Message.objects.get(kind=Kind.EXPORT_READY)
    assert message.state == State.SENT and message.approved_by is None

    # The task running again (a retried task row) writes nothing and sends nothing more.
    assert export_jobs.export_run(job.pk) == "nothing to do"
    export_jobs.export_ready_email(job)
    run_worker_once()
    assert len(smtp_server.messages) == 1
    assert Message.objects.filter(kind=Kind.EXPORT_READY).count() == 1


def test_it_writes_the_same_json_as_the_direct_download(practice):
    coach = practice.login(practice.coach)
    start(coach, "json")
    run_worker_once()
    job = only_job()
    assert job.state == ExportState.READY and job.table == ""
    prepared = json.loads(
        b"".join(coach.get(reverse("practice_export_download", args=[job.pk])).streaming_content)
    )
    direct = json.loads(streamed(coach.get(reverse("practice_export_json"))))
    assert prepared.pop("exported_at") == job.created_at.isoformat()
    direct.pop("exported_at")
    assert prepared == direct
    assert job.rows_written == job.rows_total == sum(len(direct[key]) for key in exports.TABLES)
    assert len(direct["commitments"]) == 12 and len(direct["sessions"]) > 0


def test_it_shows_the_rows_written_while_the_worker_writes(practice, monkeypatch):
    """The page's polled row, read between rows the worker writes, reports the saved
    progress: a step every PROGRESS_EVERY rows, then done."""
    coach = practice.login(practice.coach)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 4)
    start(coach, "csv", "commitments")
    job = only_job()
    url = reverse("practice_export_job", args=[job.pk])
    seen = []
    table = exports.TABLES["commitments"]

    def watched(clients):
        for row in table.rows(clients):
            html = coach.get(url, headers={"HX-Request": "true"}).content.decode()
            seen.append(re.search(r"(\d+) of (\d+) rows written \((\d+)%\)", html).groups())
            yield row

    monkeypatch.setitem(exports.TABLES, "commitments", dataclasses.replace(table, rows=watched))
    run_worker_once()
    assert [written for written, _, _ in seen] == ["0"] * 4 + ["4"] * 4 + ["8"] * 4
    assert {total for _, total, _ in seen} == {"12"}
    assert seen[-1][2] == "66"
    done = coach.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "Download practice-commitments" in done
    # Without htmx the row's address leads back to the page.
    assert coach.get(url)["Location"].endswith(f"#export-job-{job.pk}")


def test_it_starts_one_job_however_often_export_is_pressed(practice):
    coach = practice.login(practice.coach)
    first, second = start(coach, "json"), start(coach, "json")
    assert first["Location"] == second["Location"]
    assert ExportJob.objects.count() == 1 and export_tasks() == 1
    # Even two requests racing past the check meet the database's rule.
    job = only_job()
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(
            organisation=job.organisation, owner=job.owner, format="json", table=""
        )
    # Another file is another job; once done, the same file can be prepared again.
    start(coach, "csv", "sessions")
    assert ExportJob.objects.count() == 2
    run_worker_once()
    start(coach, "json")
    assert ExportJob.objects.filter(format="json").count() == 2


def test_it_does_not_wait_forever_on_a_job_whose_worker_died(practice):
    coach = practice.login(practice.coach)
    start(coach, "json")
    long_ago = timezone.now() - export_jobs.STALE_AFTER - timedelta(minutes=1)
    ExportJob.objects.update(state=ExportState.RUNNING, updated_at=long_ago)
    start(coach, "json")
    states = sorted(ExportJob.objects.values_list("state", flat=True))
    assert states == [ExportState.FAILED, ExportState.QUEUED]


def test_it_says_kindly_when_a_job_failed_and_tries_again(practice, monkeypatch, storage_dir):
    coach = practice.login(practice.coach)
    table = exports.TABLES["commitments"]

    def broken(clients):
        yield from list(table.rows(clients))[:2]
        raise OSError("disk full")

    monkeypatch.setitem(exports.TABLES, "commitments", dataclasses.replace(table, rows=broken))
    start(coach, "csv", "commitments")
    run_worker_once()
    failed = only_job()
    assert failed.state == ExportState.FAILED and not failed.file
    assert not list(storage_dir.rglob("*.csv"))
    assert not Message.objects.filter(kind=Kind.EXPORT_READY).exists()
    page = coach.get(reverse("practice_exports")).content.decode()
    assert "could not be finished" in page and "Try again" in page
    assert coach.get(reverse("practice_export_download", args=[failed.pk])).status_code == 404

    monkeypatch.setitem(exports.TABLES, "commitments", table)
    coach.post(reverse("practice_export_retry", args=[failed.pk]))
    coach.post(reverse("practice_export_retry", args=[failed.pk]))
    run_worker_once()
    assert sorted(ExportJob.objects.values_list("state", flat=True)) == ["failed", "ready"]


def test_it_deletes_prepared_files_when_their_days_are_up(
    practice, settings, monkeypatch, storage_dir
):
    coach = practice.login(practice.coach)
    start(coach, "json")
    run_worker_once()
    job = only_job()
    path = storage_dir / job.file.name
    assert path.exists()
    settings.FLOWCOACH_DAILY_JOBS = True
    monkeypatch.setattr(periodic, "_last_day", {})
    a_day_early = job.expires_at - timedelta(days=1)
    assert "export_expiry" in periodic.run_daily(a_day_early.replace(hour=3))
    job.refresh_from_db()
    assert job.state == ExportState.READY and path.exists()

    periodic.run_daily((job.expires_at + timedelta(days=1)).replace(hour=3))
    job.refresh_from_db()
    assert job.state == ExportState.EXPIRED and not job.file and not path.exists()
    assert coach.get(reverse("practice_export_download", args=[job.pk])).status_code == 404
    assert "has expired and was deleted" in coach.get(reverse("practice_exports")).content.decode()
    assert export_jobs.exports_expire(job.expires_at + timedelta(days=2)) == 0


def test_it_keeps_each_coachs_files_to_themselves(practice):
    world = practice
    coach = world.login(world.coach)
    start(coach, "json")
    run_worker_once()
    job = only_job()
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    for name in ("practice_export_job", "practice_export_download"):
        url = reverse(name, args=[job.pk])
        assert world.login(world.other_coach).get(url).status_code == 404
        for other in (world.admin, world.client_user, world.other_admin):
            assert world.login(other).get(url).status_code == 403
    retry = reverse("practice_export_retry", args=[job.pk])
    assert world.login(world.other_coach).post(retry).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == before
    # Another coach's page lists none of Cora's files.
    page = world.login(world.other_coach).get(reverse("practice_exports")).content.decode()
    assert f"export-job-{job.pk}" not in page


@pytest.mark.parametrize(
    "data", [{"format": "xml"}, {"format": "csv", "table": "unknown"}, {"format": "csv"}, {}]
)
def test_it_refuses_a_file_that_does_not_exist(practice, data):
    coach = practice.login(practice.coach)
    response = coach.post(reverse("practice_export_start"), data, follow=True)
    assert "Please choose one of the files on this page." in response.content.decode()
    assert not ExportJob.objects.exists() and export_tasks() == 0
