import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_it_reports_health_with_a_database_check(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' async escape hatch must not leak into a deployment check.
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    full_env = {k: v for k, v in os.environ.items() if k not in skip}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_no_warnings_under_the_production_profile(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        FLOWCOACH_PROFILE="production",
        SECRET_KEY="x7" * 30 + "-a-long-random-production-secret",
        ALLOWED_HOSTS="coach.example.org",
        FLOWCOACH_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_real_secret_key(tmp_path):
    result = _manage(
        "check",
        FLOWCOACH_PROFILE="production",
        SECRET_KEY="short",
        FLOWCOACH_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_it_serves_friendly_404_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We couldn't find that" in response.content


def test_it_points_emailed_links_at_the_port_make_serve_uses(tmp_path):
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = _manage("shell", "--no-imports", "-c", code, FLOWCOACH_PORT="8123")
    assert result.stdout.strip() == "http://127.0.0.1:8123", result.stderr
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        FLOWCOACH_PORT="8123",
        SITE_URL="https://c.example.org/",
    )
    assert result.stdout.strip() == "https://c.example.org"


def test_it_asks_for_a_password_option_when_no_terminal_can_type_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "create_organisation", "Quiet Co"]
        + ["--admin-email", "q@example.org", "--admin-name", "Q"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "add --password PASSWORD, or --no-password" in result.stderr
