"""What check-ins add to lower floors without them importing this app: the coach's
preparation view and runner review, the client's portal, the records download, and the
worker's sweep. Registered from `CheckinsConfig.ready()`."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q

from flowcoach.accounts import hooks, retention
from flowcoach.clients.models import Client
from flowcoach.coaching import hooks as seams
from flowcoach.insights import exports
from flowcoach.insights.figures import RateSource, register_rate
from flowcoach.insights.progress import register_section
from flowcoach.outbox import periodic

from . import selectors, services
from . import story as checkin_story
from .models import Checkin
from .progress import checkin_section
from .retention import CHECKIN_ANSWERS


def session_checkins(*, client: Client, since: datetime | None, until: datetime) -> dict:
    data = selectors.since_last_session(client, since, until)
    count = len(data["weeks"]) + len(data["updates"]) + len(data["logs"])
    return {"template": "checkins/_coach_card.html", "count": count, **data}


def portal_card(*, client: Client, now: datetime) -> dict:
    week = selectors.current_week(client, now)
    return {
        "template": "checkins/_portal_card.html",
        "week": week,
        "closes_text": selectors.local_text(selectors.rhythm.closing_time(week), client.time_zone)
        if week
        else "",
    }


def client_records(*, client: Client) -> dict:
    return {"key": "checkins_and_progress", "data": selectors.client_records(client)}


def client_records_markdown(*, records: dict) -> list[str]:
    return selectors.client_records_markdown(records)


def rhythm_job(now: datetime) -> dict[str, int] | None:
    """The worker's sweep runs the weekly rhythm (open, remind, close) every half minute.
    Cheap when nothing is due, and safe twice: each week and each email has its own key."""
    if not settings.FLOWCOACH_CHECKIN_RHYTHM:
        return None
    return services.rhythm_run(now)


def register_all() -> None:
    hooks.register(seams.SESSION_CHECKINS, session_checkins)
    hooks.register(seams.PORTAL_CARDS, portal_card)
    hooks.register(seams.CLIENT_RECORDS, client_records)
    hooks.register(seams.CLIENT_RECORDS_MARKDOWN, client_records_markdown)
    periodic.register(rhythm_job)
    retention.register(CHECKIN_ANSWERS)
    # The organisation figures' check-in response rate (states and dates only).
    register_rate(
        "checkins",
        RateSource(
            rows=selectors.response_rate_rows,
            when="opens_at",
            coach="engagement__coach_id",
            client="client_id",
            met=~Q(state=Checkin.State.MISSED),
        ),
    )
    # The coach's practice export gets a table of check-ins (coach-only downloads).
    exports.register_table(
        exports.Table(
            "checkins",
            "Check-ins",
            selectors.EXPORT_COLUMNS,
            selectors.export_rows,
            selectors.export_count,
        )
    )
    # The progress page's weekly rhythm and ratings (coach's page and the client's own).
    register_section(checkin_section)
    # The coach's timeline of the client, and "gone quiet" (a check-in answer is a sign of life).
    checkin_story.register()
