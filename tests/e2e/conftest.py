"""Browser tests: Playwright driving Debian's Chromium against Django's live server."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from tests.conftest import CHROMIUM, REQUIRE_BROWSER

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = (
            f"\n\n*** BROWSER TESTS SKIPPED: Chromium not found at {CHROMIUM}. ***\n"
            "*** Install it with: apt-get install chromium chromium-driver ***\n"
        )
        if REQUIRE_BROWSER:
            pytest.fail(message + "FLOWCOACH_REQUIRE_BROWSER=1, so this is a failure.")
        sys.stderr.write(message)
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_violations = violations
    yield page
    context.close()
    # Every browser test doubles as a Content-Security-Policy check: an inline script or
    # style that the policy blocked is a broken page (or an injection), so the test fails.
    assert not violations, (
        "Content-Security-Policy violations:\n"
        + "\n".join(violations)
        + "\n(Playwright's wait_for_function compiles its text with eval, which the policy "
        "blocks: use wait_until from tests/e2e/conftest.py.)"
    )


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Polls a JavaScript expression until it is true. Unlike page.wait_for_function, which
    compiles its text inside the page, evaluate runs through the browser's debugging
    protocol and so works under our Content-Security-Policy (no 'unsafe-eval')."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__flowcoachCsp(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}`
    + (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def watch_csp(context) -> list[str]:
    """Collects every CSP violation in any page of the context, across navigations."""
    violations: list[str] = []
    context.expose_function("__flowcoachCsp", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    return violations


def assert_accessible(page) -> None:
    """axe-core on the current page: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    # A click that navigates returns before the next document exists; axe run in that gap
    # finds no document (or a destroyed context). Wait for the page to settle and retry
    # the run itself, never the assertion.
    for attempt in range(5):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page)
            break
        except PlaywrightError as error:
            transient = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not transient or attempt == 4:
                raise
            page.wait_for_timeout(100)
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} → "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:5]
        )
        for v in bad
    )


def sign_in(page, base_url: str, email: str) -> None:
    """Through the real sign-in form, as a person would."""
    from tests.conftest import PASSWORD

    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
