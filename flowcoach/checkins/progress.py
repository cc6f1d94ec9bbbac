"""The check-in part of a client's progress page (insights/progress.py): the weekly rhythm as
a calendar of weeks, and energy, identity and role ratings over time. Ratings and states
only, no answer's words: the same section serves the coach and the client's own portal."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from flowcoach.clients.models import Client
from flowcoach.insights.charts import Series, lines

from .models import Checkin

SYMBOLS = {
    Checkin.State.ANSWERED: ("✓", "answered"),
    Checkin.State.LATE: ("◐", "answered late"),
    Checkin.State.MISSED: ("✗", "missed"),
    Checkin.State.OPEN: ("○", "open"),
}
RATINGS = [
    (Series("energy", "Energy (1–10)", "circle"), "energy"),
    (Series("identity", "Identity (0–10)", "square"), "identity_rating"),
    (Series("role", "Role (0–10)", "triangle"), "role_rating"),
]


def checkin_section(client: Client, months: list[date], shared_only: bool) -> dict | None:
    zone = ZoneInfo(client.organisation.time_zone or "UTC")
    start = datetime.combine(months[0], time.min, zone)
    weeks = list(
        Checkin.objects.filter(client=client, opens_at__gte=start)
        .order_by("opens_at")
        .values_list("opens_at", "state", "energy", "identity_rating", "role_rating")
    )
    if not weeks:
        return {
            "title": "Weekly check-ins",
            "template": "checkins/progress_section.html",
            "weeks": [],
        }
    cells = []
    per_month: dict[date, Counter] = {month: Counter() for month in months}
    for opens_at, state, *_ in weeks:
        day = timezone.localtime(opens_at, zone).date()
        symbol, word = SYMBOLS.get(state, ("?", state))
        cells.append({"day": day, "state": state, "symbol": symbol, "word": word})
        month = day.replace(day=1)
        if month in per_month:
            per_month[month][state] += 1
    names = [timezone.localtime(w[0], zone).strftime("%-d %b") for w in weeks]
    chart = lines(
        "Energy and ratings week by week",
        names,
        [(series, [w[2 + index] for w in weeks]) for index, (series, _) in enumerate(RATINGS)],
        top=10,
    )
    latest = next((m for m in reversed(months) if sum(per_month[m].values())), None)
    reading = ""
    if latest is not None:
        counts = per_month[latest]
        settled = counts[Checkin.State.ANSWERED] + counts[Checkin.State.LATE]
        closed = settled + counts[Checkin.State.MISSED]
        late = f" ({counts[Checkin.State.LATE]} late)" if counts[Checkin.State.LATE] else ""
        reading = f"Answered {settled} of {closed} check-ins in {latest:%B}{late}."
    return {
        "title": "Weekly check-ins",
        "template": "checkins/progress_section.html",
        "weeks": cells,
        "months": [(month, per_month[month]) for month in months],
        "chart": chart,
        "ratings": [
            {"day": names[index], "energy": w[2], "identity": w[3], "role": w[4]}
            for index, w in enumerate(weeks)
        ],
        "reading": reading,
        "symbols": list(SYMBOLS.values()),
    }
