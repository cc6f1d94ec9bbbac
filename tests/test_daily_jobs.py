"""The worker's once-a-day jobs: retention runs from the periodic jobs the worker's sweep
calls, once a day from its hour, and a failing job does not stop the others."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flowcoach.coaching.models import SessionNote
from flowcoach.outbox import periodic
from tests.session_helpers import enrol


def test_it_applies_retention_once_a_day_from_the_workers_sweep(world, settings, monkeypatch):
    settings.FLOWCOACH_DAILY_JOBS = True
    monkeypatch.setattr(periodic, "_last_day", {})
    world.org.retention = {"session_notes": 7}
    world.org.save()
    engagement = enrol(world)
    session = engagement.sessions.first()
    SessionNote.objects.create(session=session, author=world.coach, uuid=uuid.uuid4(), body="x")
    engagement.ended_at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    engagement.save()

    early = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)  # before the daily hour
    assert "retention" not in periodic.run_daily(early)
    assert SessionNote.objects.count() == 1
    later = datetime(2026, 12, 6, 2, 5, tzinfo=UTC)
    periodic.run_all(later)  # what the worker's sweep calls, with its clock
    assert SessionNote.objects.count() == 0
    assert periodic.run_daily(later + timedelta(hours=5)) == [], "once a day"
    assert "retention" in periodic.run_daily(later + timedelta(days=1))


def test_it_keeps_running_the_others_when_one_fails(settings, monkeypatch, caplog):
    settings.FLOWCOACH_DAILY_JOBS = True
    monkeypatch.setattr(periodic, "_daily", {})
    monkeypatch.setattr(periodic, "_last_day", {})
    ran = []

    def broken(now):
        raise RuntimeError("boom")

    periodic.register_daily("broken", broken, hour=0)
    periodic.register_daily("fine", ran.append, hour=0)
    now = datetime(2026, 12, 6, 3, tzinfo=UTC)
    assert periodic.run_daily(now) == ["fine"]
    assert ran == [now] and "Daily job broken failed" in caplog.text


def test_it_runs_no_daily_job_when_switched_off(settings, monkeypatch):
    settings.FLOWCOACH_DAILY_JOBS = False
    monkeypatch.setattr(periodic, "_last_day", {})
    assert periodic.run_daily(datetime(2026, 12, 6, 3, tzinfo=UTC)) == []
