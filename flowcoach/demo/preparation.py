"""Demo preparation: ticks on both checklists of the sessions booked today, topic candidates
collected in Marcus's sales sessions, and his next two open sessions booked, one with its
topic chosen and one still waiting for it (so the warning shows). Every step checks what is
already there, so a second run changes nothing."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from flowcoach.coaching import services as coaching
from flowcoach.coaching.models import CoachingSession, PreparationTick
from flowcoach.coaching.preparation import services as preparation
from flowcoach.coaching.runner import services as runner
from flowcoach.demo.engagements import VIDEO

SALES_CLIENT = "marcus@example.org"
# What Marcus raised in his first two sales sessions, to choose open-session topics from.
CANDIDATES = {
    "S1": ["Buyers who go quiet after a demo", "Keeping energy up on call-heavy days"],
    "S2": ["Holding the price without sounding defensive", "Buyers who go quiet after a demo"],
}
CHOSEN_TOPIC = "Holding the price without sounding defensive"
# (coach's items, client's items) ticked on the sessions booked today, by client.
TICKS = {"marcus@example.org": ([0, 1], [0, 1]), "nadia@example.org": ([0], [0])}


def _today(session: CoachingSession) -> bool:
    zone = zoneinfo.ZoneInfo(session.engagement.client.time_zone)
    return session.starts_at.astimezone(zone).date() == timezone.now().astimezone(zone).date()


def _tick_today(organisation) -> None:
    booked = CoachingSession.objects.filter(
        engagement__organisation=organisation,
        engagement__client__email__in=list(TICKS),
        status=CoachingSession.Status.SCHEDULED,
        starts_at__isnull=False,
    ).select_related("engagement__client", "template_version")
    for session in booked:
        if not _today(session):
            continue
        coach_items, client_items = TICKS[session.engagement.client.email]
        for side, items in (
            (PreparationTick.Side.COACH, coach_items),
            (PreparationTick.Side.CLIENT, client_items),
        ):
            for item in items:
                if item < len(preparation.items_of(session, side)):
                    PreparationTick.objects.get_or_create(session=session, side=side, item=item)


def _book(session: CoachingSession, in_days: int, topic: str) -> None:
    client = session.engagement.client
    day = timezone.now().astimezone(zoneinfo.ZoneInfo(client.time_zone)).date()
    coaching.session_schedule(
        session=session,
        starts_local=datetime.combine(day + timedelta(days=in_days), time(15, 0)),
        time_zone=client.time_zone,
        duration_minutes=session.duration_minutes,
        video_link=VIDEO.format(slug=client.first_name.lower()),
        open_topic=topic,
    )


def _open_sessions(organisation) -> None:
    sessions = {
        s.code: s
        for s in CoachingSession.objects.filter(
            engagement__organisation=organisation,
            engagement__client__email=SALES_CLIENT,
            engagement__program__slug="best-seller",
        ).select_related("engagement__client", "template_version")
    }
    for code, topics in CANDIDATES.items():
        session = sessions.get(code)
        if session is None or session.status != CoachingSession.Status.HELD:
            continue
        record = runner.record_of(session)
        if not record.topic_candidates:
            runner.record_save(
                session=session, base_version=record.version, topic_candidates=topics
            )
    for code, in_days, topic in (("S4", 9, CHOSEN_TOPIC), ("S5", 16, "")):
        session = sessions.get(code)
        if session is not None and session.status == CoachingSession.Status.UNSCHEDULED:
            _book(session, in_days, topic)


def seed_preparation(organisation) -> None:
    _tick_today(organisation)
    _open_sessions(organisation)
