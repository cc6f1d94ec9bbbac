"""Jobs the worker runs on every recovery sweep (about every 30 seconds), registered by apps
above the outbox in their `AppConfig.ready()`: the outbox knows nothing of what they do. A
job should be cheap when there is nothing to do and safe to run twice (its own keys make it
so); a job that needs real work usually enqueues a task and returns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings

logger = logging.getLogger("flowcoach.outbox")

_jobs: list[Callable[[datetime], object]] = []


def register(job: Callable[[datetime], object]) -> None:
    if job not in _jobs:
        _jobs.append(job)


def run_all(now: datetime) -> int:
    """Runs every job; one that fails is logged and the others still run."""
    ran = len(run_daily(now))
    for job in list(_jobs):
        try:
            job(now)
            ran += 1
        except Exception:
            logger.exception("Periodic job %s failed", getattr(job, "__name__", job))
    return ran


_daily: dict[str, tuple[Callable[[datetime], object], int]] = {}
_last_day: dict[str, date] = {}


def register_daily(name: str, job: Callable[[datetime], object], *, hour: int = 2) -> None:
    """Runs `job(now)` once a day, at the first sweep at or after `hour` o'clock UTC. The
    day a job last ran is kept in the worker's memory: a restarted worker runs it again that
    day, so a daily job must be safe to repeat (retention and discarding are)."""
    _daily[name] = (job, hour)


def run_daily(now: datetime) -> list[str]:
    """The daily jobs due at `now`; called by `run_all` on every sweep."""
    if not getattr(settings, "FLOWCOACH_DAILY_JOBS", True):
        return []
    ran = []
    for name, (job, hour) in list(_daily.items()):
        if now.hour < hour or _last_day.get(name) == now.date():
            continue
        _last_day[name] = now.date()
        try:
            job(now)
            ran.append(name)
        except Exception:
            logger.exception("Daily job %s failed", name)
    return ran
