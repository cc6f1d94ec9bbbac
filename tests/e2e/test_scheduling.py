"""In a real browser: the coach schedules a session and approves the invitation on the outbox
page; the client's copy reaches a real SMTP server with a calendar file; the client opens the
reschedule link from it and proposes a time; the coach sees the request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from flowcoach.coaching import services
from flowcoach.outbox import dispatch
from flowcoach.programs.services import program_import
from flowcoach.programs.yaml_io import parse_program_yaml
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.test_scheduling import PROGRAM_YAML

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_carries_a_session_from_scheduling_to_the_clients_reschedule_request(
    live_server, page, browser, world, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    program = program_import(data=parse_program_yaml(PROGRAM_YAML), organisation=world.org)
    engagement = services.engagement_enrol(client=world.client, program=program, coach=world.coach)
    session = engagement.sessions.get(sequence=1)
    day = (timezone.now() + timedelta(days=21)).date()

    # The coach signs in and schedules S1 from the track.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(world.coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/home/")
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Schedule it (S1)").click()
    page.wait_for_url(f"{live_server.url}/sessions/{session.pk}/schedule/")
    assert_accessible(page)
    assert page.get_by_label("Time zone").input_value() == "Europe/Paris"
    assert page.get_by_label("Length in minutes").input_value() == "90"
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time", exact=True).fill("09:30")
    page.get_by_label("Video call link").fill("https://video.example.org/room/cliff")
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url(f"{live_server.url}/sessions/{session.pk}/")
    assert page.get_by_text("for Cliff (Europe/Paris)").is_visible()
    assert_accessible(page)

    # The drafted invitation waits on the outbox page; the coach approves it there.
    page.get_by_role("link", name="Session invitation").click()
    page.wait_for_url(re.compile(r"/outbox/\d+/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert_accessible(page)

    # The worker's turn: the client's copy arrives with a calendar file that parses.
    assert dispatch.dispatch_due()["sent"] == 1
    (mail,) = [m for m in smtp_server.messages if m["To"].endswith("<client@harbour.test>")]
    assert mail["Reply-To"] == world.coach.email
    (ics,) = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    session.refresh_from_db()
    assert str(event["UID"]) == session.ics_uid
    assert event.decoded("DTSTART") == session.starts_at
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "09:30 (Europe/Paris)" in text
    (reschedule_link,) = re.findall(r"https?://\S+/s/\S+/reschedule/", text)

    # The client, not signed in, opens the link and proposes a time.
    client_context = browser.new_context()
    client_page = client_context.new_page()
    client_page.set_default_timeout(10_000)
    try:
        client_page.goto(reschedule_link)
        assert_accessible(client_page)
        proposed = (day + timedelta(days=2)).isoformat()
        client_page.get_by_label("A time that suits you").fill(f"{proposed}T14:00")
        client_page.get_by_label("A note for your coach").fill("Thursday afternoons are best")
        client_page.get_by_role("button", name="Send my suggestions").click()
        client_page.get_by_role("heading", name="Your suggestions are on their way").wait_for()
        assert_accessible(client_page)
        # The same link again explains itself and changes nothing.
        response = client_page.goto(reschedule_link)
        assert response.status == 410
        assert client_page.get_by_text("already been used").is_visible()
        assert_accessible(client_page)
    finally:
        client_context.close()

    # The coach sees the request on the session page; the session has not moved.
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    assert page.get_by_role("heading", name="What Cliff said").is_visible()
    assert page.get_by_text("Thursday afternoons are best").is_visible()
    assert page.get_by_text("14:00 for Cliff").first.is_visible()
    assert page.get_by_text("09:30 for Cliff (Europe/Paris)").is_visible()
    assert_accessible(page)

    # The nudge and the calendar pages, reached from the navigation and the session page.
    page.get_by_role("link", name="Sessions", exact=True).click()
    page.get_by_role("link", name="Weekly reminder of who to schedule").click()
    page.get_by_role("heading", name="Clients waiting for a date").wait_for()
    assert_accessible(page)
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    page.get_by_role("link", name="See all your sessions in your own calendar").click()
    feed_url = page.get_by_label("Your private calendar link").input_value()
    assert feed_url.startswith(f"{live_server.url}/calendar/") and feed_url.endswith(".ics")
    assert_accessible(page)
