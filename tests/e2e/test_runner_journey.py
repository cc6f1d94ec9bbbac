"""The demo, end to end, as a coach would live it: from the sign-in page with the demo data
loaded, to today's S1 with Nadia through visible links only, its preparation view, the
runner with a clock the test controls, notes, commitments, outcomes and the purpose
statement, then the summary, both exports and the follow-up draft in the outbox.

In the runner only the shortcuts listed on its `?` panel are used (read from the panel, so
the test presses what a coach would read), plus the labelled fields a coach types in."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from flowcoach.coaching.models import CoachingSession, Commitment, SessionNote
from flowcoach.demo import data as demo_data
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COACH = "aisha@demo.flowcoach.test"  # Nadia's coach in the demo
CLIENT = "Nadia Ferreira"

# What the coach writes, each in its own words so every check below is unambiguous.
GREETING = "Arrived keen after a strong week of calls"
SCENE = "Agreed to keep the purpose talk practical"
ENERGY = "Lights up describing how she maps a messy account"
AHA = "Being useful to one buyer matters more than the size of the deal"
OWN = "Holds back from asking for the business when the map is unfinished"
WORK = "Will open each day with the three calls that matter most"
PURPOSE = "I sell so each buyer can choose with confidence."
CLIENT_COMMITMENT = "Call three past customers before Friday"
COACH_COMMITMENT = "Send a short note of encouragement on Wednesday"
HELPFUL = "Seeing her own pattern written down"
SUMMARY = "A focused first session; the purpose is close to final."


class SharedClock:
    """Playwright's clock in the browser and the server's clock, moved together.

    The runner trusts the server's time over the device's (it clamps clock events to its
    own now), as it should; so for a 55-minute session to pass in seconds both clocks move
    by the same amount, the server's first so it is never behind the browser. The browser's
    time stands still between moves (`set_fixed_time`) while its timers keep running, so
    autosave, the page's one-second redraw and axe work as usual and the clock shows exactly
    the minute the test asks for: an amber minute cannot slip into red under a slow machine."""

    def __init__(self, page, monkeypatch):
        self.page = page
        self.shift = timedelta(0)
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.shift)
        self.now = datetime.now(UTC).replace(microsecond=0)
        page.clock.install(time=self.now)
        page.clock.set_fixed_time(self.now)

    def forward(self, seconds: float) -> None:
        self.shift += timedelta(seconds=seconds)
        self.now += timedelta(seconds=seconds)
        self.page.clock.set_fixed_time(self.now)


KEY_WORDS = {"Ctrl": "Control", "⌘": "Meta", "Esc": "Escape"}


class Shortcuts:
    """The runner's shortcuts as its `?` panel lists them, pressed by what they say."""

    def __init__(self, page):
        self.page = page
        button = page.get_by_role("button", name=re.compile("^Shortcuts"))
        button.click()
        panel = page.locator("#shortcuts")
        expect(panel).to_be_visible()
        assert_accessible(page)
        rows = panel.locator("dd").evaluate_all(
            "items => items.map(dd => [dd.previousElementSibling.innerText, dd.innerText])"
        )
        self.keys = {}
        for keys, label in rows:
            first = keys.split(" or ")[0].strip()
            self.keys[label.strip()] = "+".join(KEY_WORDS.get(k, k) for k in first.split("+"))
        # The list is a dialog over the page: its own button closes it.
        panel.get_by_role("button", name="Close").click()
        expect(panel).to_be_hidden()

    def key(self, label: str) -> str:
        found = [key for text, key in self.keys.items() if re.search(label, text)]
        assert len(found) == 1, f"{label!r} should match one listed shortcut: {self.keys}"
        return found[0]

    def press(self, label: str) -> None:
        self.page.keyboard.press(self.key(label))


def _go(page, name, role="link") -> None:
    page.get_by_role(role, name=name).first.click()
    page.wait_for_load_state("load")
    assert_accessible(page)


def _order(text: str, *parts: str) -> None:
    """Each part appears in the text, each after the one before."""
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        assert found > at, f"{part!r} should follow in:\n{text}"
        at = found


def test_it_runs_todays_demo_session_from_the_sign_in_page_to_its_summary(
    live_server, page, monkeypatch
):
    call_command("seed_demo", stdout=io.StringIO())
    session = CoachingSession.objects.get(
        engagement__client__email="nadia@example.org",
        engagement__program__slug="best-seller",
        sequence=1,
    )
    segments = session.template_version.segments
    clock = SharedClock(page, monkeypatch)
    base = live_server.url

    # --- signing in and finding today's session, by what the pages show -----------------------
    page.goto(f"{base}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(COACH)
    page.get_by_label("Password").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/home/")
    assert_accessible(page)
    _go(page, CLIENT)
    _go(page, "Programs and sessions")
    _go(page, "Best Seller sales track")
    _go(page, re.compile(r"^S1 ·"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("S1")

    # --- preparing: the last session and the open commitments ---------------------------------
    _go(page, re.compile("^Prepar"))
    previous = (
        CoachingSession.objects.filter(
            engagement__client=session.engagement.client, status=CoachingSession.Status.HELD
        )
        .order_by("-starts_at")
        .first()
    )
    main = page.locator("main")
    expect(main).to_contain_text(previous.title)
    open_commitments = Commitment.objects.filter(
        client=session.engagement.client, state=Commitment.State.OPEN
    )
    assert open_commitments.exists(), "the demo should leave commitments to review"
    for commitment in open_commitments:
        expect(main).to_contain_text(commitment.text)

    _go(page, "Open the runner")
    status = page.locator("#save-status")
    expect(status).to_have_text("Saved")
    keys = Shortcuts(page)

    def settle() -> None:
        expect(status).to_have_text("Saved", timeout=5_000)

    def write(text: str, *marks: str) -> None:
        """A note: go to the field, type, mark it, save it and step out, all by keys."""
        keys.press("^Go to the note field")
        page.keyboard.type(text)
        keys.press("^Step out")
        for mark in marks:
            keys.press(mark)
        keys.press("^Go to the note field")
        keys.press("^Save the note")
        keys.press("^Step out")
        settle()

    def segment_times(index: int) -> None:
        """Runs the clock to the segment's minimum (amber) and past its maximum (red)."""
        low, high = segments[index]["minutes_min"], segments[index]["minutes_max"]
        expect(page.locator("#segment-clock-box")).to_have_attribute("data-level", "ok")
        clock.forward(low * 60)
        box = page.locator("#segment-clock-box")
        expect(box).to_have_attribute("data-level", "near")
        expect(page.locator("#clock-warning")).to_contain_text("reached its planned minimum")
        clock.forward((high - low) * 60 + 1)
        expect(box).to_have_attribute("data-level", "over")
        expect(page.locator("#clock-warning")).to_contain_text(
            f"this segment has passed its {high} planned minutes"
        )

    def next_segment(index: int) -> None:
        keys.press("^Next segment")
        expect(page.locator("#segment-list li[aria-current=step]")).to_contain_text(
            segments[index]["name"]
        )
        expect(page.locator("#segment-clock")).to_have_text("0:00")
        expect(status).to_have_text("Saved", timeout=5_000)

    # --- running S1 --------------------------------------------------------------------------
    assert [s["name"] for s in segments][:2] == ["Meet and greet", "Setting the scene"]
    keys.press("^Start the session")
    expect(page.get_by_role("button", name=re.compile("^Pause"))).to_be_visible()
    expect(status).to_have_text("Saved", timeout=5_000)

    keys.press("Stage: Find out")
    write(GREETING)
    segment_times(0)

    next_segment(1)
    write(SCENE, "^Share the note")
    segment_times(1)

    next_segment(2)  # the purpose conversation
    keys.press("Stage: Learn about")
    write(ENERGY, "^Mark an energy moment", "^Share the note")
    write(AHA, "^Mark an aha moment")
    keys.press("^Go to the purpose statement")
    page.keyboard.type(PURPOSE)
    keys.press("^Step out")
    settle()
    segment_times(2)

    next_segment(3)  # current reality and F.L.O.W.
    keys.press("Stage: Own")
    write(OWN)
    keys.press("Stage: Work it")
    # At Work it the session's energy and aha moments come back: they point to the actions.
    moments = page.locator("#moments-again")
    expect(moments).to_be_visible()
    expect(moments).to_contain_text(ENERGY)
    expect(moments).to_contain_text(AHA)
    write(WORK, "^Share the note")
    segment_times(3)
    # The whole session has passed nine tenths of its plan.
    expect(page.locator("#session-clock-box")).to_have_attribute("data-level", "near")

    next_segment(4)  # the wrap
    keys.press("^Write a new commitment")
    page.keyboard.type(CLIENT_COMMITMENT)
    keys.press("^In the commitment form")
    keys.press("^Write a new commitment")
    page.keyboard.type(COACH_COMMITMENT)
    page.get_by_label("Whose").select_option(label="Yours (encouragement and accountability)")
    keys.press("^In the commitment form")
    keys.press("^Step out")
    outcomes = session.template_version.outcomes
    marks = ["Met", "Partly met", "Not yet"]
    for index, outcome in enumerate(outcomes):
        keys.press("^Go to the next outcome")
        expect(page.get_by_label(outcome)).to_be_focused()
        page.get_by_label(outcome).select_option(label=marks[index % 3])
        keys.press("^Step out")
    keys.press("^Go to the wrap")
    page.keyboard.type(HELPFUL)
    page.get_by_label("Your short summary").fill(SUMMARY)
    keys.press("^Step out")
    settle()
    segment_times(4)
    # Past the session's planned length: the whole session is over time, in words too.
    expect(page.locator("#session-clock-box")).to_have_attribute("data-level", "over")
    expect(page.locator("#clock-warning")).to_contain_text(
        f"the session has passed its {session.duration_minutes} planned minutes"
    )
    assert_accessible(page)

    # What the database holds: each note with its segment, stage, marker and visibility.
    stored = {
        note.body: (note.segment, note.flow_stage, note.marker, note.visibility)
        for note in SessionNote.objects.filter(session=session, deleted_at=None)
    }
    shared, coach_only = "shared_with_client", "coach_only"
    assert stored == {
        GREETING: (0, "find_out", "", coach_only),
        SCENE: (1, "find_out", "", shared),
        ENERGY: (2, "learn_about", "energy", shared),
        AHA: (2, "learn_about", "aha", coach_only),
        OWN: (3, "own", "", coach_only),
        WORK: (3, "work_it", "", shared),
    }

    keys.press("^Complete the session")
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/summary/$"))
    assert_accessible(page)

    # --- the summary: notes grouped by segment, then stage --------------------------------------
    notes = page.locator("section", has=page.get_by_role("heading", name="Notes", exact=True))
    notes_text = notes.inner_text()
    _order(notes_text, segments[0]["name"], "Find out", GREETING)
    _order(notes_text, segments[1]["name"], "Find out", SCENE)
    _order(notes_text, segments[2]["name"], "Learn about", ENERGY)
    _order(notes_text, segments[3]["name"], "Own", OWN, "Work it", WORK)
    everything = page.locator("main").inner_text()
    for text in (PURPOSE, CLIENT_COMMITMENT, COACH_COMMITMENT, HELPFUL, SUMMARY, AHA):
        assert text in everything, text
    for index, outcome in enumerate(outcomes):
        assert f"{marks[index % 3]}: {outcome}" in everything, outcome
    expect(page.locator("svg.timing-chart")).to_be_visible()

    # --- the exports ---------------------------------------------------------------------------
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Markdown")).click()
    markdown = Path(download.value.path()).read_text()
    _order(markdown, segments[0]["name"], GREETING, segments[2]["name"], ENERGY, AHA)
    for text in (PURPOSE, CLIENT_COMMITMENT, COACH_COMMITMENT, WORK, SUMMARY):
        assert text in markdown, text

    from pypdf import PdfReader

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PDF")).first.click()
    reader = PdfReader(download.value.path())
    pdf = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for text in (PURPOSE, GREETING, ENERGY, CLIENT_COMMITMENT, COACH_COMMITMENT):
        assert text in pdf, text

    # --- the follow-up draft in the outbox --------------------------------------------------
    _go(page, "Outbox")
    draft = page.get_by_role("row").filter(has_text="Follow-up").filter(has_text=CLIENT)
    draft = draft.filter(has_text="Draft")
    expect(draft).to_have_count(1)
    draft.get_by_role("link").first.click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    email = page.locator("main").inner_text() + "\n".join(
        page.locator("main textarea, main input[type=text]").evaluate_all(
            "fields => fields.map(f => f.value)"
        )
    )
    for text in (SCENE, ENERGY, WORK, CLIENT_COMMITMENT, COACH_COMMITMENT):
        assert text in email, text
    for text in (GREETING, AHA, OWN, SUMMARY):
        assert text not in email, f"coach-only {text!r} reached the email"
