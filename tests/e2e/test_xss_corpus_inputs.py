"""The XSS corpus (tests/e2e/test_xss_corpus.py) through the inputs it did not reach yet:
check-in answers, commitment comments and progress logs, the client CSV import and the
catalog import. Each is typed the way its author types it (services for the check-in, the
upload forms in the browser for the files), then every page that shows it is opened in
Chromium: any dialog, live handler, script URL or CSP violation fails the test."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from flowcoach.checkins import services as checkins
from flowcoach.checkins.services import CommitmentAnswer
from flowcoach.clients.models import Client, ThemeCatalog
from tests.checkin_helpers import client_commitment, coached, open_week
from tests.e2e.test_profile_browser import sign_in
from tests.e2e.test_xss_corpus import LIVE_CODE_CHECK, PAYLOADS
from tests.session_helpers import book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Text a person types on one line cannot hold control characters (the text policy refuses
# them before anything is stored), so files carry the payloads that can reach a page.
ONE_LINE = [p for p in PAYLOADS if not any(ord(c) < 32 for c in p)]


def _open_and_check(page, live_server, path: str) -> None:
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200, f"{path}: {response.status}"
    page.wait_for_timeout(150)  # let any handler that would fire, fire
    assert page.evaluate(LIVE_CODE_CHECK) == [], path


def _watch_dialogs(page) -> list[str]:
    page.set_default_timeout(60_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def test_it_runs_no_script_from_check_in_answers_comments_or_progress(world, live_server, page):
    engagement = coached(world, held_days_ago=10)
    week = open_week(engagement)
    commitment = client_commitment(engagement)
    joined = " ".join(ONE_LINE)
    checkins.checkin_answer(
        checkin=week,
        more=joined,
        better=joined,
        different=joined,
        note=joined,
        energy=6,
        commitments=[CommitmentAnswer(commitment=commitment, state="missed", comment=joined)],
    )
    today = timezone.now().date()
    for n, payload in enumerate(ONE_LINE):
        checkins.progress_log_add(
            commitment=commitment,
            uuid=uuid.uuid4(),
            day=today - timedelta(days=n % 5),
            text=payload,
        )
    s2 = book(engagement.sessions.order_by("sequence")[1], days=2)
    dialogs = _watch_dialogs(page)
    sign_in(page, live_server, world.coach)
    for path in (
        reverse("runner_prepare", args=[s2.pk]),
        reverse("client_detail", args=[world.client.pk]),
        reverse("coach_home"),
        reverse("client_progress", args=[world.client.pk]),
        reverse("engagement_checkins", args=[engagement.pk]),
    ):
        _open_and_check(page, live_server, path)
    page.context.clear_cookies()
    sign_in(page, live_server, world.client_user)
    for path in (
        reverse("portal"),
        reverse("portal_checkin", args=[week.pk]),
        reverse("portal_commitments"),
        reverse("portal_progress"),
    ):
        _open_and_check(page, live_server, path)
    assert dialogs == []
    # The answers are on the coach's preparation page, as text.
    page.context.clear_cookies()
    sign_in(page, live_server, world.coach)
    page.goto(live_server.url + reverse("runner_prepare", args=[s2.pk]))
    assert "<script>alert(1)</script>" in page.text_content("main")


def _csv_of(payloads: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["full_name", "email", "company", "job_title"])
    for n, payload in enumerate(payloads):
        writer.writerow([payload[:150], f"csv{n}@harbour.test", payload[:150], payload[:150]])
    return out.getvalue().encode()


def test_it_runs_no_script_from_a_client_csv_in_its_preview_or_the_list(
    world, live_server, page, tmp_path
):
    dialogs = _watch_dialogs(page)
    sign_in(page, live_server, world.coach)
    _open_and_check(page, live_server, reverse("client_import"))
    path = tmp_path / "clients.csv"
    path.write_bytes(_csv_of(ONE_LINE))
    page.set_input_files("input[type=file]", str(path))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    page.wait_for_timeout(150)
    assert page.evaluate(LIVE_CODE_CHECK) == [], "preview"
    assert "<script>alert(1)</script>" in page.text_content("main")
    page.locator("input[name=payload]").locator("xpath=..").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Client.objects.filter(email__startswith="csv").count() == len(ONE_LINE)
    _open_and_check(page, live_server, reverse("client_list"))
    _open_and_check(
        page,
        live_server,
        reverse("client_detail", args=[Client.objects.get(email="csv0@harbour.test").pk]),
    )
    assert dialogs == []


def test_it_runs_no_script_from_an_imported_catalog(world, live_server, page, tmp_path):
    data = {
        "key": "xss-corpus",
        "name": "Corpus catalog",
        "description": "\n".join(ONE_LINE),
        "groups": [
            {"name": f"{n} {payload}"[:80], "themes": [f"{n} {payload}"[:80]]}
            for n, payload in enumerate(ONE_LINE)
        ],
    }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    dialogs = _watch_dialogs(page)
    sign_in(page, live_server, world.admin)
    _open_and_check(page, live_server, reverse("catalog_list"))
    page.set_input_files("input[type=file]", str(path))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    catalog = ThemeCatalog.objects.get(organisation=world.org, key="xss-corpus")
    assert catalog.themes.count() == len(ONE_LINE)
    for user in (world.admin, world.coach):
        page.context.clear_cookies()
        sign_in(page, live_server, user)
        _open_and_check(page, live_server, reverse("catalog_list"))
        _open_and_check(page, live_server, reverse("catalog_detail", args=[catalog.pk]))
        assert "<script>alert(1)</script>" in page.text_content("main")
    assert dialogs == []
