"""The profile, editor, catalog and portal pages in a real browser, checked with axe-core,
including the narrow width the profile will have beside the session runner."""

from __future__ import annotations

import os

import pytest
from django.test import Client as HttpClient

from tests.authz.fixtures_profiles import complete_profile
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("FLOWCOACH_SCREENSHOTS")


def sign_in(page, live_server, user):
    http = HttpClient()
    http.force_login(user)
    cookie = http.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def visit(page, live_server, path, name, width=1200, *, expect: str):
    """Opens a page and checks it really is that page (status 200 and a text it must show)
    before checking its accessibility: axe is as happy with an error page."""
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    assert expect in page.content(), f"{path} does not show {expect!r}"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    assert_accessible(page)


def test_it_serves_accessible_profile_pages_at_any_width(world, live_server, page):
    profile = complete_profile(world)
    sign_in(page, live_server, world.coach)
    for width in (1200, 420):
        visit(
            page,
            live_server,
            f"/clients/{world.client.pk}/profile/",
            "profile",
            width,
            expect="Cliff Client",
        )
    visit(
        page,
        live_server,
        f"/clients/{world.client.pk}/profile/edit/",
        "edit",
        expect="Save profile",
    )
    page.fill("#id_themes-1-score", "11")
    page.click("text=Save profile")
    assert page.locator("#id_themes-1-score_error").inner_text() == "Scores go from 0 to 10."
    assert_accessible(page)
    visit(
        page,
        live_server,
        f"/catalogs/{profile.catalog_id}/",
        "catalog",
        expect=profile.catalog.name,
    )
    # The check against a page that is not what was asked for: another coach's client.
    with pytest.raises(AssertionError, match="404"):
        visit(page, live_server, f"/clients/{world.other_client.pk}/profile/", "x", expect="Clara")


def test_it_serves_an_accessible_portal(world, live_server, page):
    complete_profile(world)
    sign_in(page, live_server, world.client_user)
    visit(page, live_server, "/portal/", "portal", 420, expect="Your motivation themes")
    assert "Your achievement stories" in page.content()
    assert "BLIND-PRIVATE" not in page.content()
