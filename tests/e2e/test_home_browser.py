"""In a real browser, on the demo practice: a coach lands on Home, reaches today's session in
one click, approves a draft from Home and opens a quiet client's timeline; an admin lands on
the overview, which carries none of the privacy proof's markers. axe runs on every new page
at desktop and phone widths."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from flowcoach.coaching.models import CoachingSession, SessionRecord
from flowcoach.demo import data as demo_data
from flowcoach.outbox.models import Message, State
from tests.e2e.conftest import assert_accessible
from tests.test_privacy_proof import LEAK, secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COACH = "dana@demo.flowcoach.test"
ADMIN = demo_data.ADMIN["email"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def accessible_at_both_widths(page) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert_accessible(page)
        # Phones never scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    # The privacy proof's markers, planted in coaching content of the demo: the coach's own
    # summary of a held session, and a draft's subject.
    held = (
        CoachingSession.objects.filter(engagement__client__email="lena@example.org", status="held")
        .order_by("-starts_at")
        .first()
    )
    SessionRecord.objects.filter(session=held).update(coach_summary=secret("summary"))
    draft = Message.objects.filter(owner__email=COACH, state=State.DRAFT).order_by("pk").last()
    Message.objects.filter(pk=draft.pk).update(subject=secret("subject"))


def test_it_takes_a_coach_from_home_to_the_days_work(live_server, page, demo):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, COACH)
    page.wait_for_url(f"{base}/home/")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Home", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    accessible_at_both_widths(page)

    # Today's session, one click away.
    today = CoachingSession.objects.get(
        engagement__client__email="marcus@example.org",
        engagement__program__slug="best-seller",
        status="scheduled",
        code="S3",
    )
    page.locator(".home-today").get_by_role("link", name=re.compile(r"^Prepare")).first.click()
    page.wait_for_url(f"{base}/sessions/{today.pk}/prepare/")
    page.go_back()
    page.wait_for_url(f"{base}/home/")

    # A draft approved from Home.
    drafts = page.locator('input[name="message"]')
    first = drafts.first
    message_id = int(first.get_attribute("value"))
    first.check()
    page.get_by_role("button", name="Approve the ticked emails").click()
    page.wait_for_url(f"{base}/home/")
    expect(page.get_by_text("Approved 1 email.")).to_be_visible()
    assert Message.objects.get(pk=message_id).state in (State.APPROVED, State.QUEUED)
    assert_accessible(page)

    # A quiet client's timeline, with the coach's own summary marked as theirs.
    page.get_by_role("link", name="See the timeline of Lena Fischer").click()
    page.wait_for_url(re.compile(r"/clients/\d+/#timeline$"))
    timeline = page.locator("#timeline")
    expect(timeline.get_by_role("heading", name="Timeline")).to_be_visible()
    marker = timeline.locator(".story-part.coach-only", has_text=secret("summary"))
    expect(marker).to_be_visible()
    expect(marker.locator(".visibility.private")).to_have_text("Only you")
    accessible_at_both_widths(page)

    # Filtered by kind: only sessions.
    timeline.get_by_label("Sessions").check()
    timeline.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"\?kind=session#timeline$"))
    expect(page.locator(".story-entry.kind-email")).to_have_count(0)
    expect(page.locator(".story-entry.kind-session").first).to_be_visible()

    # The client list and Sessions, from the navigation.
    page.get_by_role("link", name="Clients", exact=True).click()
    page.wait_for_url(f"{base}/clients/")
    expect(page.get_by_text("Quiet for").first).to_be_visible()
    accessible_at_both_widths(page)
    page.get_by_role("link", name="Sessions", exact=True).click()
    page.wait_for_url(f"{base}/sessions/")
    accessible_at_both_widths(page)
    page.get_by_role("link", name="To schedule", exact=True).click()
    page.wait_for_url(re.compile(r"/sessions/\?show=to_schedule"))
    expect(page.get_by_role("link", name="Lena Fischer").first).to_be_visible()
    accessible_at_both_widths(page)


def test_it_shows_an_admin_numbers_and_no_coaching_content(live_server, page, demo):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, ADMIN)
    page.wait_for_url(f"{base}/overview/")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="Dana Whitfield")).to_be_visible()
    accessible_at_both_widths(page)
    html = page.content()
    assert not LEAK.search(html)
    for client in demo_data.CLIENTS:
        assert client["full_name"] not in html
