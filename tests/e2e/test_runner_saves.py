"""In a real browser: the ways a typed change could be dropped on its way to the server. A
record save held in flight while more fields are typed, fields typed offline, a reload with
changes still waiting on the device, a sign-in that ended, and the purpose statement edited
in two tabs. Each ends with the database holding every last value, or the clash shown."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from flowcoach.coaching.models import CoachingSession, PurposeStatement, SessionNote
from flowcoach.coaching.runner import services as runner_services
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in
from tests.session_helpers import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session(world) -> CoachingSession:
    session = enrol(world).sessions.order_by("sequence").first()
    session.status = CoachingSession.Status.SCHEDULED
    session.starts_at = timezone.now() - timedelta(minutes=2)
    session.save()
    return session


def _open(page, live_server, world, session) -> str:
    # The first page a fresh server draws can be slow on a busy machine.
    page.goto(f"{live_server.url}/accounts/login/", timeout=30_000)
    sign_in(page, live_server.url, world.coach.email)
    page.wait_for_url(f"{live_server.url}/home/")
    url = f"{live_server.url}/sessions/{session.pk}/run/"
    page.goto(url)
    expect(page.locator("#save-status")).to_have_text("Saved")
    return url


def _record(session):
    return runner_services.record_of(session)


def test_it_keeps_fields_typed_while_a_record_save_is_in_flight(live_server, page, world):
    session = _session(world)
    _open(page, live_server, world, session)
    held = []

    def hold_first(route):
        # The first record save waits here (a slow answer); later ones go straight on.
        if not held:
            held.append(route)
        else:
            route.continue_()

    page.route("**/run/record/", hold_first)
    page.get_by_label("The challenge found").fill("Cold calls stall")
    page.wait_for_timeout(900)  # past the typing pause: the save is sent, and held
    assert len(held) == 1
    page.get_by_label("What the stories and the flow taught").fill("Warm intros work")
    page.get_by_label("The growth need owned").fill("Ask for the meeting")
    page.wait_for_timeout(900)  # both wait behind the held save, in one operation
    expect(page.locator("#save-status")).to_have_text("Saving…")
    held[0].continue_()
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=8_000)
    record = _record(session)
    assert (record.challenge, record.learned, record.growth_need) == (
        "Cold calls stall",
        "Warm intros work",
        "Ask for the meeting",
    )


def test_it_keeps_every_field_typed_offline(live_server, page, world):
    session = _session(world)
    _open(page, live_server, world, session)
    page.context.set_offline(True)
    status = page.locator("#save-status")
    page.get_by_label("The shadow-side tendency").fill("Over-explaining")
    # The first change has tried to go and is kept; each next one joins it on the device.
    expect(status).to_have_text(re.compile(r"^Offline: 1 change kept"), timeout=5_000)
    page.get_by_label("The growth need owned").fill("Silence after the price")
    page.wait_for_timeout(900)
    page.locator("#outcome-0").select_option("met")
    page.get_by_label("Your short summary").fill("A good hour")
    page.wait_for_timeout(900)
    expect(status).to_have_text(re.compile(r"^Offline: 1 change kept on this device"))
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=8_000)
    record = _record(session)
    assert record.shadow_tendency == "Over-explaining"
    assert record.growth_need == "Silence after the price"
    assert record.coach_summary == "A good hour"
    assert record.outcomes[0]["mark"] == "met"


def test_it_restores_changes_waiting_on_the_device_after_a_reload_and_sends_them(
    live_server, page, world
):
    session = _session(world)
    url = _open(page, live_server, world, session)
    page.context.set_offline(True)
    note = page.get_by_label(re.compile("^Note"))
    note.fill("Typed on the train")
    page.get_by_label("The challenge found").fill("No time to prospect")
    page.get_by_label("Draft with Cliff").fill("I sell so owners sleep well.")
    page.locator("#outcome-1").select_option("partly")
    page.get_by_label("Topics for open sessions").fill("Pricing\nReferrals")
    expect(page.locator("#save-status")).to_have_text(re.compile("^Offline"), timeout=5_000)
    # The page goes while offline; it comes back from the cache of nothing, so reload once
    # the network is back but with the saves still held: every change must show again.
    page.route("**/run/*/", lambda route: route.abort())
    page.context.set_offline(False)
    page.goto(url)
    expect(page.locator("#note-list li", has_text="Typed on the train")).to_have_count(1)
    expect(page.get_by_label("The challenge found")).to_have_value("No time to prospect")
    expect(page.get_by_label("Draft with Cliff")).to_have_value("I sell so owners sleep well.")
    expect(page.locator("#outcome-1")).to_have_value("partly")
    expect(page.get_by_label("Topics for open sessions")).to_have_value("Pricing\nReferrals")
    assert not SessionNote.objects.filter(session=session).exists()
    page.unroute("**/run/*/")
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=10_000)
    record = _record(session)
    assert record.challenge == "No time to prospect"
    assert record.outcomes[1]["mark"] == "partly"
    assert record.topic_candidates == ["Pricing", "Referrals"]
    assert PurposeStatement.objects.get(session=session).text == "I sell so owners sleep well."
    assert list(SessionNote.objects.filter(session=session).values_list("body", flat=True)) == [
        "Typed on the train"
    ]


def test_it_keeps_changes_when_the_sign_in_ends_and_sends_them_after_signing_in_again(
    live_server, page, world
):
    session = _session(world)
    _open(page, live_server, world, session)
    # Signed out in another tab: the session cookie is gone.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/accounts/logout/")
    other.get_by_role("button", name="Sign Out", exact=True).click()
    page.get_by_label(re.compile("^Note")).fill("Said after the sign-in ended")
    page.get_by_label("The challenge found").fill("Follow-up gaps")
    expect(page.locator("#save-status")).to_have_text(
        re.compile("sign-in may have ended"), timeout=8_000
    )
    assert not SessionNote.objects.filter(session=session).exists()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Email").fill(world.coach.email)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_url(f"{live_server.url}/home/")
    # The runner retries on its own and uses the new sign-in's token.
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=10_000)
    assert SessionNote.objects.get(session=session).body == "Said after the sign-in ended"
    assert _record(session).challenge == "Follow-up gaps"


def test_it_shows_both_purpose_statements_when_two_tabs_edit_it(live_server, page, world):
    session = _session(world)
    url = _open(page, live_server, world, session)
    other = page.context.new_page()
    other.goto(url)
    page.get_by_label("Draft with Cliff").fill("I sell to make buying easy.")
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=5_000)
    other.get_by_label("Draft with Cliff").fill("I sell so clients grow.")
    conflicts = other.locator("#conflicts")
    expect(conflicts).to_contain_text("I sell to make buying easy.", timeout=5_000)
    expect(conflicts).to_contain_text("I sell so clients grow.")
    assert PurposeStatement.objects.get(session=session).text == "I sell to make buying easy."
    assert_accessible(other)
    other.get_by_role("button", name=re.compile("^Keep mine")).click()
    expect(other.locator("#save-status")).to_have_text("Saved", timeout=5_000)
    assert PurposeStatement.objects.get(session=session).text == "I sell so clients grow."
    # A reload shows this session's own statement, whatever else the client has.
    other.reload()
    expect(other.get_by_label("Draft with Cliff")).to_have_value("I sell so clients grow.")


def test_it_keeps_the_clock_and_save_status_in_view_while_typing_at_1366_by_768(
    live_server, page, world
):
    from tests.e2e.test_runner import _timing

    session = _session(world)
    page.set_viewport_size({"width": 1366, "height": 768})
    _timing(session, (0, 4, None))  # three minutes at most: over time, so red
    _open(page, live_server, world, session)
    note = page.get_by_label(re.compile("^Note"))
    note.click()
    for index in range(30):  # a long session's worth of notes below the field
        note.fill(f"Point {index} about the pipeline")
        note.press("Control+Enter")
    note.type("Still typing here")
    expect(note).to_be_focused()

    def in_view(locator) -> bool:
        box = locator.bounding_box()
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768

    for part in (
        "#segment-clock",
        "#session-clock",
        "#save-status",
        "#bar-stage",
        "#clock-warning",
    ):
        assert in_view(page.locator(part)), f"{part} scrolled out of view"
    expect(page.locator("#segment-clock-box")).to_have_attribute("data-level", "over")
    page.screenshot(path=str(Path("/tmp") / "runner-1366.png"))
    # Keys move between the parts; the bar stays.
    note.press("Escape")
    page.keyboard.press("]")
    expect(page.locator('.part-link[data-part="part-worksheet"]')).to_have_attribute(
        "aria-current", "true"
    )
    assert in_view(page.get_by_label("The challenge found"))
    assert in_view(page.locator("#save-status"))
    page.keyboard.press("]")
    page.keyboard.press("]")
    expect(page.locator('.part-link[data-part="part-wrap"]')).to_have_attribute(
        "aria-current", "true"
    )
    page.keyboard.press("[")
    expect(page.locator('.part-link[data-part="part-commitments"]')).to_have_attribute(
        "aria-current", "true"
    )
    # A shortcut to a field brings its part into view.
    page.keyboard.press("Shift+P")
    expect(page.get_by_label("Draft with Cliff")).to_be_focused()
    assert in_view(page.get_by_label("Draft with Cliff"))
    expect(page.locator('.part-link[data-part="part-worksheet"]')).to_have_attribute(
        "aria-current", "true"
    )
    # The list of keys opens as a dialog over the page, and Esc closes it.
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("n")  # not the next segment while the list is open
    expect(page.locator("#segment-list li[aria-current=step]")).to_have_attribute("data-index", "0")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#shortcuts-button")).to_be_focused()


def test_it_completes_then_shows_the_session_complete_and_the_follow_up_to_approve(
    live_server, page, world
):
    from flowcoach.coaching.emails import follow_up_key
    from flowcoach.outbox.models import Message

    session = _session(world)
    url = _open(page, live_server, world, session)
    page.get_by_role("button", name=re.compile("^Start the session")).click()
    # A moment marked before any words: the words typed next are the moment's.
    page.get_by_role("button", name=re.compile("^Energy moment")).click()
    page.get_by_label(re.compile("^Note")).type("Leans in when talking about referrals")
    page.get_by_label("One or two adjustments").fill("- Ask for one referral\n- Pause after it")
    page.get_by_label("Topics for open sessions").fill("Pricing talks\nCold outreach")
    page.locator("#outcome-0").select_option("met")
    # Completing at once: the page waits for every save first.
    page.get_by_role("button", name=re.compile("^Complete the session")).click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/summary/$"))
    moments = page.locator(
        "section", has=page.get_by_role("heading", name="Energy and aha moments")
    )
    expect(moments).to_contain_text("Energy: Leans in when talking about referrals")
    worksheet = page.locator("section", has=page.get_by_role("heading", name="F.L.O.W. worksheet"))
    expect(worksheet.locator("dd li")).to_have_text(["Ask for one referral", "Pause after it"])
    wrap = page.locator("section", has=page.get_by_role("heading", name="Wrap", exact=True))
    expect(wrap.locator("dd li")).to_have_text(["Pricing talks", "Cold outreach"])
    outcome = session.template_version.outcomes[0]
    expect(page.get_by_text(f"Met: {outcome}")).to_be_visible()
    assert_accessible(page)

    # Straight from the summary to the follow-up draft: read it, change it, approve it.
    page.get_by_role("link", name="Review and approve the follow-up").click()
    message = page.get_by_role("textbox", name="Message")
    expect(message).to_have_value(re.compile("Ask for one referral"))
    message.fill(message.input_value() + "\n\nSee you in two weeks.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved. The message will go out with your changes.")).to_be_visible()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Approved. It will go out at its time.")).to_be_visible()
    draft = Message.objects.get(key=follow_up_key(session))
    assert draft.state == "approved" and "See you in two weeks." in draft.text_body

    # The runner shows the session as complete: no clock running, no current segment.
    page.goto(url)
    expect(page.locator("#completed-notice")).to_contain_text("This session is complete")
    expect(page.locator("#segment-plan")).to_have_text("Session complete")
    expect(page.locator("#segment-list li[aria-current]")).to_have_count(0)
    for button in ("#start-button", "#pause-button", "#next-button"):
        expect(page.locator(button)).to_be_hidden()
    shown = page.locator("#session-clock").inner_text()
    page.wait_for_timeout(1_500)
    assert page.locator("#session-clock").inner_text() == shown


def test_it_leads_todays_session_page_with_the_runner_and_asks_before_cancelling(
    live_server, page, world
):
    from tests.session_helpers import book

    session = book(enrol(world).sessions.order_by("sequence").first(), 1)
    session.starts_at = timezone.now() + timedelta(hours=2)
    session.save()
    sign_in(page, live_server.url, world.coach.email)
    page.wait_for_url(f"{live_server.url}/home/")
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    main = page.locator("main")
    text = main.inner_text()
    # Prepare and Open the runner come before everything else the page holds.
    assert text.index("Open the runner") < text.index("When and where")
    expect(page.locator(".session-now").get_by_role("link", name="Open the runner")).to_be_visible()
    expect(page.get_by_role("link", name="Reschedule")).to_be_visible()
    # Cancelling sits behind its own button and asks first; no form is open until then.
    reason = page.get_by_label("Why is it cancelled?")
    expect(reason).to_be_hidden()
    assert_accessible(page)
    page.get_by_text("Cancel the session…").click()
    expect(reason).to_be_visible()
    reason.fill("Cliff is unwell")
    page.get_by_role("button", name="Yes, cancel the session").click()
    expect(page.get_by_text("The session is cancelled.")).to_be_visible()
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.CANCELLED


def test_it_shows_a_save_that_landed_while_the_page_reloaded(live_server, page, world):
    """The reload's page is drawn before the save lands, and the save's answer reaches the
    old page before it goes: the new page must still show the note and the field."""
    import time

    session = _session(world)
    url = _open(page, live_server, world, session)
    held = []
    page.route("**/run/notes/", lambda route: held.append(route))
    page.route("**/run/record/", lambda route: held.append(route))
    page.get_by_label(re.compile("^Note")).fill("Said just before the reload")
    page.get_by_label("The growth need owned").fill("Hold the silence")
    page.wait_for_timeout(900)
    assert len(held) == 1  # the note is in flight; the record waits behind it

    def stale_page(route):
        drawn = route.fetch()  # drawn now: neither save has landed
        page.unroute("**/run/notes/")
        page.unroute("**/run/record/")
        held[0].continue_()
        time.sleep(1.5)  # both saves land and are answered to the old page
        route.fulfill(response=drawn)

    page.route(url, stale_page)
    page.reload()
    page.unroute(url)
    expect(page.locator("#note-list li", has_text="Said just before the reload")).to_have_count(1)
    expect(page.get_by_label("The growth need owned")).to_have_value("Hold the silence")
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=8_000)
    assert SessionNote.objects.get(session=session).body == "Said just before the reload"
    assert _record(session).growth_need == "Hold the silence"


def test_it_does_not_complete_past_a_clash_found_while_completing(live_server, page, world):
    session = _session(world)
    url = _open(page, live_server, world, session)
    other = page.context.new_page()
    other.goto(url)
    other.get_by_label("Draft with Cliff").fill("I sell to make buying easy.")
    expect(other.locator("#save-status")).to_have_text("Saved", timeout=5_000)
    other.close()
    # Typed and completed at once: the save meets the other tab's statement.
    page.get_by_label("Draft with Cliff").fill("I sell so clients grow.")
    page.get_by_role("button", name=re.compile("^Complete the session")).click()
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_contain_text("I sell to make buying easy.", timeout=5_000)
    page.wait_for_timeout(1_000)
    assert page.url == url
    assert PurposeStatement.objects.get(session=session).text == "I sell to make buying easy."
    page.get_by_role("button", name=re.compile("^Keep mine")).click()
    # Once the clash is settled and saved, the completion asked for goes ahead.
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/summary/$"))
    assert PurposeStatement.objects.get(session=session).text == "I sell so clients grow."
