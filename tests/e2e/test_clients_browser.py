"""A coach's client pages in a real browser, each checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from flowcoach.clients.models import Client
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page, live_server, user) -> None:
    sign_in(page, live_server.url, user.email)
    # Past the sign-in page: a pattern that also matches it returns before the redirect.
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_it_walks_a_coach_through_adding_importing_and_deleting_clients(
    live_server, page, world, tmp_path
):
    sign_in_as(page, live_server, world.coach)
    page.goto(f"{live_server.url}/clients/")
    assert_accessible(page)

    page.get_by_role("link", name="Add client").click()
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_text("Please enter the client's name.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Full name").fill("Bea Browser")
    page.get_by_label("Email").fill("bea@x.test")
    page.get_by_label("Company").fill("Initech")
    page.get_by_role("button", name="Add client").click()
    page.get_by_role("heading", name="Bea Browser").wait_for()
    assert page.get_by_text("Initech").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Edit Bea Browser").click()
    assert_accessible(page)
    page.get_by_role("link", name="Back to Bea Browser").click()

    page.get_by_role("link", name="Delete Bea Browser").click()
    page.get_by_label("Type the client's full name to confirm").fill("Bea")
    page.get_by_role("button", name="Delete Bea Browser for good").click()
    expect(page.get_by_text("doesn't match")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Type the client's full name to confirm").fill("Bea Browser")
    page.get_by_role("button", name="Delete Bea Browser for good").click()
    page.wait_for_url(f"{live_server.url}/clients/")
    assert not Client.objects.filter(email="bea@x.test").exists()

    page.get_by_role("link", name="Import from CSV").click()
    assert_accessible(page)
    bad = tmp_path / "bad.csv"
    bad.write_text("full_name,email\nAl,not-an-email\nBo,bo@x.test\n")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("isn't a valid email address")).to_be_visible()
    assert_accessible(page)
    good = tmp_path / "good.csv"
    good.write_text("full_name,email\nAl,al@x.test\nBo,bo@x.test\n")
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    assert_accessible(page)
    page.get_by_role("button", name="Import 2 clients").click()
    page.wait_for_url(f"{live_server.url}/clients/")
    assert page.get_by_role("link", name="Al", exact=True).is_visible()
    assert Client.objects.filter(coach=world.coach).count() == 3


def test_it_lets_an_admin_change_a_clients_coach(live_server, page, world):
    sign_in_as(page, live_server, world.admin)
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Change coach").click()
    assert_accessible(page)
    page.get_by_label("New coach").select_option(str(world.other_coach.pk))
    page.get_by_role("button", name="Change coach").click()
    page.get_by_text("Cole Second now coaches Cliff Client, with their programs").wait_for()
    world.client.refresh_from_db()
    assert world.client.coach == world.other_coach
