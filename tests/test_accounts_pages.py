"""allauth's pages wear our layout: every input has a label, buttons use our styles, and
nothing points to a sign-up page (flowcoach is by invitation only)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def assert_looks_like_ours(html: str) -> None:
    assert "auth-page" in html, "not in our card layout"
    assert 'href="/static/css/flowcoach.css"' in html
    assert "/accounts/signup/" not in html
    # Every visible input or select has a <label for=...>.
    ids = re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*id="([^"]+)"', html
    )
    assert ids, "no form on the page"
    for input_id in ids:
        assert f'for="{input_id}"' in html, f"input {input_id} has no label"
    buttons = re.findall(r"<button[^>]*>", html)
    # The header's "Sign out" is styled as a link on purpose; everything else is a button.
    ours = [b for b in buttons if "linklike" not in b]
    assert ours and all('class="button' in b for b in ours), ours


def signed_in(user) -> Client:
    http = Client()
    http.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    http.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return http


@pytest.mark.parametrize(
    "name", ["account_login", "account_request_login_code", "account_reset_password"]
)
def test_it_renders_sign_in_pages_in_our_layout(db, name):
    response = Client().get(reverse(name))
    assert response.status_code == 200
    assert_looks_like_ours(response.content.decode())


def test_it_renders_the_code_entry_page_in_our_layout(world, smtp_server):
    http = Client()
    http.post(reverse("account_request_login_code"), {"email": world.client_user.email})
    response = http.get(reverse("account_confirm_login_code"))
    assert response.status_code == 200
    assert_looks_like_ours(response.content.decode())


@pytest.mark.parametrize("name", ["account_email", "account_change_password", "mfa_activate_totp"])
def test_it_renders_account_pages_in_our_layout(world, name):
    response = signed_in(world.coach).get(reverse(name))
    assert response.status_code == 200
    assert_looks_like_ours(response.content.decode())


def test_it_renders_the_two_factor_overview_in_our_layout(world):
    html = signed_in(world.coach).get(reverse("mfa_index")).content.decode()
    assert "auth-page" in html and "/accounts/signup/" not in html
    assert 'class="button' in html


def test_it_says_plainly_that_sign_up_is_by_invitation(db):
    html = Client().get(reverse("account_login")).content.decode()
    assert "Use the email address your invitation came to." in html
    assert "Email me a sign-in code" in html


def test_it_signs_emails_as_flowcoach(world, smtp_server):
    Client().post(reverse("account_request_login_code"), {"email": world.client_user.email})
    body = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hello from flowcoach,")
    assert "testserver" not in body
