"""Reads for the check-in pages, the coach's preparation and runner, the client's records
download, and (through plain functions the coach's home can call) the client timeline.
Each is a fixed number of queries whatever the length of the history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from flowcoach.accounts.models import Organisation
from flowcoach.clients.models import Client
from flowcoach.coaching.models import Commitment, Reflection
from flowcoach.lib.timezones import place_name

from . import rhythm
from .models import Checkin, CheckinCommitment, CommitmentUpdate, ProgressLog

WORD_LABELS = dict(Reflection.choices)
QUESTIONS = [
    ("more", "What will you do more of?"),
    ("better", "What will you do better?"),
    ("different", "What will you do differently?"),
]
# How the client names a commitment's state on their own forms.
CLIENT_STATE_CHOICES = [
    (Commitment.State.OPEN, "Still working on it"),
    (Commitment.State.KEPT, "Kept"),
    (Commitment.State.PARTLY_KEPT, "Partly kept"),
    (Commitment.State.MISSED, "Missed"),
    (Commitment.State.DROPPED, "Dropped"),
]
CLIENT_STATE_LABELS = dict(CLIENT_STATE_CHOICES)


def visible_commitments(client: Client) -> QuerySet[Commitment]:
    """The client's own commitments they can see and update: made outside a session (from a
    check-in) or in a session its coach has completed (the portal's rule)."""
    return (
        Commitment.objects.filter(client=client, owner=Commitment.Owner.CLIENT)
        .filter(Q(session__isnull=True) | Q(session__record__completed_at__isnull=False))
        .select_related("session", "checkin_source")
        .order_by("created_at", "id")
    )


def current_week(client: Client, now: datetime | None = None) -> Checkin | None:
    """The client's check-in still open for answers, newest first."""
    now = now or timezone.now()
    for checkin in Checkin.objects.filter(client=client, closed_at__isnull=True).select_related(
        "engagement"
    )[:3]:
        if not rhythm.is_closed(checkin, now):
            return checkin
    return None


def answer_form(checkin: Checkin) -> dict:
    """What the check-in form shows: the week's answers, the commitments it asks about (open
    ones, and those this week already marked), and which answers became commitments."""
    updates = {
        u.commitment_id: u
        for u in CommitmentUpdate.objects.filter(checkin=checkin).order_by("created_at")
    }
    conversions = {c.word: c for c in CheckinCommitment.objects.filter(checkin=checkin)}
    made_here = {c.commitment_id for c in conversions.values()}
    rows = []
    for commitment in visible_commitments(checkin.client).filter(
        Q(state=Commitment.State.OPEN) | Q(pk__in=list(updates))
    ):
        if commitment.pk in made_here:
            continue
        update = updates.get(commitment.pk)
        rows.append({"commitment": commitment, "update": update})
    zone = checkin.client.time_zone
    closes = rhythm.closing_time(checkin)
    return {
        "checkin": checkin,
        "questions": [
            {
                "word": word,
                "label": label,
                "value": getattr(checkin, word),
                "committed": word in conversions,
                "tag": WORD_LABELS[word],
            }
            for word, label in QUESTIONS
        ],
        "commitment_rows": rows,
        "state_choices": CLIENT_STATE_CHOICES,
        "closes_text": local_text(closes, zone),
        "opened_text": local_day(checkin.opens_at, zone),
        "energy_range": range(1, 11),
        "rating_range": range(0, 11),
    }


def local_day(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b}"


def local_text(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} {place_name(zone)}"


# --- the client's commitments page ---------------------------------------------------------------


def client_commitments(client: Client) -> list[dict]:
    """Each visible commitment with its updates and progress lines, open ones first."""
    commitments = list(visible_commitments(client))
    ids = [c.pk for c in commitments]
    updates: dict[int, list] = {}
    for u in CommitmentUpdate.objects.filter(commitment_id__in=ids).order_by("created_at", "id"):
        updates.setdefault(u.commitment_id, []).append(u)
    logs: dict[int, list] = {}
    for log in ProgressLog.objects.filter(commitment_id__in=ids).order_by("-day", "-created_at"):
        logs.setdefault(log.commitment_id, []).append(log)
    rows = [
        {
            "commitment": c,
            "word": WORD_LABELS.get(_source_word(c), ""),
            "state_label": CLIENT_STATE_LABELS.get(c.state, c.get_state_display()),
            "updates": updates.get(c.pk, []),
            "logs": logs.get(c.pk, []),
        }
        for c in commitments
    ]
    rows.sort(key=lambda r: r["commitment"].state != Commitment.State.OPEN)
    return rows


def _source_word(commitment: Commitment) -> str:
    try:
        return commitment.checkin_source.word
    except CheckinCommitment.DoesNotExist:
        return ""


# --- what the coach reads ------------------------------------------------------------------------


def since_last_session(client: Client, since: datetime | None, until: datetime) -> dict:
    """Check-ins, commitment updates and progress lines between the last held session and
    now, for the coach's preparation view and the runner's review."""
    weeks = Checkin.objects.filter(client=client, opens_at__lte=until)
    updates = CommitmentUpdate.objects.filter(commitment__client=client, updated_at__lte=until)
    logs = ProgressLog.objects.filter(commitment__client=client, created_at__lte=until)
    if since is not None:
        weeks = weeks.filter(opens_at__gt=since)
        updates = updates.filter(updated_at__gt=since)
        logs = logs.filter(created_at__gt=since)
    weeks = list(weeks.order_by("opens_at"))
    conversions: dict[int, list] = {}
    for c in CheckinCommitment.objects.filter(checkin__in=weeks).select_related("commitment"):
        conversions.setdefault(c.checkin_id, []).append(c)
    zone = client.coach.time_zone if client.coach else "UTC"
    return {
        "weeks": [
            {
                "checkin": w,
                "day": local_day(w.opens_at, zone),
                "questions": [
                    {"label": WORD_LABELS[word], "text": getattr(w, word)}
                    for word, _ in QUESTIONS
                    if getattr(w, word)
                ],
                "conversions": [
                    {"word": WORD_LABELS[c.word], "text": c.commitment.text}
                    for c in conversions.get(w.pk, [])
                ],
            }
            for w in weeks
        ],
        "updates": list(updates.select_related("commitment").order_by("updated_at", "id")),
        "logs": list(logs.select_related("commitment").order_by("day", "created_at")),
        "state_labels": CLIENT_STATE_LABELS,
    }


def engagement_history(engagement) -> dict:
    """Every check-in of one engagement for its coach, newest first, with the ratings as a
    series (oldest first) so the coach sees identity and role move over time."""
    weeks = list(Checkin.objects.filter(engagement=engagement).order_by("-opens_at"))
    zone = engagement.coach.time_zone
    counts = dict.fromkeys(Checkin.State.values, 0)
    for w in weeks:
        counts[w.state] += 1
    ratings = [
        {
            "day": local_day(w.opens_at, zone),
            "energy": w.energy,
            "identity": w.identity_rating,
            "role": w.role_rating,
        }
        for w in reversed(weeks)
        if w.is_answered
    ]
    return {
        "weeks": [
            {
                "checkin": w,
                "day": local_day(w.opens_at, zone),
                "questions": [
                    {"label": WORD_LABELS[word], "text": getattr(w, word)}
                    for word, _ in QUESTIONS
                    if getattr(w, word)
                ],
            }
            for w in weeks
        ],
        "counts": counts,
        "ratings": ratings,
    }


def organisation_counts(organisation: Organisation) -> dict[str, int]:
    """For an admin: how many check-ins are in each state, and nothing of what they say."""
    counts = dict.fromkeys(Checkin.State.values, 0)
    for state in Checkin.objects.filter(engagement__organisation=organisation).values_list(
        "state", flat=True
    ):
        counts[state] += 1
    return counts


def response_rate_rows(organisation: Organisation, start: datetime, end: datetime):
    """For the organisation figures: each week sent in the period whose answer is settled
    (answered, late or missed; an open week is not yet a miss). The figures count them by
    coach and month in the database; they read states and dates only, never words."""
    return Checkin.objects.filter(
        engagement__organisation=organisation, opens_at__gte=start, opens_at__lt=end
    ).exclude(state=Checkin.State.OPEN)


EXPORT_COLUMNS = [
    "client",
    "client_email",
    "week_of",
    "state",
    "answered_at",
    "more",
    "better",
    "different",
    "energy",
    "identity_rating",
    "role_rating",
    "note",
]


def export_count(clients) -> int:
    return Checkin.objects.filter(client__in=clients).count()


def export_rows(clients):
    """The coach's export of their practice (insights/exports.py): every week of each
    client, streamed. Only a coach downloads it, for their own clients."""
    weeks = (
        Checkin.objects.filter(client__in=clients)
        .select_related("client")
        .order_by("client_id", "opens_at", "pk")
    )
    for w in weeks.iterator(chunk_size=2000):
        yield {
            "client": w.client.full_name,
            "client_email": w.client.email,
            "week_of": w.opens_at.isoformat(),
            "state": w.state,
            "answered_at": w.answered_at.isoformat() if w.answered_at else "",
            "more": w.more,
            "better": w.better,
            "different": w.different,
            "energy": w.energy,
            "identity_rating": w.identity_rating,
            "role_rating": w.role_rating,
            "note": w.note,
        }


# --- for the client timeline (the coach's home wires these in) ----------------------------------


def checkin_events_for_client(client: Client) -> list[dict]:
    """Check-ins answered and missed, commitment updates and progress lines, newest first, as
    {"at", "kind", "title", "detail"} rows for the coach's timeline of the client."""
    events = []
    for w in Checkin.objects.filter(client=client).exclude(state=Checkin.State.OPEN):
        if w.is_answered:
            late = " (late)" if w.state == Checkin.State.LATE else ""
            energy = f"energy {w.energy}/10" if w.energy else ""
            events.append(
                {
                    "at": w.answered_at,
                    "kind": "checkin",
                    "title": f"Check-in answered{late}",
                    "detail": energy,
                }
            )
        elif w.closed_at is not None:
            events.append(
                {
                    "at": w.closed_at,
                    "kind": "checkin_missed",
                    "title": "Check-in missed",
                    "detail": "",
                }
            )
    for u in CommitmentUpdate.objects.filter(commitment__client=client).select_related(
        "commitment"
    ):
        events.append(
            {
                "at": u.updated_at,
                "kind": "commitment_update",
                "title": f"Commitment marked {CLIENT_STATE_LABELS[u.state].lower()}",
                "detail": u.commitment.text,
            }
        )
    for log in ProgressLog.objects.filter(commitment__client=client).select_related("commitment"):
        events.append(
            {
                "at": log.created_at,
                "kind": "progress_log",
                "title": "Progress logged",
                "detail": log.text,
            }
        )
    events.sort(key=lambda e: e["at"], reverse=True)
    return events


def last_checkin_at_by_client(clients: Iterable[Client]) -> dict[int, datetime]:
    """When each client last answered a check-in (clients who never did are left out)."""
    ids = [c.pk for c in clients]
    rows = (
        Checkin.objects.filter(client_id__in=ids, answered_at__isnull=False)
        .values("client_id")
        .annotate(last=Max("answered_at"))
    )
    return {row["client_id"]: row["last"] for row in rows}


# --- the client's records download ---------------------------------------------------------------


def client_records(client: Client) -> dict:
    """The client's check-ins and commitment progress, in their own words, JSON-ready."""
    weeks = Checkin.objects.filter(client=client).order_by("opens_at")
    conversions: dict[int, list] = {}
    for c in CheckinCommitment.objects.filter(checkin__client=client).select_related("commitment"):
        conversions.setdefault(c.checkin_id, []).append(c)
    updates = CommitmentUpdate.objects.filter(
        commitment__in=visible_commitments(client)
    ).select_related("commitment")
    logs = ProgressLog.objects.filter(commitment__in=visible_commitments(client)).select_related(
        "commitment"
    )
    return {
        "checkins": [
            {
                "opened_at": w.opens_at.isoformat(),
                "state": w.state,
                "state_label": w.get_state_display(),
                "answered_at": w.answered_at.isoformat() if w.answered_at else None,
                "more": w.more,
                "better": w.better,
                "different": w.different,
                "energy": w.energy,
                "identity_rating": w.identity_rating,
                "role_rating": w.role_rating,
                "note_to_my_coach": w.note,
                "new_commitments": [
                    {"word": c.word, "text": c.commitment.text} for c in conversions.get(w.pk, [])
                ],
            }
            for w in weeks
        ],
        "commitment_updates": [
            {
                "commitment": u.commitment.text,
                "state": u.state,
                "state_label": CLIENT_STATE_LABELS[u.state],
                "comment": u.comment,
                "at": u.updated_at.isoformat(),
            }
            for u in updates.order_by("created_at", "id")
        ],
        "progress_logs": [
            {"commitment": log.commitment.text, "day": log.day.isoformat(), "text": log.text}
            for log in logs.order_by("day", "created_at", "id")
        ],
    }


def client_records_markdown(records: dict) -> list[str]:
    """The Markdown of `client_records`, written as the client would say it."""
    data = records.get("checkins_and_progress") or {}
    lines = ["", "## My weekly check-ins"]
    if not data.get("checkins"):
        lines += ["", "None yet."]
    for week in data.get("checkins", []):
        lines += ["", f"### Week of {week['opened_at'][:10]} ({week['state_label']})", ""]
        for word, label in (("more", "More"), ("better", "Better"), ("different", "Differently")):
            if week[word]:
                lines.append(f"- **{label}:** {week[word]}")
        if week["energy"]:
            lines.append(f"- **My energy:** {week['energy']} of 10")
        if week["identity_rating"] is not None:
            lines.append(f"- **Me as a person:** {week['identity_rating']} of 10")
        if week["role_rating"] is not None:
            lines.append(f"- **Me in my role:** {week['role_rating']} of 10")
        if week["note_to_my_coach"]:
            lines.append(f"- **My note to my coach:** {week['note_to_my_coach']}")
        for c in week["new_commitments"]:
            lines.append(f"- **I committed to ({c['word']}):** {c['text']}")
    lines += ["", "## How my commitments went", ""]
    rows = [
        f"- {u['at'][:10]}: {u['commitment']}: {u['state_label']}"
        + (f" ({u['comment']})" if u["comment"] else "")
        for u in data.get("commitment_updates", [])
    ]
    lines += rows or ["None yet."]
    lines += ["", "## My progress log", ""]
    rows = [f"- {p['day']}: {p['commitment']}: {p['text']}" for p in data.get("progress_logs", [])]
    lines += rows or ["None yet."]
    return lines
