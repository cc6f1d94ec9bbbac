"""In a real browser: the coach opens the runner from the session page, starts the clock,
types a note, switches F.L.O.W. stage and marks an aha moment with keys, reloads and finds
it all, then types while offline and sees the note saved exactly once when back online."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from flowcoach.coaching.models import CoachingSession, SessionNote
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in
from tests.session_helpers import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session(world) -> CoachingSession:
    engagement = enrol(world)
    session = engagement.sessions.order_by("sequence").first()
    session.status = CoachingSession.Status.SCHEDULED
    session.starts_at = timezone.now() - timedelta(minutes=2)
    session.video_link = "https://video.example.org/room/e2e"
    session.save()
    return session


def test_it_runs_a_session_and_loses_nothing_across_reloads_and_offline(live_server, page, world):
    session = _session(world)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(world.coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/home/")

    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    page.get_by_role("link", name="Open the runner").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/run/$"))
    status = page.locator("#save-status")
    expect(status).to_have_text("Saved")

    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_role("button", name=re.compile("^Pause"))).to_be_visible()

    note = page.get_by_label(re.compile("^Note"))
    note.click()
    note.type("Lights up talking about referrals")
    note.press("Alt+2")  # Learn about, while typing
    note.press("Alt+a")  # an aha moment on this note
    expect(page.get_by_role("button", name=re.compile("Learn about"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(status).to_have_text("Saved", timeout=5_000)

    note.blur()
    page.keyboard.press("?")
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()

    page.reload()
    saved = page.locator("#note-list li", has_text="Lights up talking about referrals")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Learn about")
    expect(saved).to_contain_text("Aha")
    expect(page.get_by_role("button", name=re.compile("^Pause"))).to_be_visible()
    stored = SessionNote.objects.get(session=session)
    assert (stored.flow_stage, stored.marker) == ("learn_about", "aha")
    assert stored.body == "Lights up talking about referrals"

    # The network drops while the coach keeps typing.
    page.context.set_offline(True)
    note.click()
    note.type("Said while the network was down")
    expect(status).to_have_text(re.compile(r"^Offline: 1 change kept on this device"))
    assert SessionNote.objects.filter(body__contains="network was down").count() == 0
    page.context.set_offline(False)
    expect(status).to_have_text("Saved", timeout=8_000)
    assert SessionNote.objects.filter(body="Said while the network was down").count() == 1
    assert SessionNote.objects.filter(session=session).count() == 2

    assert_accessible(page)


def _sign_in(page, live_server, world):
    sign_in(page, live_server.url, world.coach.email)
    page.wait_for_url(f"{live_server.url}/home/")


def _timing(session, *stretches):
    from flowcoach.coaching.runner import services as runner_services

    record = runner_services.record_of(session)
    now = timezone.now()
    record.timing = [
        {
            "segment": segment,
            "started_at": (now - timedelta(minutes=start)).isoformat(),
            "ended_at": None if end is None else (now - timedelta(minutes=end)).isoformat(),
        }
        for segment, start, end in stretches
    ]
    record.started_at = now - timedelta(minutes=stretches[0][1])
    record.save()


def test_it_warns_in_words_at_the_minimum_and_past_the_maximum_then_completes(
    live_server, page, world
):
    from flowcoach.coaching import emails
    from flowcoach.outbox.models import Message

    session = _session(world)
    # Meet and greet (3 minutes at most) has run for 4 minutes.
    _timing(session, (0, 4, None))
    _sign_in(page, live_server, world)
    page.goto(f"{live_server.url}/sessions/{session.pk}/run/")
    expect(page.locator("#segment-clock-box")).to_have_attribute("data-level", "over")
    expect(page.locator("#clock-warning")).to_contain_text("Over time: this segment")

    # The purpose conversation (20 to 25 minutes) at 21 minutes: its minimum is reached.
    _timing(session, (0, 24, 21), (2, 21, None))
    page.reload()
    expect(page.locator("#segment-clock-box")).to_have_attribute("data-level", "near")
    expect(page.locator("#clock-warning")).to_contain_text("reached its planned minimum")
    expect(page.locator("#segment-list li[aria-current=step]")).to_contain_text(
        "Purpose conversation"
    )

    page.get_by_label("Draft with Cliff").fill("I sell so people can decide with confidence.")
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=5_000)
    page.get_by_role("button", name="Complete the session").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/summary/$"))
    expect(page.get_by_role("heading", name=re.compile("^Summary of"))).to_be_visible()
    expect(page.get_by_text("I sell so people can decide with confidence.")).to_be_visible()
    expect(page.locator("svg.timing-chart")).to_be_visible()
    assert Message.objects.filter(key=emails.follow_up_key(session)).exists()
    assert_accessible(page)


def test_it_shows_both_versions_when_two_tabs_edit_one_note(live_server, page, world):
    from flowcoach.coaching.runner import services as runner_services

    session = _session(world)
    runner_services.note_save(session=session, uuid=uuid.uuid4(), body="First thought")
    _sign_in(page, live_server, world)
    url = f"{live_server.url}/sessions/{session.pk}/run/"
    other = page.context.new_page()
    other.goto(url)
    page.goto(url)

    page.get_by_role("button", name="Edit note: First thought").click()
    page.get_by_label(re.compile("^Note")).fill("Edited in the first tab")
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=5_000)

    other.get_by_role("button", name="Edit note: First thought").click()
    other.get_by_label(re.compile("^Note")).fill("Edited in the second tab")
    expect(other.locator("#conflicts")).to_contain_text("Edited in the first tab", timeout=5_000)
    expect(other.locator("#conflicts")).to_contain_text("Edited in the second tab")
    assert SessionNote.objects.get(session=session).body == "Edited in the first tab"
