"""In a real browser, on the demo practice: a coach opens a client's progress and sees the
figures a test works out from the database; the client's portal version holds only what is
shared; an export is downloaded and read back, its CSV and JSON agreeing. axe runs on each
page at desktop and phone widths."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from flowcoach.clients.models import Client
from flowcoach.coaching.models import Commitment
from tests.e2e.test_home_browser import accessible_at_both_widths, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COACH = "dana@demo.flowcoach.test"
CLIENT = "marcus@example.org"


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Client.objects.get(email=CLIENT)


def latest_month_reading(client: Client) -> str:
    """The page's one-line reading, worked out here from the rows themselves."""
    zone = ZoneInfo(client.organisation.time_zone or "UTC")
    by_month: dict = {}
    for created, state in Commitment.objects.filter(client=client).values_list(
        "created_at", "state"
    ):
        month = timezone.localtime(created, zone).date().replace(day=1)
        made, kept = by_month.get(month, (0, 0))
        by_month[month] = (made + 1, kept + (state == "kept"))
    today = timezone.localtime(timezone.now(), zone).date().replace(day=1)
    recent = [m for m in sorted(by_month) if (today.year - m.year) * 12 + today.month - m.month < 6]
    month = recent[-1]
    made, kept = by_month[month]
    return f"Kept {kept} of {made} commitments made in {datetime(2000, month.month, 1):%B}."


def test_it_shows_a_coach_the_progress_the_data_holds_and_the_client_only_theirs(
    live_server, page, demo
):
    sign_in(page, live_server.url, COACH)
    page.goto(f"{live_server.url}/clients/{demo.pk}/progress/")
    assert page.get_by_role("heading", name=f"Progress of {demo.full_name}").is_visible()
    assert page.get_by_text(latest_month_reading(demo)).is_visible()
    assert page.get_by_role("heading", name="Session timing").is_visible()
    assert page.locator("svg.chart").count() >= 2
    accessible_at_both_widths(page)

    # An export, downloaded and read back: the CSV and the JSON say the same.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="commitments (CSV)").click()
    rows = list(
        csv.DictReader(io.StringIO(open(csv_download.value.path(), encoding="utf-8-sig").read()))
    )
    with page.expect_download() as json_download:
        page.get_by_role("link", name="everything (JSON)").click()
    whole = json.loads(open(json_download.value.path(), encoding="utf-8").read())
    assert rows and [r["commitment"] for r in rows] == [
        r["commitment"].lstrip("'") if r["commitment"].startswith("'") else r["commitment"]
        for r in whole["commitments"]
    ]
    assert len(rows) == Commitment.objects.filter(client=demo).count()

    page.context.clear_cookies()
    sign_in(page, live_server.url, CLIENT)
    page.goto(f"{live_server.url}/portal/progress/")
    assert page.get_by_role("heading", name="My progress").is_visible()
    assert page.get_by_text(latest_month_reading(demo)).is_visible()
    # The coach's session timing is not the client's to see.
    assert page.get_by_role("heading", name="Session timing").count() == 0
    accessible_at_both_widths(page)
