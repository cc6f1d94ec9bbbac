"""SQLite's durability setting: NORMAL in WAL mode unless the operator asks for FULL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_it_runs_sqlite_in_wal_mode_with_normal_sync():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
        cursor.execute("PRAGMA journal_mode")
        # The test database lives in memory, where WAL does not apply.
        assert cursor.fetchone()[0] in ("wal", "memory")


def test_it_refuses_an_unknown_sqlite_sync_mode(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(FLOWCOACH_SQLITE_SYNCHRONOUS="sometimes", FLOWCOACH_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "FLOWCOACH_SQLITE_SYNCHRONOUS must be NORMAL or FULL" in result.stderr
