"""The API docs page in a real browser: Swagger UI from our own static files (the page makes
no request to another host), the four operations listed, and nothing axe finds serious."""

import pytest

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_api_docs_from_our_own_files(live_server, page, world):
    foreign = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "blob:"))
            else foreign.append(request.url)
        ),
    )
    sign_in(page, live_server.url, world.client_user.email)
    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("/api/v1/commitments/").first.wait_for()
    for path in ("/api/v1/me/", "/api/v1/sessions/", "/api/v1/sessions/{pk}/"):
        assert page.get_by_text(path, exact=True).count() >= 1, path
    assert foreign == []
    assert_accessible(page)
