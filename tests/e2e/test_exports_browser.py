"""In a real browser, on the demo practice with the background threshold lowered: a coach
prepares a large export, watches its progress bar (polled by htmx, under our CSP) reach done
while the real task worker writes it, downloads it and reads it back. axe runs on the page
while the file is being prepared and once it is ready, at desktop and phone widths."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from flowcoach.accounts.models import User
from flowcoach.coaching.models import Commitment
from flowcoach.insights.models import ExportJob, ExportState
from flowcoach.outbox.worker import run_worker_once
from tests.e2e.conftest import wait_until
from tests.e2e.test_home_browser import accessible_at_both_widths, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COACH = "dana@demo.flowcoach.test"


@pytest.fixture
def demo(db, settings, private_storage):
    call_command("seed_demo", stdout=io.StringIO())
    settings.FLOWCOACH_EXPORT_BACKGROUND_ROWS = 5
    return User.objects.get(email=COACH)


def test_it_prepares_a_large_export_shows_its_progress_and_downloads_it(live_server, page, demo):
    sign_in(page, live_server.url, COACH)
    page.goto(f"{live_server.url}/exports/")
    # Wait for the answer before reading the database: a click only starts the request.
    with page.expect_navigation():
        page.get_by_role("button", name="Prepare Commitments (CSV)").click()
    (job,) = ExportJob.objects.filter(owner=demo, table="commitments")
    bar = page.get_by_label(f"Preparing {job.download_name}")
    assert bar.is_visible() and bar.evaluate("el => el.tagName") == "PROGRESS"
    assert page.locator(f"#export-job-{job.pk}").get_by_text("Waiting for its turn").is_visible()
    accessible_at_both_widths(page)

    # A second press while it waits starts nothing new.
    with page.expect_navigation():
        page.get_by_role("button", name="Prepare Commitments (CSV)").click()
    assert ExportJob.objects.filter(owner=demo, table="commitments").count() == 1

    run_worker_once()
    job.refresh_from_db()
    assert job.state == ExportState.READY
    # The page asks again every two seconds and swaps the bar for the download link.
    row = f"#export-job-{job.pk}"
    wait_until(page, f"document.querySelector('{row} a[href$=\"/download/\"]') !== null", 15)
    link = page.get_by_role("link", name=f"Download {job.download_name}")
    assert link.is_visible() and page.locator(f"{row} progress").count() == 0
    accessible_at_both_widths(page)

    with page.expect_download() as download:
        link.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = Commitment.objects.filter(client__coach=demo).count()
    assert len(rows) == expected == job.rows_written == job.rows_total
