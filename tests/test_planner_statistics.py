"""SQLite keeps no planner statistics by itself: a daily job analyses the database so an
install that grows past a few clients keeps good plans. PostgreSQL's autovacuum does it
there, so the daily job leaves it alone; a bulk load asks for it on both."""

from datetime import UTC, datetime

from django.db import connection

from flowcoach.lib import planner
from flowcoach.outbox import periodic
from tests.conftest import make_user


def _sqlite_statistics() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return 0
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1")
        return cursor.fetchone()[0]


def test_it_analyses_sqlite_every_day_and_leaves_postgresql_to_autovacuum(db, settings):
    make_user("stats@example.org", "Stella Stats")
    settings.FLOWCOACH_DAILY_JOBS = True
    ran = periodic.run_daily(datetime(2031, 3, 4, 3, tzinfo=UTC))
    assert "planner_statistics" in ran
    if connection.vendor == "sqlite":
        assert _sqlite_statistics() > 0
    assert planner.refresh_statistics() is (connection.vendor == "sqlite")


def test_it_analyses_either_database_after_a_bulk_load(db):
    make_user("bulk@example.org", "Bo Bulk")
    assert planner.refresh_statistics(postgresql_too=True) is True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'accounts_user'"
            )
            assert cursor.fetchone()[0]
    else:
        assert _sqlite_statistics() > 0
