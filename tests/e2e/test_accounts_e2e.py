"""In a real browser: the first visitor sets up an empty install, and a client signs in with a
code from an email caught by a real SMTP server. axe checks every page on the way."""

import re

import pytest
from django.core.cache import cache

from flowcoach.accounts.models import Membership, Organisation, Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_cache(transactional_db):
    # Sign-in rate limits live in the cache; start every journey with none used.
    cache.clear()
    yield
    cache.clear()


def test_it_sets_up_an_empty_install_and_lands_on_people(live_server, page):
    page.goto(f"{live_server.url}/")
    page.wait_for_url(f"{live_server.url}/setup/")
    assert_accessible(page)

    page.get_by_label("Organisation name").fill("Lighthouse Coaching")
    page.get_by_label("Your name").fill("Lena Lead")
    page.get_by_label("Your email").fill("lena@lighthouse.test")
    page.get_by_label("Time zone").select_option("Europe/Dublin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    # A head of sales who does not coach: the admin-only path.
    page.get_by_label("I coach clients myself too").uncheck()
    page.get_by_role("button", name=re.compile("create", re.I)).click()

    page.wait_for_url(f"{live_server.url}/people/")
    assert page.get_by_role("heading", name="People in Lighthouse Coaching").is_visible()
    assert page.get_by_text("Your organisation is ready").is_visible()
    assert_accessible(page)
    membership = Membership.objects.get(user__email="lena@lighthouse.test")
    assert membership.role == Role.ADMIN
    assert Organisation.objects.get().name == "Lighthouse Coaching"

    page.get_by_role("link", name="Organisation").click()
    page.wait_for_url(f"{live_server.url}/organisation/settings/")
    assert_accessible(page)
    page.get_by_role("link", name="Lena").click()
    page.wait_for_url(f"{live_server.url}/me/settings/")
    assert_accessible(page)


def test_it_signs_a_client_in_with_an_emailed_code(live_server, page, world, smtp_server):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.get_by_role("link", name="Email me a sign-in code").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/code/")
    assert_accessible(page)
    page.get_by_label("Email").fill(world.client_user.email)
    page.get_by_role("button", name=re.compile("code", re.I)).click()

    page.wait_for_url(f"{live_server.url}/accounts/login/code/confirm/")
    assert_accessible(page)
    body = smtp_server.messages[-1].get_body(preferencelist=("plain",)).get_content()
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(f"{live_server.url}/portal/")
    assert page.get_by_role("link", name="My coaching").is_visible()
    assert_accessible(page)


def test_it_walks_a_coach_through_required_two_factor_set_up(live_server, page, world):
    import time

    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    world.org.require_mfa = True
    world.org.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(world.coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # allauth asks for the password once more before any two-factor change.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/\?required=1"))
    assert page.get_by_text("Harbour Practice asks coaches and admins").is_visible()
    assert_accessible(page)
    # The key the page shows is what an authenticator app would be given.
    secret = page.get_by_label("Or type this key into the app").input_value()
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, counter)))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    page.wait_for_url(f"{live_server.url}/home/")
