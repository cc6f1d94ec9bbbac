"""In a real browser: the coach ticks their preparation list and each box saves at once (and
is still ticked in a fresh browser); the client ticks their own list in the portal and the
coach's preparation view shows the progress; the coach chooses an open session's topic."""

from __future__ import annotations

import pytest

from flowcoach.coaching.models import PreparationTick
from flowcoach.outbox.models import Message
from tests.e2e.conftest import assert_accessible, sign_in
from tests.session_helpers import book, held_track

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sessions(world):
    return book(held_track(world, {2: ["Buyers who go quiet"]})[3], 2)


def test_it_saves_each_tick_at_once_for_coach_and_client(
    live_server, browser, page, world, sessions
):
    s4 = sessions
    coach_items = s4.template_version.coach_preparation
    client_items = s4.template_version.client_preparation

    # The client ticks their first item in the portal; no button is needed with the script.
    sign_in(page, live_server.url, world.client_user.email)
    page.wait_for_url(f"{live_server.url}/portal/")
    page.wait_for_load_state("load")
    assert not page.get_by_role("button", name="Save my ticks for S4").is_visible()
    page.get_by_label(client_items[0]).check()
    page.get_by_text(f"1 of {len(client_items)} done · saved").wait_for()
    assert_accessible(page)
    assert PreparationTick.objects.filter(session=s4, side="client").count() == 1

    # The coach, in another browser, sees it and ticks their own list.
    context = browser.new_context()
    coach = context.new_page()
    sign_in(coach, live_server.url, world.coach.email)
    coach.wait_for_url(f"{live_server.url}/home/")
    coach.goto(f"{live_server.url}/sessions/{s4.pk}/prepare/")
    assert coach.get_by_text(f"1 of {len(client_items)} done", exact=True).is_visible()
    assert coach.get_by_text("No topic chosen yet").is_visible()
    coach.get_by_label(coach_items[1]).check()
    coach.get_by_text(f"1 of {len(coach_items)} done · saved").wait_for()
    coach.get_by_label(coach_items[1]).uncheck()
    coach.get_by_text(f"0 of {len(coach_items)} done · saved").wait_for()
    coach.get_by_label(coach_items[0]).check()
    coach.get_by_text(f"1 of {len(coach_items)} done · saved").wait_for()
    assert_accessible(coach)

    # The topic, chosen from what was collected in S3, fills the preparation email.
    coach.get_by_label("Buyers who go quiet (from S3)").check()
    coach.get_by_role("button", name="Save the topic").click()
    coach.get_by_text("The preparation email now names it").wait_for()
    assert "Buyers who go quiet" in Message.objects.get(key=f"session:{s4.pk}:preparation").subject
    context.close()

    # A fresh browser for the coach: the tick is still there.
    fresh = browser.new_context()
    again = fresh.new_page()
    sign_in(again, live_server.url, world.coach.email)
    again.wait_for_url(f"{live_server.url}/home/")
    again.goto(f"{live_server.url}/sessions/{s4.pk}/prepare/")
    assert again.get_by_label(coach_items[0]).is_checked()
    assert not again.get_by_label(coach_items[1]).is_checked()
    fresh.close()
