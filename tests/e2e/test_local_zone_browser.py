"""The set-up page starts its time zone on the browser's own, including zones the browser
reports by an old name (Chromium says Asia/Calcutta for India, Europe/Kiev for Ukraine)."""

import pytest

from tests.e2e.conftest import assert_accessible, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "zone, chosen",
    [
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("Europe/Kyiv", "Europe/Kyiv"),
        ("Europe/Paris", "Europe/Paris"),
    ],
)
def test_it_starts_the_set_up_zone_on_the_browsers_own(live_server, browser, zone, chosen):
    context = browser.new_context(timezone_id=zone)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/setup/")
        reported = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        assert page.get_by_label("Time zone").input_value() == chosen, reported
        assert_accessible(page)
    finally:
        context.close()
    assert not violations
