"""Background work for scheduling, run by the task worker (django-tasks).

`schedule_nudge_digests` is meant to run once a week (e.g. Monday morning, from cron or the
`send_schedule_nudges` command); running it more often is harmless because each coach's
digest has one key per ISO week.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from flowcoach.accounts.models import User

from . import coach_emails, selectors


def nudge_digests_draft(*, now: datetime | None = None) -> int:
    """Drafts (and approves) this week's digest for every coach who asked for one and has
    someone to schedule. Returns how many coaches got one."""
    now = now or timezone.now()
    drafted = 0
    coaches = User.objects.filter(nudge_setting__weekly_digest=True, is_active=True)
    for coach in coaches:
        engagements = selectors.clients_to_schedule(coach=coach, now=now)
        if coach_emails.coach_nudge_digest_draft(coach=coach, engagements=engagements, now=now):
            drafted += 1
    return drafted


@task()
def schedule_nudge_digests() -> int:
    return nudge_digests_draft()
