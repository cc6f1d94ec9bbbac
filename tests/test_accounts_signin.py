"""Signing in: password, emailed code, password reset, mandatory email verification and the
login rate limits, with every email read from a real SMTP server."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from flowcoach.accounts.models import User
from tests.conftest import PASSWORD

NEW_PASSWORD = "another-Str0ng-passphrase"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    # allauth counts attempts in the shared (database) cache; each test starts with a clean
    # slate so one test's failures never block the next.
    cache.clear()
    yield
    cache.clear()


def plain_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def signed_in_user_id(http):
    return http.session.get("_auth_user_id")


def test_it_signs_in_with_a_password(world):
    http = world.login(None)
    response = http.post(
        reverse("account_login"), {"login": "Coach@Harbour.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in_user_id(http) == str(world.coach.pk)
    assert http.get(reverse("home"))["Location"] == reverse("coach_home")


def test_it_refuses_a_wrong_password_with_a_clear_message(world):
    http = world.login(None)
    response = http.post(reverse("account_login"), {"login": world.coach.email, "password": "x"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert signed_in_user_id(http) is None


def test_it_signs_in_with_an_emailed_code(world, smtp_server):
    http = world.login(None)
    response = http.post(reverse("account_request_login_code"), {"email": world.client_user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == world.client_user.email
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", plain_text(message), re.M).group(1)

    response = http.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert signed_in_user_id(http) == str(world.client_user.pk)
    assert http.get(reverse("home"))["Location"] == reverse("portal")


def test_it_refuses_a_wrong_code_and_stays_signed_out(world, smtp_server):
    http = world.login(None)
    http.post(reverse("account_request_login_code"), {"email": world.client_user.email})
    response = http.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert signed_in_user_id(http) is None


def test_it_sends_no_code_to_an_unknown_address_without_saying_so(world, smtp_server):
    # allauth prevents enumeration: the page looks the same, but nobody gets a code.
    http = world.login(None)
    response = http.post(reverse("account_request_login_code"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert all("sign-in code" not in plain_text(m) for m in smtp_server.messages)
    # The owner of the address learns there is no account, and that it takes an invitation
    # (sign-up is closed, so no sign-up link).
    body = plain_text(smtp_server.messages[0])
    assert "flowcoach is by invitation only." in body
    assert "signup" not in body


def test_it_resets_a_forgotten_password_by_emailed_link(world, smtp_server):
    http = world.login(None)
    response = http.post(reverse("account_reset_password"), {"email": world.coach.email})
    assert response.status_code == 302
    link = re.search(
        r"https?://\S+(/accounts/password/reset/key/\S+/)", plain_text(smtp_server.messages[0])
    ).group(1)

    # allauth swaps the key in the link for a session-held one, then shows the form.
    page = http.get(link, follow=True)
    form_path = page.redirect_chain[-1][0] if page.redirect_chain else link
    assert "password1" in page.content.decode()
    response = http.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    world.coach.refresh_from_db()
    assert world.coach.check_password(NEW_PASSWORD)

    fresh = world.login(None)
    fresh.post(reverse("account_login"), {"login": world.coach.email, "password": NEW_PASSWORD})
    assert signed_in_user_id(fresh) == str(world.coach.pk)


def test_it_refuses_a_weak_new_password_and_keeps_the_old_one(world, smtp_server):
    http = world.login(None)
    http.post(reverse("account_reset_password"), {"email": world.coach.email})
    link = re.search(
        r"https?://\S+(/accounts/password/reset/key/\S+/)", plain_text(smtp_server.messages[0])
    ).group(1)
    page = http.get(link, follow=True)
    form_path = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = http.post(form_path, {"password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    world.coach.refresh_from_db()
    assert world.coach.check_password(PASSWORD)


def test_it_refuses_a_tampered_reset_link(world, smtp_server):
    http = world.login(None)
    http.post(reverse("account_reset_password"), {"email": world.coach.email})
    link = re.search(
        r"https?://\S+(/accounts/password/reset/key/\S+/)", plain_text(smtp_server.messages[0])
    ).group(1)
    page = http.get(link[:-3] + "zz/", follow=True)
    assert "The password reset link was invalid" in page.content.decode()
    world.coach.refresh_from_db()
    assert world.coach.check_password(PASSWORD)


def test_it_requires_an_unverified_address_to_be_verified_first(world, smtp_server):
    EmailAddress.objects.filter(user=world.coach).update(verified=False)
    http = world.login(None)
    response = http.post(
        reverse("account_login"), {"login": world.coach.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(http) is None
    key_path = re.search(
        r"https?://\S+(/accounts/confirm-email/\S+/)", plain_text(smtp_server.messages[0])
    ).group(1)

    # Following the link and confirming proves the address; signing in then works.
    http.post(key_path)
    assert EmailAddress.objects.get(user=world.coach).verified
    http.post(reverse("account_login"), {"login": world.coach.email, "password": PASSWORD})
    assert signed_in_user_id(http) == str(world.coach.pk)


def test_it_blocks_sign_in_after_repeated_failures_even_with_the_right_password(world):
    http = world.login(None)
    # ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per account in 5 minutes.
    for _ in range(5):
        response = http.post(
            reverse("account_login"), {"login": world.coach.email, "password": "wrong"}
        )
        assert "not correct" in response.content.decode()
    response = http.post(
        reverse("account_login"), {"login": world.coach.email, "password": PASSWORD}
    )
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert signed_in_user_id(http) is None
    # Another account from elsewhere is not affected by someone guessing at this one.
    other = world.login(None)
    other.post(reverse("account_login"), {"login": world.admin.email, "password": PASSWORD})
    assert signed_in_user_id(other) == str(world.admin.pk)


def test_it_limits_how_often_codes_are_sent_to_one_address(world, smtp_server):
    # ACCOUNT_RATE_LIMITS["request_login_code"] allows 3 a minute per address, whichever
    # browser asks (each fresh client is a new session).
    for _ in range(3):
        world.login(None).post(
            reverse("account_request_login_code"), {"email": world.client_user.email}
        )
    response = world.login(None).post(
        reverse("account_request_login_code"), {"email": world.client_user.email}
    )
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert len(smtp_server.messages) == 3


def test_it_keeps_sign_up_closed(db):
    from django.test import Client

    http = Client()
    response = http.post(
        reverse("account_signup"),
        {"email": "walk.in@nowhere.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not User.objects.filter(email="walk.in@nowhere.test").exists()
