"""Two-factor sign-in (TOTP) for everyone, and organisations that require it of their coaches
and admins. Codes are computed with allauth's own TOTP helpers, as an authenticator app
would."""

from __future__ import annotations

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    # allauth keeps rate-limit counters and used TOTP codes in the cache.
    cache.clear()
    yield
    cache.clear()


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def sign_in(user) -> Client:
    """A real password sign-in, so allauth records it (activating TOTP needs a recent one)."""
    http = Client()
    response = http.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return http


def confirm_password(http: Client) -> None:
    # allauth asks for the password again before any change to two-factor settings, even
    # right after signing in: someone at an unlocked screen cannot add their own phone.
    response = http.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content


def activation_url() -> str:
    return f"{reverse('mfa_activate_totp')}?required=1"


@pytest.fixture
def strict(world):
    world.org.require_mfa = True
    world.org.save()
    return world


@pytest.mark.parametrize("page", ["client_list", "personal_settings", "home"])
def test_it_sends_a_coach_without_an_authenticator_to_set_one_up(strict, page):
    http = sign_in(strict.coach)
    assert http.get(reverse(page))["Location"] == activation_url()


def test_it_sends_an_admin_without_an_authenticator_to_set_one_up(strict):
    http = sign_in(strict.admin)
    for page in ("people", "organisation_settings"):
        assert http.get(reverse(page))["Location"] == activation_url()


def test_it_explains_why_the_activation_page_appeared(strict):
    http = sign_in(strict.coach)
    reauth = http.get(activation_url(), follow=True)
    assert reauth.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "Before changing how you sign in" in reauth.content.decode()
    confirm_password(http)
    page = http.get(activation_url())
    assert page.status_code == 200
    assert "Harbour Practice asks coaches and admins to use two-factor" in page.content.decode()


def test_it_still_lets_a_forced_coach_use_account_pages_and_sign_out(strict):
    http = sign_in(strict.coach)
    assert http.get(reverse("account_email")).status_code == 200
    assert http.get(reverse("mfa_index")).status_code == 200
    response = http.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in http.session


def test_it_lets_the_coach_through_once_totp_is_active(strict):
    http = sign_in(strict.coach)
    confirm_password(http)
    http.get(activation_url())
    secret = http.session[SECRET_SESSION_KEY]
    response = http.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=strict.coach, type=Authenticator.Type.TOTP).exists()
    assert http.get(reverse("client_list")).status_code == 200


def test_it_refuses_a_wrong_activation_code_and_activates_nothing(strict):
    http = sign_in(strict.coach)
    confirm_password(http)
    http.get(activation_url())
    secret = http.session[SECRET_SESSION_KEY]
    wrong = f"{(int(code_for(secret)) + 1) % 10**6:06d}"
    response = http.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=strict.coach).exists()
    assert http.get(reverse("client_list"))["Location"] == activation_url()


def test_it_never_forces_a_client(strict):
    http = sign_in(strict.client_user)
    assert http.get(reverse("portal")).status_code == 200


def test_it_does_not_force_anyone_when_the_organisation_does_not_ask(world):
    http = sign_in(world.coach)
    assert http.get(reverse("client_list")).status_code == 200


def test_it_lets_a_coach_move_to_a_practice_that_does_not_require_it(strict):
    from flowcoach.accounts.models import Membership, Role

    Membership.objects.create(user=strict.coach, organisation=strict.other_org, role=Role.COACH)
    http = sign_in(strict.coach)
    response = http.post(reverse("organisation_switch"), {"organisation": strict.other_org.pk})
    assert response.status_code == 302
    assert http.get(reverse("client_list")).status_code == 200


def test_it_asks_for_the_code_at_sign_in_once_totp_is_on(world):
    secret = generate_totp_secret()
    TOTP.activate(world.client_user, secret)
    http = Client()
    response = http.post(
        reverse("account_login"), {"login": world.client_user.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in http.session

    response = http.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Incorrect code." in response.content.decode()
    assert "_auth_user_id" not in http.session

    response = http.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert http.session["_auth_user_id"] == str(world.client_user.pk)


def test_it_lets_anyone_turn_on_totp_for_themselves(world):
    http = sign_in(world.client_user)
    confirm_password(http)
    page = http.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = http.session[SECRET_SESSION_KEY]
    http.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert Authenticator.objects.filter(user=world.client_user).exists()


def test_it_sets_the_requirement_from_organisation_settings(world):
    http = sign_in(world.admin)
    http.post(
        reverse("organisation_settings"),
        {"name": world.org.name, "time_zone": world.org.time_zone, "require_mfa": "on"},
    )
    world.org.refresh_from_db()
    assert world.org.require_mfa
    # The admin who switched it on is asked to set up their own authenticator next.
    assert http.get(reverse("people"))["Location"] == activation_url()


def test_it_asks_for_the_authenticator_after_an_emailed_code_too(world, smtp_server):
    import re

    secret = generate_totp_secret()
    TOTP.activate(world.client_user, secret)
    http = Client()
    http.post(reverse("account_request_login_code"), {"email": world.client_user.email})
    body = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)
    response = http.post(reverse("account_confirm_login_code"), {"code": code})
    # The emailed code proves the inbox, not the phone: the second factor is still asked.
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in http.session
    http.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert http.session["_auth_user_id"] == str(world.client_user.pk)
