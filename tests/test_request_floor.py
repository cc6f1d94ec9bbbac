"""What every request pays before its view, and the guarantees that must survive making it
cheap: the user and the actor are read afresh on every request (one query), so a
suspension, a role change, a deactivated account, a new password or a setting takes effect
on the very next request; sessions are read from a cache shared by every worker, and a
session ended anywhere is ended in that cache too."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from flowcoach.accounts.models import Membership, Role
from flowcoach.clients.models import Client

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")


def queries_of(http, url: str, status: int) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == status, response.status_code
    return [query["sql"] for query in captured.captured_queries]


def test_it_answers_the_health_probe_without_reading_a_session_or_a_user(world):
    http = world.login(world.coach)
    assert queries_of(http, reverse("healthz"), 200) == ["SELECT 1"]


def test_it_builds_the_signed_in_actor_in_one_query(world):
    http = world.login(world.coach)
    http.get(reverse("client_list"))
    # The client API refuses a coach before any query of its own: what is left is the floor.
    sql = queries_of(http, reverse("api_v1:me"), 403)
    assert len(sql) == 1
    assert "accounts_membership" in sql[0] and "django_session" not in sql[0]


def test_it_reads_the_session_from_the_cache_shared_by_every_worker(world):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    backend = caches[settings.SESSION_CACHE_ALIAS]
    # Not a per-process memory cache: another worker could not see a session ended here.
    assert isinstance(backend, FileBasedCache | RedisCache)
    http = world.login(world.coach)
    key = http.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert backend.get(store.cache_key_prefix + key) is not None


def test_it_ends_access_on_the_request_after_a_suspension(world):
    # A coach with clients must hand them over first; Cora's are archived.
    Client.objects.filter(coach=world.coach).update(archived_at=timezone.now())
    coach = world.login(world.coach)
    assert coach.get(reverse("client_list")).status_code == 200
    membership = Membership.objects.get(user=world.coach, organisation=world.org)
    world.login(world.admin).post(reverse("membership_toggle", args=[membership.pk]))
    membership.refresh_from_db()
    assert not membership.is_active
    assert coach.get(reverse("client_list")).status_code == 403
    assert coach.get(reverse("coach_home")).status_code == 403


def _become_a_client(world):
    Membership.objects.filter(user=world.coach).update(role=Role.CLIENT)


def _deactivate(world):
    world.coach.is_active = False
    world.coach.save(update_fields=["is_active"])


def _new_password(world):
    world.coach.set_password("another-Str0ng-passphrase")
    world.coach.save(update_fields=["password"])


def _require_two_factors(world):
    world.org.require_mfa = True
    world.org.save(update_fields=["require_mfa"])


# What changes, the answer the coach's very next request gets, and where it sends them.
CHANGES = {
    "role": (_become_a_client, 403, ""),
    "deactivated": (_deactivate, 302, "/accounts/login/"),
    "password": (_new_password, 302, "/accounts/login/"),
    "two factors required": (_require_two_factors, 302, "required=1"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_it_applies_a_change_to_the_very_next_request(world, change):
    make, status, sent_to = CHANGES[change]
    http = world.login(world.coach)
    assert http.get(reverse("client_list")).status_code == 200
    make(world)
    for _ in range(2):  # and stays so: a flushed session is not taken back from its cache
        response = http.get(reverse("client_list"))
        assert response.status_code == status
        assert sent_to in response.get("Location", "")


def test_it_forgets_the_cached_session_on_sign_out(world):
    http = world.login(world.coach)
    key = http.session.session_key
    http.post(reverse("account_logout"))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not store().exists(key)
    # The old cookie, sent again, signs nobody in.
    stale = HttpClient()
    stale.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stale.get(reverse("client_list")).status_code == 302


@pytest.mark.parametrize("fallback", [True, False])
def test_it_honours_an_old_secret_only_while_it_is_a_fallback(world, settings, fallback):
    """Rotating SECRET_KEY: a session signed under the old key survives while the old key is
    listed in SECRET_KEY_FALLBACKS (and is moved to the new key), and ends once it is not,
    exactly as Django's own sign-in check does."""
    old = settings.SECRET_KEY
    http = world.login(world.coach)
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789-abcdefghijklmnop"
    settings.SECRET_KEY_FALLBACKS = [old] if fallback else []
    response = http.get(reverse("client_list"))
    if fallback:
        assert response.status_code == 200
        assert http.session[HASH_SESSION_KEY] == world.coach.get_session_auth_hash()
    else:
        assert response.status_code == 302
