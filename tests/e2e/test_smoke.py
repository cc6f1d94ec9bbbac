import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_coach_sign_in_and_see_their_clients(live_server, page, world):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(world.coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/home/")
    page.get_by_role("link", name="Clients", exact=True).click()
    page.wait_for_url(f"{live_server.url}/clients/")
    assert page.get_by_role("link", name="Cliff Client").is_visible()
    assert page.get_by_text("Clara Second").count() == 0
    assert_accessible(page)
