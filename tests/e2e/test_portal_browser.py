"""In a real browser, the client's side of a completed session: the portal shows what the
coach shared (and nothing they kept), and "Download my records" hands over the ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from tests.client_view_helpers import commitment, enrol_and_schedule, note
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_client_their_sessions_so_far_and_hands_over_their_records(
    live_server, page, world
):
    session = enrol_and_schedule(world)
    note(session, "Lights up when a buyer **thinks aloud**", shared=True, flow_stage="find_out")
    note(session, "Coach's private hunch about the territory")
    runner.purpose_save(session=session, text="I sell so buyers decide with a clear head.")
    commitment(session, "Ask one more question before pitching", due_date=date(2030, 5, 17))
    runner_clock.session_complete(session=session)

    sign_in(page, live_server.url, world.client_user.email)
    page.wait_for_url(f"{live_server.url}/portal/")
    history = page.get_by_role("region", name="Your sessions so far")
    history.get_by_text("S1").first.wait_for()
    assert history.locator("strong", has_text="thinks aloud").is_visible()
    assert history.get_by_text("I sell so buyers decide with a clear head.").is_visible()
    working_on = page.get_by_role("region", name="What you are working on")
    assert working_on.get_by_text("Ask one more question before pitching").is_visible()
    assert "private hunch" not in page.content()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my records").click()
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as archive:
        records = json.loads(archive.read("my-coaching-records.json"))
        markdown = archive.read("my-coaching-records.md").decode()
    assert records["commitments"][0]["text"] == "Ask one more question before pitching"
    assert "thinks aloud" in markdown and "private hunch" not in markdown
