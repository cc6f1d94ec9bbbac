"""The weekly check-in on a phone (390×844), in a real browser with axe-core on every page:
the client opens the link from a real email caught by the test SMTP server, answers without
signing in, turns a "better" answer into a commitment and marks an old one; then, signed in,
updates a commitment and logs progress; the coach's preparation view and runner review show
it all. A second journey answers from the portal. A screenshot of the check-in page is kept
in docs/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from flowcoach.checkins.models import Checkin
from flowcoach.coaching.models import Commitment
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind
from flowcoach.outbox.worker import run_worker_once
from tests.checkin_helpers import client_commitment, coached, open_week, schedule_at
from tests.e2e.conftest import assert_accessible
from tests.session_helpers import book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _sign_in(page, live_server, user) -> None:
    http = HttpClient()
    http.force_login(user)
    cookie = http.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways at phone width"
    )


def _answer_form(page, commitment_text: str) -> None:
    page.get_by_label("What will you do more of?").fill("Call two lapsed buyers every Monday")
    page.get_by_label("What will you do better?").fill("Prepare my first question before each call")
    page.locator("#commit-better + label").click()
    page.get_by_label("How it went").select_option(label="Partly kept")
    page.get_by_label("A word about it").fill("Three calls out of five")
    page.get_by_role("radiogroup", name="Your energy this week").get_by_text(
        "7", exact=True
    ).click()
    page.get_by_role("radiogroup", name="Who you are, as a person").get_by_text(
        "8", exact=True
    ).click()
    assert commitment_text in page.content()


def test_it_answers_from_the_emailed_link_on_a_phone_and_the_coach_sees_it(
    live_server, browser, page, world, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    settings.FLOWCOACH_CHECKIN_RHYTHM = True
    engagement = coached(world)
    old = client_commitment(engagement)
    outbox.email_settings_update(organisation=world.org, auto_approve_kinds=[Kind.CHECKIN])
    schedule_at(engagement, timezone.now() - timedelta(minutes=3))
    while run_worker_once():
        pass
    (mail,) = smtp_server.messages
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(http\S+/checkins/answer/\S+/)", body).group(1)

    page.set_viewport_size(PHONE)
    page.goto(link)
    page.get_by_role("heading", name="Your weekly check-in").wait_for()
    assert page.get_by_text("Only Cora Coach reads your answers.").is_visible()
    _fits_the_phone(page)
    assert_accessible(page)
    _answer_form(page, old.text)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "checkin-phone.png"), full_page=True)
    page.get_by_role("button", name="Send to my coach").click()
    page.get_by_text("Thank you. Your coach will read this").wait_for()
    assert_accessible(page)

    week = Checkin.objects.get(engagement=engagement)
    assert week.state == Checkin.State.ANSWERED and week.energy == 7
    made = Commitment.objects.get(text="Prepare my first question before each call")
    old.refresh_from_db()
    assert old.state == Commitment.State.PARTLY_KEPT

    # Signed in, the client updates a commitment and logs a day's progress.
    _sign_in(page, live_server, world.client_user)
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("heading", name="This week's check-in").wait_for()
    _fits_the_phone(page)
    assert_accessible(page)
    page.get_by_role("link", name="Update or log progress").click()
    card = page.locator(f"#c-{made.uuid}")
    card.get_by_label("Log progress in one line").fill("Wrote my opening question for four calls")
    card.get_by_role("button", name=re.compile("^Log it")).click()
    page.get_by_text("Logged. Nice work.").wait_for()
    card = page.locator(f"#c-{old.uuid}")
    card.get_by_label(re.compile("How is it going")).select_option(label="Kept")
    card.get_by_label("A word about it").fill("Five out of five this week")
    card.get_by_role("button", name=re.compile("^Save")).click()
    page.get_by_text("Saved. Your coach sees the change.").wait_for()
    _fits_the_phone(page)
    assert_accessible(page)
    old.refresh_from_db()
    assert old.state == Commitment.State.KEPT

    # The coach reads it before and during the next session.
    s2 = book(engagement.sessions.order_by("sequence")[1], days=2)
    coach_page = browser.new_context().new_page()
    _sign_in(coach_page, live_server, world.coach)
    coach_page.goto(f"{live_server.url}/sessions/{s2.pk}/prepare/")
    card = coach_page.get_by_role("region", name="Check-ins since last session")
    card.get_by_text("Call two lapsed buyers every Monday").wait_for()
    assert card.get_by_text("Wrote my opening question for four calls").is_visible()
    assert card.get_by_text("Five out of five this week").first.is_visible()
    assert card.get_by_text("8 of 10").is_visible()
    assert_accessible(coach_page)
    coach_page.goto(f"{live_server.url}/sessions/{s2.pk}/run/")
    review = coach_page.get_by_role("region", name="Check-ins since last session")
    assert review.get_by_text("Prepare my first question before each call").first.is_visible()
    coach_page.context.close()


def test_it_answers_from_the_portal_on_a_phone(live_server, page, world):
    engagement = coached(world)
    old = client_commitment(engagement)
    week = open_week(engagement)
    _sign_in(page, live_server, world.client_user)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="Answer this week's check-in").click()
    page.get_by_role("heading", name="Your weekly check-in").wait_for()
    _fits_the_phone(page)
    # Sending without an energy keeps what was typed and says what is missing.
    page.get_by_label("What will you do more of?").fill("Ask for referrals")
    page.get_by_role("button", name="Send to my coach").click()
    page.get_by_role("alert").get_by_text("Choose your energy this week").wait_for()
    assert page.get_by_label("What will you do more of?").input_value() == "Ask for referrals"
    assert_accessible(page)
    _answer_form(page, old.text)
    page.get_by_role("button", name="Send to my coach").click()
    page.get_by_text("Thank you. Your coach will read this").wait_for()
    assert_accessible(page)
    week.refresh_from_db()
    assert (
        week.state == Checkin.State.ANSWERED and week.more == "Call two lapsed buyers every Monday"
    )
