"""In a real browser, keyboard only: every shortcut listed on `?` is pressed and its effect
checked, and every runner control carries a listed shortcut. Along the way: notes show as
sanitised Markdown rendered by the server, commitments are added, edited and deleted, the
worksheet's adjustments become commitments in one action, and clashes between two versions
are settled with keys."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from flowcoach.coaching.models import CoachingSession, Commitment, SessionNote
from flowcoach.coaching.runner import services as runner_services
from tests.e2e.conftest import assert_accessible, sign_in
from tests.session_helpers import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _second_session(world) -> tuple[CoachingSession, CoachingSession]:
    """S1 held, with a commitment to review; S2 about to start."""
    engagement = enrol(world)
    first, second = engagement.sessions.order_by("sequence")[:2]
    first.status = CoachingSession.Status.HELD
    first.starts_at = timezone.now() - timedelta(days=7)
    first.save()
    second.status = CoachingSession.Status.SCHEDULED
    second.starts_at = timezone.now() - timedelta(minutes=1)
    second.video_link = "https://video.example.org/room/keys"
    second.save()
    return first, second


def _open_runner(page, live_server, world, session):
    sign_in(page, live_server.url, world.coach.email)
    page.wait_for_url(f"{live_server.url}/home/")
    page.goto(f"{live_server.url}/sessions/{session.pk}/run/")
    expect(page.locator("#save-status")).to_have_text("Saved")


def _saved(page):
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=8_000)


def test_it_answers_every_listed_shortcut_and_lists_one_for_every_control(live_server, page, world):
    first, session = _second_session(world)
    runner_services.commitment_save(session=first, uuid=uuid.uuid4(), text="Call two old clients")
    first_note = runner_services.note_save(session=session, uuid=uuid.uuid4(), body="First thought")
    _open_runner(page, live_server, world, session)
    note_field = page.locator("#note-input")
    checked: set[str] = set()

    def check(name: str) -> None:
        checked.add(name)

    # The list on `?` is built from the same table as the keys.
    page.keyboard.press("?")
    panel = page.locator("#shortcuts")
    expect(panel).to_be_visible()
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    listed = page.eval_on_selector_all(
        "[data-shortcut]", "rows => rows.map(r => r.dataset.shortcut)"
    )
    listed_keys = set(
        page.eval_on_selector_all(
            "[data-shortcut]", "rows => rows.flatMap(r => r.dataset.keys.split(' '))"
        )
    )
    assert len(listed) == len(set(listed)) > 25
    assert_accessible(page)
    check("help")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.locator("#shortcuts-button")).to_be_focused()
    check("escape")

    page.keyboard.press("s")
    expect(page.locator("#pause-button")).to_be_visible()
    expect(page.locator("#start-button")).to_be_hidden()
    check("start")

    # Every control of the runner stands for a listed shortcut (hidden ones too).
    # The test writes to the live server's in-memory database only once the page's own save
    # is done: SQLite refuses a write while another connection holds the table.
    _saved(page)
    runner_services.commitment_save(session=session, uuid=uuid.uuid4(), text="Placeholder row")
    page.reload()
    missing = page.eval_on_selector_all(
        "#runner button, #runner select, #runner input:not([type=hidden])",
        """els => els.filter(el => !(el.getAttribute('aria-keyshortcuts') || '').trim())
                     .map(el => el.id || el.getAttribute('aria-label') || el.textContent.trim())""",
    )
    assert missing == [], f"controls without a listed shortcut: {missing}"
    used = set(
        page.eval_on_selector_all(
            "[aria-keyshortcuts]",
            "els => els.flatMap(el => el.getAttribute('aria-keyshortcuts').split(' '))",
        )
    )
    assert used <= listed_keys
    assert page.locator(".commitment-edit").count() == 1
    assert page.locator(".note-delete").count() == 1
    page.locator(".commitment-delete").click()  # by mouse too
    expect(page.locator("#commitment-list li")).to_have_count(0)
    _saved(page)
    assert not Commitment.objects.filter(text="Placeholder row").exists()

    page.keyboard.press("p")
    expect(page.locator("#pause-button")).to_have_text(re.compile("^Resume"))
    page.keyboard.press("p")
    expect(page.locator("#pause-button")).to_have_text(re.compile("^Pause"))
    check("pause")
    page.keyboard.press("n")
    expect(page.locator("#segment-list li[aria-current=step]")).to_have_attribute("data-index", "1")
    check("next")

    for number, label in enumerate(["Find out", "Learn about", "Own", "Work it"], start=1):
        page.keyboard.press(str(number))
        expect(page.get_by_role("button", name=re.compile(f"^{label}"))).to_have_attribute(
            "aria-pressed", "true"
        )
        check(f"stage-{number}")

    # A note: focus with `/`, type Markdown, step out with Esc, then tag it with keys.
    page.keyboard.press("/")
    expect(note_field).to_be_focused()
    check("note")
    note_field.type("**Bold** idea, price first")
    page.keyboard.press("t")  # typed, not a shortcut, while in the field
    expect(note_field).to_have_value("**Bold** idea, price firstt")
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    expect(note_field).not_to_be_focused()
    expect(page.locator("#notes-card")).to_be_focused()
    page.keyboard.press("t")
    expect(page.locator("#note-topic")).not_to_have_value("")
    check("topic")
    page.keyboard.press("m")
    expect(page.locator("#note-reflection")).not_to_have_value("")
    check("reflection")
    page.keyboard.press("v")
    expect(page.locator("#note-shared")).to_be_checked()
    check("share")
    page.keyboard.press("e")
    _saved(page)
    note = SessionNote.objects.get(body="**Bold** idea, price first")
    assert note.marker == "energy" and note.visibility == "shared_with_client"
    assert note.topic and note.reflection and note.flow_stage == "work_it" and note.segment == 1
    check("energy")
    page.keyboard.press("a")
    _saved(page)
    note.refresh_from_db()
    assert note.marker == "aha"
    check("aha")
    # At the Work it stage the session's energy and aha moments show again.
    expect(page.locator("#moments-again")).to_be_visible()
    expect(page.locator("#moments-list")).to_contain_text("Aha in Work it")

    page.keyboard.press("/")
    page.keyboard.press("Control+Enter")
    expect(note_field).to_have_value("")
    expect(page.locator("#note-topic")).to_have_value("")
    check("save-note")
    # Rendered by the server as Markdown once saved.
    expect(page.locator("#note-list li.note strong", has_text="Bold")).to_have_count(1)
    assert_accessible(page)

    page.keyboard.press("Escape")
    page.keyboard.press("Shift+E")
    expect(note_field).to_be_focused()
    expect(note_field).to_have_value("**Bold** idea, price first")
    check("edit-note")
    note_field.press("End")
    note_field.type(" (edited)")
    page.keyboard.press("Escape")
    _saved(page)
    note.refresh_from_db()
    assert note.body == "**Bold** idea, price first (edited)"
    page.keyboard.press("Shift+D")
    expect(page.locator("#note-list li.note", has_text="Bold")).to_have_count(0)
    _saved(page)
    note.refresh_from_db()
    assert note.deleted_at is not None
    check("delete-note")

    page.keyboard.press("Shift+R")
    review = page.locator("[data-commitment-state]")
    expect(review).to_be_focused()
    review.select_option("kept")
    _saved(page)
    assert Commitment.objects.get(text="Call two old clients").state == "kept"
    check("review")

    page.keyboard.press("Escape")
    page.keyboard.press("Shift+P")
    expect(page.locator("#purpose-input")).to_be_focused()
    check("purpose")
    page.keyboard.type("I sell so people choose well.")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+W")
    expect(page.locator("#ws-challenge")).to_be_focused()
    check("worksheet")

    page.locator("#ws-adjustments").fill("- Ask one question before the price\n- Pause after it")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+A")
    expect(page.locator("#commitment-list li")).to_have_count(2)
    page.keyboard.press("Shift+A")
    expect(page.locator("#commitment-message")).to_have_text(
        "Each adjustment is already a commitment."
    )
    _saved(page)
    assert set(Commitment.objects.filter(session=session).values_list("text", "owner")) == {
        ("Ask one question before the price", "client"),
        ("Pause after it", "client"),
    }
    check("adjustments")

    page.keyboard.press("c")
    expect(page.locator("#commitment-text")).to_be_focused()
    check("commitment")
    page.keyboard.type("Send the recap")
    page.keyboard.press("Escape")
    page.keyboard.press("o")
    expect(page.locator("#commitment-owner")).to_have_value("coach")
    page.keyboard.press("o")
    expect(page.locator("#commitment-owner")).to_have_value("client")
    check("owner")
    page.keyboard.press("d")
    expect(page.locator("#commitment-due")).to_be_focused()
    check("due")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#commitment-list li", has_text="Send the recap")).to_have_count(1)
    expect(page.locator("#commitment-text")).to_have_value("")
    check("save-commitment")
    _saved(page)
    made = Commitment.objects.get(text="Send the recap")

    page.keyboard.press("Escape")
    expect(page.locator("#commitments-card")).to_be_focused()
    page.keyboard.press("Shift+E")  # in Commitments: the last commitment, not a note
    expect(page.locator("#commitment-text")).to_have_value("Send the recap")
    expect(page.locator("#commitment-editing")).to_be_visible()
    page.keyboard.press("End")
    page.keyboard.type(" on Friday")
    page.locator("#commitment-owner").select_option("coach")
    _saved(page)
    made.refresh_from_db()
    assert (made.text, made.owner) == ("Send the recap on Friday", "coach")
    assert_accessible(page)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#commitment-editing")).to_be_hidden()
    check("edit-commitment")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+D")
    expect(page.locator("#commitment-list li", has_text="Send the recap")).to_have_count(0)
    _saved(page)
    assert not Commitment.objects.filter(pk=made.pk).exists()
    assert Commitment.objects.filter(session=session).count() == 2
    check("delete-commitment")

    page.keyboard.press("Shift+O")
    expect(page.locator("[data-outcome-index='0']")).to_be_focused()
    page.locator("[data-outcome-index='0']").select_option("met")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+O")
    expect(page.locator("[data-outcome-index='1']")).to_be_focused()
    check("outcomes")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+S")
    expect(page.locator("#wrap-helpful")).to_be_focused()
    check("wrap")
    page.keyboard.press("Escape")

    # Two versions clash: the note changed elsewhere while this page edits it.
    _saved(page)  # the outcome marked above, before the test writes (see above)
    first_note.refresh_from_db()
    runner_services.note_save(
        session=session, uuid=first_note.uuid, base_version=first_note.version, body="Elsewhere"
    )
    page.keyboard.press("Shift+E")
    note_field.press("End")
    note_field.type(" mine")
    page.keyboard.press("Escape")
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_contain_text("Saved version: Elsewhere", timeout=8_000)
    expect(conflicts).to_contain_text("Your version: First thought mine")
    assert_accessible(page)
    page.keyboard.press("Shift+M")
    _saved(page)
    first_note.refresh_from_db()
    assert first_note.body == "First thought mine"
    check("keep-mine")

    runner_services.note_save(
        session=session,
        uuid=first_note.uuid,
        base_version=first_note.version,
        body="From the other tab",
    )
    page.keyboard.press("Shift+E")
    note_field.press("End")
    note_field.type(" again")
    page.keyboard.press("Escape")
    expect(conflicts).to_contain_text("From the other tab", timeout=8_000)
    page.keyboard.press("Shift+K")
    expect(conflicts).to_be_hidden()
    expect(page.locator("#note-list")).to_contain_text("From the other tab")
    first_note.refresh_from_db()
    assert first_note.body == "From the other tab"
    check("keep-saved")

    # The parts of the page: ] and [ move between them, round and round.
    page.keyboard.press("]")
    part = page.locator(".part-link[aria-current=true]")
    expect(part).to_have_text("Purpose and worksheet")
    check("next-part")
    page.keyboard.press("[")
    page.keyboard.press("[")
    expect(part).to_have_text("Wrap")
    check("previous-part")

    assert checked | {"complete"} == set(listed), "a listed shortcut has no check here"
    page.keyboard.press("Shift+C")
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/summary/$"))
    check("complete")
    assert checked == set(listed)


def test_it_shows_hostile_markdown_inert_on_load_and_when_typed(live_server, page, world):
    _, session = _second_session(world)
    hostile = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) *fine*"
    runner_services.note_save(session=session, uuid=uuid.uuid4(), body=hostile)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_runner(page, live_server, world, session)

    def inert() -> None:
        assert page.locator("#note-list img").count() == 0
        assert page.locator("#note-list a[href^='javascript']").count() == 0
        assert page.locator("#note-list [onerror]").count() == 0

    saved = page.locator("#note-list li.note").first
    expect(saved.locator("em")).to_have_text("fine")
    expect(saved).to_contain_text("<img src=x onerror=alert(1)>")
    inert()

    page.keyboard.press("/")
    page.keyboard.type("Typed <img src=y onerror=alert(2)> [y](javascript:alert(2)) **now**")
    _saved(page)
    typed = page.locator("#note-list li.note").nth(1)
    expect(typed.locator("strong")).to_have_text("now")
    expect(typed).to_contain_text("<img src=y onerror=alert(2)>")
    inert()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert_accessible(page)


def test_it_warns_amber_at_the_session_minimum_and_red_past_its_length(live_server, page, world):
    _, session = _second_session(world)
    record = runner_services.record_of(session)
    now = timezone.now()
    # S2 runs 50 to 60 minutes; 52 minutes in, all in its first segment.
    record.timing = [
        {
            "segment": 0,
            "started_at": (now - timedelta(minutes=52)).isoformat(),
            "ended_at": None,
        }
    ]
    record.save()
    _open_runner(page, live_server, world, session)
    expect(page.locator("#session-clock-box")).to_have_attribute("data-level", "near")
    expect(page.locator("#clock-warning")).to_contain_text(
        "The session has reached its planned minimum of 50 minutes."
    )
    expect(page.locator("#segment-clock-box")).to_have_attribute("data-level", "over")
    assert_accessible(page)

    record.timing[0]["started_at"] = (
        now - timedelta(minutes=session.duration_minutes + 2)
    ).isoformat()
    record.save()
    page.reload()
    expect(page.locator("#session-clock-box")).to_have_attribute("data-level", "over")
    expect(page.locator("#clock-warning")).to_contain_text(
        f"Over time: the session has passed its {session.duration_minutes} planned minutes."
    )
    # The review segment points to last session's commitments.
    expect(page.locator(".segment-detail[data-segment='0'] .review-pointer")).to_contain_text(
        "No commitments from last time"
    )
