"""SQLite's durability setting: NORMAL in WAL mode unless the operator asks for FULL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def assert_wal_with_normal_sync(cursor) -> None:
    cursor.execute("PRAGMA synchronous")
    assert cursor.fetchone()[0] == 1, "synchronous is not NORMAL"
    cursor.execute("PRAGMA journal_mode")
    assert cursor.fetchone()[0] == "wal", "not in WAL mode"


@pytest.mark.django_db
def test_it_runs_sqlite_in_wal_mode_with_normal_sync():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    # The test database is a file (tests/conftest.py), opened with the app's own settings.
    with connection.cursor() as cursor:
        assert_wal_with_normal_sync(cursor)


@pytest.mark.parametrize(
    "broken",
    [":memory:", "file-in-rollback-journal"],
    ids=["in memory, where WAL cannot apply", "a file left in the default journal mode"],
)
def test_it_would_catch_a_database_not_in_wal_mode(tmp_path, broken):
    """The check above, against databases set up wrongly on purpose: it must fail on both (it
    used to accept "memory", and so passed whatever the journal mode)."""
    import sqlite3

    target = broken if broken == ":memory:" else str(tmp_path / "plain.sqlite3")
    with sqlite3.connect(target) as plain:
        plain.execute("PRAGMA synchronous=NORMAL")
        with pytest.raises(AssertionError, match="not in WAL mode"):
            assert_wal_with_normal_sync(plain.cursor())


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
