"""A practice's first week from an empty install, in a real browser and as the README and
docs/programs.md tell it: set-up, invite a coach, import clients, fill and share a profile,
import the docs' own program, enrol, approve, invite the client who signs in by code alone,
run and complete the first session on another day than its booking, and find the follow-up
dated from the day it ran and the stale preparation email withdrawn. Kept walked as the
product grows."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from flowcoach.accounts.models import Organisation
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "programs.md"
CSV = (
    "full_name,email,company,job_title,phone,time_zone,coach_email\n"
    "Maya Lind,maya@lind.test,Lind Tools,Account executive,,Europe/Stockholm,\n"
    "Jonas Berg,jonas@berg.test,Berg AB,Sales lead,,Europe/Stockholm,\n"
)
ZONE = "Europe/Stockholm"


def _code(mailbox) -> str:
    body = mailbox.messages[-1].get_body(preferencelist=("plain",)).get_content()
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)


def test_it_walks_a_first_week_from_an_empty_install(
    live_server, browser, smtp_server, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    base = live_server.url
    context = browser.new_context(timezone_id=ZONE)
    page = context.new_page()
    page.set_default_timeout(20_000)

    # Set-up: the first visitor creates the organisation, starting from their own zone.
    page.goto(base, timeout=60_000)
    page.wait_for_url(f"{base}/setup/")
    assert page.get_by_label("Time zone").input_value() == ZONE
    assert_accessible(page)
    page.get_by_label("Organisation name").fill("Lind Coaching")
    page.get_by_label("Your name").fill("Lena Lind")
    page.get_by_label("Your email").fill("lena@lindcoaching.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my organisation").click()
    page.wait_for_url(re.compile(r"/clients/new/"))
    organisation = Organisation.objects.get()
    assert organisation.time_zone == ZONE

    # She invites a second coach; the invitation goes at once and the outbox lists it.
    page.get_by_role("link", name="People").click()
    invite = page.locator("form", has=page.get_by_role("button", name="Send invitation"))
    invite.get_by_label("Name").fill("Nils Coach")
    invite.get_by_label("Email").fill("nils@lindcoaching.test")
    invite.get_by_label("Role").select_option("coach")
    invite.get_by_role("button", name="Send invitation").click()
    page.get_by_text("sent just now").wait_for()
    team = page.locator("section", has=page.get_by_role("heading", name="Coaches and admins"))
    assert team.locator("tbody tr").count() == 1  # one person, though admin and coach
    assert team.get_by_text("Admin and coach").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Outbox").click()
    sent = page.locator("#group-sent").locator("..")
    assert sent.get_by_text("Invitation to join").is_visible()

    # She imports her clients: she is the default coach, as the page's instructions expect.
    page.goto(f"{base}/clients/import/")
    coach_select = page.get_by_label("Coach for rows without a coach_email")
    assert coach_select.locator("option:checked").inner_text().startswith("Lena Lind")
    csv_file = tmp_path / "clients.csv"
    csv_file.write_text(CSV)
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    assert_accessible(page)
    page.get_by_role("button", name="Import 2 clients").click()
    page.get_by_text("Imported 2 clients.").wait_for()
    maya = Client.objects.get(email="maya@lind.test")
    assert maya.time_zone == ZONE

    # Maya's profile: a theme from the starter catalog and one it lacks, on the first save.
    page.goto(f"{base}/clients/{maya.pk}/profile/edit/")
    page.locator("#id_themes-0-theme").select_option(label="Helping someone else succeed (People)")
    page.locator("#id_themes-0-score").fill("9")
    page.locator("#id_themes-0-rank").fill("1")
    page.locator("#id_themes-1-new_theme").fill("Opening new markets")
    page.locator("#id_themes-1-score").fill("8")
    page.locator("#id_themes-1-rank").fill("2")
    page.locator("#id_profile-shadow_side").fill("Rushes past the quiet buyers.")
    assert_accessible(page)
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Maya's profile is saved.").wait_for()
    assert page.get_by_text("Opening new markets").first.is_visible()
    assert page.get_by_text("Only you").first.is_visible()
    page.get_by_role("button", name="Share these with Maya").click()
    page.get_by_text("Shared with Maya.").wait_for()
    assert_accessible(page)

    # The program from docs/programs.md, imported on the page as written there.
    example = re.search(r"```yaml\n(.*?)```", DOCS.read_text("utf-8"), re.S).group(1)
    program_file = tmp_path / "quick-start.yaml"
    program_file.write_text(example)
    page.goto(f"{base}/programs/import/")
    page.get_by_label("Program file (YAML)").set_input_files(str(program_file))
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported as your private draft").wait_for()
    page.get_by_role("button", name="Publish to my organisation").click()
    page.get_by_text("Published").first.wait_for()
    assert_accessible(page)

    # She enrols Maya, with the video link set once, and books Q1 nine days ahead.
    page.goto(f"{base}/clients/{maya.pk}/enrol/")
    page.get_by_label("Program", exact=True).select_option(label="Quick start")
    page.get_by_label("Video call link").fill("https://meet.example.org/maya")
    page.get_by_role("button", name="Enrol Maya").click()
    page.get_by_role("link", name=re.compile("Schedule it")).first.click()
    assert page.get_by_label("Video call link").input_value() == "https://meet.example.org/maya"
    booked_day = (timezone.now().astimezone(ZoneInfo(ZONE)) + timedelta(days=9)).date()
    page.get_by_label("Date").fill(booked_day.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_role("button", name="Schedule").click()
    page.get_by_text("Scheduled.").wait_for()
    session = CoachingSession.objects.get(engagement__client=maya, code="Q1")

    # She approves the invitation from the outbox.
    page.get_by_role("link", name="Outbox").click()
    page.locator("#group-waiting").locator("..").get_by_role(
        "link", name=re.compile("Getting to know you")
    ).first.click()
    if page.get_by_role("button", name="Approve").count():
        page.get_by_role("button", name="Approve").click()
    assert_accessible(page)

    # Maya is invited to her portal and gets in with an emailed code alone.
    page.goto(f"{base}/clients/{maya.pk}/")
    page.get_by_role("button", name=re.compile("Invite to their portal")).click()
    page.get_by_text(re.compile("Invited on")).wait_for()
    client_context = browser.new_context(timezone_id=ZONE)
    client = client_context.new_page()
    client.goto(f"{base}/accounts/login/")
    client.get_by_role("link", name="Email me a sign-in code").click()
    client.get_by_label("Email").fill("maya@lind.test")
    client.get_by_role("button", name=re.compile("code", re.I)).click()
    client.wait_for_url(f"{base}/accounts/login/code/confirm/")
    client.get_by_label("Code").fill(_code(smtp_server))
    client.get_by_role("button", name="Confirm").click()
    client.wait_for_url(f"{base}/portal/")
    # Shared in one step, so it is on her page (in a section she can open).
    assert "Rushes past the quiet buyers." in client.content()
    assert_accessible(client)

    # Q1 is run today, nine days before its booking: the runner says so; she runs it anyway.
    page.goto(f"{base}/sessions/{session.pk}/run/")
    page.get_by_text("This session is booked for").wait_for()
    assert page.get_by_role("button", name="Move the booking to now").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the session").click()
    page.get_by_role("button", name="Pause").wait_for()
    page.get_by_role("button", name="Complete the session").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/summary/"))
    today = timezone.now().astimezone(ZoneInfo(ZONE)).date()

    # The follow-up counts from today, and the preparation email is withdrawn with a reason.
    page.get_by_role("link", name="Outbox").click()
    waiting = page.locator("#group-waiting").locator("..")
    follow_up = waiting.locator("tr", has=page.get_by_text("Follow-up"))
    tomorrow = today + timedelta(days=1)
    assert f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b}" in follow_up.inner_text()
    cancelled = page.locator("#group-cancelled").locator("..")
    preparation = cancelled.locator("tr", has=page.get_by_text("Preparation email"))
    assert f"the session was held on {today:%A} {today.day}" in preparation.inner_text()
    assert_accessible(page)

    # Maya's portal lists Q1 under the day it ran.
    client.reload()
    assert f"{today.day} {today:%B %Y}" in client.content()
    client_context.close()
    context.close()
