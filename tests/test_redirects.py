"""`next` is followed only when it is a path on this site, on every form that takes one
(issue #11, finding 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from flowcoach.accounts import services
from flowcoach.accounts.models import Role
from flowcoach.lib.redirects import is_local_path
from tests.conftest import PASSWORD
from tests.test_profile_edit import complete_profile

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    "https://evil.test/phish",
    "http://evil.test",
    "//evil.test/x",
    "/\\evil.test",
    "\\\\evil.test",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.test",
    "/\t/evil.test",
    " //evil.test",
    "evil.test",
    "\t//evil.test",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_it_refuses_anything_but_a_local_path(target):
    assert not is_local_path(target, RequestFactory().get("/"))


@pytest.mark.parametrize("target", ["/people/", "/clients/3/profile/edit/?tab=2", "/"])
def test_it_accepts_a_path_on_this_site(target):
    assert is_local_path(target, RequestFactory().get("/"))


@pytest.fixture
def invitation(world):
    return services.invitation_create(
        organisation=world.org, invited_by=world.admin, email="new@harbour.test", role=Role.COACH
    )


@pytest.mark.parametrize("name", ["invitation_resend", "invitation_revoke"])
@pytest.mark.parametrize("target", HOSTILE[:6])
def test_it_ignores_a_foreign_next_on_invitation_actions(world, invitation, name, target):
    response = world.login(world.admin).post(reverse(name, args=[invitation.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("people")


def test_it_follows_a_local_next_on_invitation_actions(world, invitation):
    back = reverse("client_detail", args=[world.client.pk])
    response = world.login(world.admin).post(
        reverse("invitation_resend", args=[invitation.pk]), {"next": back}
    )
    assert response["Location"] == back


@pytest.mark.parametrize("target", HOSTILE[:6])
def test_it_ignores_a_foreign_next_when_a_theme_is_added(world, target):
    profile = complete_profile(world)
    response = world.login(world.coach).post(
        reverse("catalog_theme_add", args=[profile.catalog_id]),
        {"name": f"Theme {HOSTILE.index(target)}", "next": target},
    )
    assert response["Location"] == reverse("catalog_detail", args=[profile.catalog_id])


@pytest.mark.parametrize(
    "target", ["https://evil.test/", "//evil.test/", "http://testserver.evil/"]
)
def test_it_ignores_a_foreign_next_after_signing_in(world, target, settings):
    # allauth on its own also accepts any host in ALLOWED_HOSTS.
    settings.ALLOWED_HOSTS = ["testserver", "evil.test", "testserver.evil"]
    http = world.login(None)
    response = http.post(
        reverse("account_login") + f"?next={target}",
        {"login": world.coach.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert not response["Location"].startswith(("http", "//"))


def test_it_reads_next_only_through_the_one_helper():
    """Every view that takes `next` must go through flowcoach/lib/redirects.py."""
    pattern = re.compile(r"""(POST|GET|REQUEST)(\.get\(|\[)\s*["']next["']""")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "flowcoach").rglob("*.py")
        if path.name != "redirects.py" and pattern.search(path.read_text("utf-8"))
    ]
    assert offenders == []
