"""Sessions for tests, made with the project's own services: world.client enrolled on the
built-in Best Seller sales track, sessions booked through scheduling, and a track whose first
sessions are already held. Browser tests use them too (the built-in programs come back after
each transactional test's flush, through post_migrate)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from flowcoach.coaching import services
from flowcoach.coaching.models import CoachingSession, Engagement
from flowcoach.coaching.runner import services as runner
from flowcoach.programs.models import Program


def enrol(world, client=None, coach=None) -> Engagement:
    """A new Best Seller engagement, of world.client with world.coach unless told. A client
    has one active engagement per program, so an earlier one is marked completed first (tests
    that want more history call this twice)."""
    client = client or world.client
    program = Program.objects.get(organisation=None, slug="best-seller")
    earlier = Engagement.objects.filter(
        client=client, program=program, status=Engagement.Status.ACTIVE
    )
    earlier.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    earlier.update(status=Engagement.Status.COMPLETED)
    return services.engagement_enrol(client=client, program=program, coach=coach or world.coach)


def local_day(days: int, hour: int = 10) -> datetime:
    """A wall-clock time (no zone) `days` from today, on the hour."""
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0)


def book(session: CoachingSession, days: int, **extra) -> CoachingSession:
    """Books the session `days` from today at 10:00 in its client's zone, as the coach would."""
    return services.session_schedule(
        session=session,
        starts_local=local_day(days),
        time_zone=session.engagement.client.time_zone,
        duration_minutes=50,
        video_link="https://meet.example.org/prep",
        **extra,
    )


def held_track(world, topics: dict[int, list[str]]) -> list[CoachingSession]:
    """world.client's sales track, S1 to S3 held a week apart (the last a week ago), with the
    topic candidates collected in the held sessions given by their index."""
    sessions = list(enrol(world).sessions.order_by("sequence"))
    for index, session in enumerate(sessions[:3]):
        session.status = CoachingSession.Status.HELD
        session.starts_at = timezone.now() - timedelta(days=21 - 7 * index)
        session.save()
    for index, candidates in topics.items():
        record = runner.record_of(sessions[index])
        runner.record_save(
            session=sessions[index], base_version=record.version, topic_candidates=candidates
        )
    return sessions
