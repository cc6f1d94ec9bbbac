"""Jobs the worker runs on every recovery sweep (about every 30 seconds), registered by apps
above the outbox in their `AppConfig.ready()`: the outbox knows nothing of what they do. A
job should be cheap when there is nothing to do and safe to run twice (its own keys make it
so); a job that needs real work usually enqueues a task and returns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

logger = logging.getLogger("flowcoach.outbox")

_jobs: list[Callable[[datetime], object]] = []


def register(job: Callable[[datetime], object]) -> None:
    if job not in _jobs:
        _jobs.append(job)


def run_all(now: datetime) -> int:
    """Runs every job; one that fails is logged and the others still run."""
    ran = 0
    for job in list(_jobs):
        try:
            job(now)
            ran += 1
        except Exception:
            logger.exception("Periodic job %s failed", getattr(job, "__name__", job))
    return ran
