"""The Content-Security-Policy in a real browser: our pages run under it without a single
violation (every browser test checks that in its `page` fixture), and an injected inline
script is blocked, reported to the server, and fails the test that caused it."""

import pytest

from tests.e2e.conftest import sign_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_blocks_and_reports_an_injected_inline_script(live_server, page, world, caplog):
    sign_in(page, live_server.url, world.coach.email)
    page.goto(f"{live_server.url}/clients/")
    with caplog.at_level("WARNING", logger="flowcoach.csp"):
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.injectedRan = true";
              document.body.appendChild(script);
            }"""
        )
        wait_until(page, "true")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.injectedRan") is None
        wait_until(page, "true")
        assert any("script-src" in v for v in page.csp_violations), page.csp_violations
        for _ in range(40):
            if "CSP violation" in caplog.text:
                break
            page.wait_for_timeout(50)
    assert "CSP violation: script-src" in caplog.text
    # Expected here; any other test that meets one fails at teardown.
    page.csp_violations.clear()
