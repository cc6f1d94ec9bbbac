"""In a real browser, the coach's transcript journey: upload on the session page, say who is
who, read the report, turn a heard commitment into a real one; and the client withdrawing
consent from the portal. axe checks every page on the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowcoach.coaching.models import Commitment
from flowcoach.transcripts.models import Transcript
from tests.e2e.conftest import assert_accessible, sign_in
from tests.session_helpers import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).parent.parent / "fixtures" / "transcripts" / "T3.teams.vtt"


def test_it_uploads_a_transcript_maps_speakers_and_shows_the_report(live_server, page, world):
    session = enrol(world).sessions.order_by("sequence").first()
    sign_in(page, live_server.url, world.coach.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    page.get_by_role("link", name="Upload a transcript").click()
    assert_accessible(page)

    # Without the consent box ticked, nothing is stored and the page says why.
    page.get_by_label("Transcript file").set_input_files(str(FIXTURE))
    page.get_by_role("button", name="Upload and read it").click()
    page.get_by_role("alert").get_by_text("client agreed").wait_for()
    assert not Transcript.objects.exists()
    assert_accessible(page)

    page.get_by_label("Transcript file").set_input_files(str(FIXTURE))
    page.get_by_label("My client agreed").check()
    page.get_by_role("button", name="Upload and read it").click()
    page.get_by_role("heading", name="Who is who in this transcript?").wait_for()
    assert_accessible(page)
    aisha = page.get_by_role("group", name="Aisha Karimova")
    tom = page.get_by_role("group", name="Tom Brennan")
    # The one who asks is guessed to be the coach; the coach confirms with the keyboard.
    assert aisha.get_by_label("Coach").is_checked()
    tom.get_by_label("Client").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Show the report").click()

    page.get_by_role("heading", name="Coaching report").wait_for()
    assert page.get_by_role("region", name="The figures").get_by_text("30%").is_visible()
    assert page.get_by_text("within the usual coaching range").is_visible()
    assert page.locator("svg.speech-timeline rect").count() > 100
    coverage = page.get_by_role("region", name="What the conversation covered")
    assert coverage.locator("li", has_text="Identity and role").get_by_text("covered").is_visible()
    assert_accessible(page)

    heard = page.get_by_role("region", name="Commitments heard")
    heard.get_by_role("button", name="Make it a commitment").first.click()
    page.get_by_text("Added to the session's commitments.").wait_for()
    assert Commitment.objects.get(session=session).text.startswith("Asking on every call")

    page.get_by_role("link", name="See your trends").click()
    page.get_by_role("heading", name="Your coaching, session by session").wait_for()
    assert_accessible(page)


def test_it_lets_the_client_withdraw_consent_from_the_portal(live_server, page, world):
    from flowcoach.transcripts import services

    session = enrol(world).sessions.order_by("sequence").first()
    transcript = services.transcript_import(
        session=session,
        coach=world.coach,
        data=FIXTURE.read_bytes(),
        filename="T3.teams.vtt",
        consent=True,
    )
    sign_in(page, live_server.url, world.client_user.email)
    page.wait_for_url(f"{live_server.url}/portal/")
    page.get_by_role("link", name="See them or withdraw consent").click()
    assert_accessible(page)
    page.get_by_text("Withdraw consent…").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.get_by_text("Consent withdrawn.").wait_for()
    assert not Transcript.objects.filter(pk=transcript.pk).exists()
    assert_accessible(page)
