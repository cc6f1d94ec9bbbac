"""Sign-in limits an attacker cannot turn against other people, counted in one store that
every worker process shares (issue #11, finding 1)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent

WORKER_ONE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.test import Client
from flowcoach.accounts import services
services.user_create(email="coach@limits.test", full_name="Coach", password="{password}")
for _ in range(5):
    response = Client().post("/accounts/login/", {{"login": "coach@limits.test", "password": "wrong"}})
    assert b"not correct" in response.content, response.content[:500]
print("five failures counted")
"""

WORKER_TWO = """
import django
django.setup()
from django.test import Client
http = Client()
response = http.post("/accounts/login/", {{"login": "coach@limits.test", "password": "{password}"}})
print("signed in" if http.session.get("_auth_user_id") else response.content.decode())
"""


def _run_worker(code: str, var_dir: Path) -> str:
    # Each call is a separate process, as two gunicorn workers are; they share only the
    # database file in var_dir.
    skip = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(FLOWCOACH_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="flowcoach.settings")
    result = subprocess.run(
        [sys.executable, "-c", code.format(password=PASSWORD)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_it_counts_failures_per_account_across_worker_processes(tmp_path):
    assert "five failures counted" in _run_worker(WORKER_ONE, tmp_path)
    # A second process sees the first one's five failures: the sixth try is refused even
    # with the right password. With a per-process cache it signed in.
    answer = _run_worker(WORKER_TWO, tmp_path)
    assert "Too many failed login attempts" in answer


def test_it_uses_a_shared_cache_by_default():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }


@pytest.mark.django_db
def test_it_does_not_let_made_up_addresses_lock_out_others_on_the_same_address(world):
    office = "203.0.113.7"
    attacker = HttpClient(REMOTE_ADDR=office)
    for _ in range(60):
        response = attacker.post(
            reverse("account_login"),
            {"login": f"{uuid.uuid4().hex[:10]}@made-up.test", "password": "guess"},
        )
        assert response.status_code == 200
    colleague = HttpClient(REMOTE_ADDR=office)
    colleague.post(reverse("account_login"), {"login": world.coach.email, "password": PASSWORD})
    assert colleague.session.get("_auth_user_id") == str(world.coach.pk)


@pytest.mark.django_db
def test_it_still_stops_guessing_at_one_account_from_many_addresses(world):
    for n in range(5):
        HttpClient(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
            reverse("account_login"), {"login": world.admin.email, "password": "guess"}
        )
    late = HttpClient(REMOTE_ADDR="198.51.100.77")
    response = late.post(
        reverse("account_login"), {"login": world.admin.email, "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert late.session.get("_auth_user_id") is None


@pytest.mark.django_db
def test_it_reads_the_visitors_address_from_a_trusted_proxy(settings, rf):
    from allauth.core.internal.ratelimit import get_ip

    request = rf.post("/accounts/login/", REMOTE_ADDR="10.0.0.2")
    request.META["HTTP_X_FORWARDED_FOR"] = "192.0.2.44"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    # Not trusted: the header is ignored, or anyone could choose their address.
    assert get_ip(request) == "10.0.0.2"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert get_ip(request) == "192.0.2.44"


def test_it_takes_the_trusted_proxy_count_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(FLOWCOACH_VAR_DIR=str(tmp_path), FLOWCOACH_TRUSTED_PROXY_COUNT="1")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from flowcoach import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "1", result.stderr
