"""Check-ins for tests, made with the project's own services: world.client coached on the
Best Seller track with S1 held (and completed, with one commitment), a schedule whose latest
opening is a moment we choose, and the week opened by the rhythm itself."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from flowcoach.checkins import services
from flowcoach.checkins.models import Checkin
from flowcoach.coaching.models import CoachingSession, Commitment, Engagement
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from tests.session_helpers import enrol


def coached(world, *, client=None, coach=None, held_days_ago: int = 20) -> Engagement:
    """An engagement whose S1 was held `held_days_ago` days ago and completed, with one open
    commitment of the client from it."""
    engagement = enrol(world, client, coach)
    s1 = engagement.sessions.order_by("sequence").first()
    s1.status = CoachingSession.Status.SCHEDULED
    s1.starts_at = timezone.now() - timedelta(days=held_days_ago)
    s1.save()
    runner.commitment_save(
        session=s1, uuid=uuid.uuid4(), text="Ask for the next step on every call"
    )
    runner_clock.session_complete(session=s1, now=s1.starts_at + timedelta(hours=1))
    return engagement


def client_commitment(engagement: Engagement) -> Commitment:
    return Commitment.objects.filter(client=engagement.client).order_by("created_at").first()


def schedule_at(engagement: Engagement, moment: datetime) -> None:
    """A weekly schedule whose opening falls on `moment` (to the minute), client's clock."""
    local = moment.astimezone(ZoneInfo(engagement.client.time_zone))
    services.schedule_update(
        engagement=engagement,
        enabled=True,
        weekday=local.weekday(),
        local_time=local.time().replace(second=0, microsecond=0, tzinfo=None),
    )


def open_week(engagement: Engagement, ago: timedelta = timedelta(minutes=5)) -> Checkin:
    """Opens the week that began `ago` before now, as the rhythm would have then."""
    slot = (timezone.now() - ago).replace(second=0, microsecond=0)
    schedule_at(engagement, slot)
    services.open_weeks(slot + timedelta(seconds=30))
    return Checkin.objects.get(engagement=engagement, opens_at=slot)
