"""What Home shows: for a coach, what needs doing today and this week; for an admin, what
needs an admin, in counts only. Each section is one or two queries whatever the size of the
practice (tests/test_home_queries.py counts them at two sizes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from flowcoach.accounts.models import Invitation, Membership, Organisation, Role, User
from flowcoach.clients import story
from flowcoach.clients.models import Client
from flowcoach.coaching import selectors as coaching
from flowcoach.coaching.models import CoachingSession, Commitment, Engagement
from flowcoach.lib import dates
from flowcoach.outbox import selectors as outbox
from flowcoach.outbox.models import Message, State

# Rows shown per section; the rest are one click away (Outbox, Sessions, Clients).
LIMIT = 8
QUIET_DAYS = 14
# A held session's recap counts as overdue when its follow-up has not gone by its time, or,
# with no follow-up drafted at all, a day after the session. Older than this window, a
# missing recap is history, not a to-do.
FOLLOW_UP_GRACE = timedelta(days=1)
FOLLOW_UP_WINDOW = timedelta(days=30)


def day_start(day: date, time_zone: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), dates.local_zone(time_zone))


@dataclass
class Section:
    items: list
    more: bool = False
    total: int | None = None


@dataclass
class CoachHome:
    today: date
    zone: str
    today_sessions: list[dict]
    week_sessions: list[dict]
    drafts: Section
    follow_ups: Section
    commitments: Section
    to_schedule: Section
    quiet: Section


def _cut(rows: list) -> Section:
    return Section(rows[:LIMIT], more=len(rows) > LIMIT)


def week_sessions(coach: User, organisation: Organisation, *, now: datetime) -> list[dict]:
    """The coach's booked sessions from the start of today to the end of the coming week, in
    the coach's zone, each with its day in words and the client's time when it differs."""
    zone = coach.time_zone
    today = dates.today_in(zone, now)
    sessions = (
        CoachingSession.objects.filter(
            engagement__coach=coach,
            engagement__organisation=organisation,
            status=CoachingSession.Status.SCHEDULED,
            starts_at__gte=day_start(today, zone),
            starts_at__lt=day_start(dates.week_end(today) + timedelta(days=1), zone),
        )
        .select_related("engagement__client", "engagement__program")
        .order_by("starts_at", "pk")
    )
    rows = []
    for session in sessions:
        client = session.engagement.client
        mine = dates.local(session.starts_at, zone)
        theirs = ""
        if client.time_zone != zone:
            there = dates.local(session.starts_at, client.time_zone)
            theirs = f"{there:%H:%M} {dates.zone_place(client.time_zone)} for {client.first_name}"
        rows.append(
            {
                "session": session,
                "client": client,
                "is_today": mine.date() == today,
                "day": dates.day_words(mine.date(), today),
                "time": f"{mine:%H:%M}",
                "theirs": theirs,
            }
        )
    return rows


def drafts_waiting(coach: User, organisation: Organisation) -> Section:
    """Drafts waiting for the coach's approval, soonest to go first. One with a warning (a
    topic missing, a time already past) needs an edit, so it is only opened, never approved
    in a batch."""
    drafts = Message.objects.filter(organisation=organisation, owner=coach, state=State.DRAFT)
    rows = list(
        drafts.only(
            "pk", "kind", "subject", "to_name", "to_email", "send_after", "warning"
        ).order_by("send_after", "pk")[:LIMIT]
    )
    total = drafts.count()
    return Section(rows, more=total > len(rows), total=total)


def follow_up_key_of(session_ref) -> Concat:
    # The follow-up's key as coaching.emails.follow_up_key writes it, built in SQL.
    return Concat(
        Value("session:"),
        Cast(session_ref, CharField()),
        Value(":follow_up"),
        output_field=CharField(),
    )


def overdue_follow_ups(coach: User, organisation: Organisation, *, now: datetime) -> Section:
    follow_up = Message.objects.filter(key=follow_up_key_of(OuterRef("pk")))
    sessions = (
        CoachingSession.objects.filter(
            engagement__coach=coach,
            engagement__organisation=organisation,
            engagement__client__archived_at__isnull=True,
            status=CoachingSession.Status.HELD,
            starts_at__gte=now - FOLLOW_UP_WINDOW,
            starts_at__lte=now,
        )
        .annotate(
            follow_up_id=Subquery(follow_up.values("pk")[:1]),
            follow_up_state=Subquery(follow_up.values("state")[:1]),
            follow_up_due=Subquery(follow_up.values("send_after")[:1]),
        )
        .filter(
            Q(follow_up_id__isnull=True, starts_at__lte=now - FOLLOW_UP_GRACE)
            | Q(
                follow_up_state__in=(State.DRAFT, State.FAILED, State.INTERRUPTED),
                follow_up_due__lte=now,
            )
        )
        .select_related("engagement__client")
        .order_by("starts_at", "pk")[: LIMIT + 1]
    )
    today = dates.today_in(coach.time_zone, now)
    rows = [
        {
            "session": session,
            "client": session.engagement.client,
            "held": dates.distance(dates.local(session.starts_at, coach.time_zone).date(), today),
            "message_id": session.follow_up_id,
            "state": session.follow_up_state,
        }
        for session in sessions
    ]
    return _cut(rows)


def commitments_due(coach: User, organisation: Organisation, *, now: datetime) -> Section:
    """Open commitments of the coach's clients due by the end of the coming week, the
    overdue ones first."""
    today = dates.today_in(coach.time_zone, now)
    commitments = (
        Commitment.objects.filter(
            client__coach=coach,
            client__organisation=organisation,
            client__archived_at__isnull=True,
            state=Commitment.State.OPEN,
            due_date__lte=dates.week_end(today),
        )
        .select_related("client")
        .order_by("due_date", "pk")[: LIMIT + 1]
    )
    rows = []
    for commitment in commitments:
        overdue = commitment.due_date < today
        rows.append(
            {
                "commitment": commitment,
                "client": commitment.client,
                "overdue": overdue,
                "due": (
                    f"overdue since {dates.day_words(commitment.due_date, today)}"
                    if overdue
                    else f"due {dates.day_words(commitment.due_date, today)}"
                ),
                "owner": "You"
                if commitment.owner == Commitment.Owner.COACH
                else commitment.client.first_name,
            }
        )
    return _cut(rows)


def to_schedule(coach: User, organisation: Organisation, *, now: datetime) -> Section:
    engagements = coaching.clients_to_schedule(coach=coach, organisation=organisation, now=now)
    return _cut(coaching.nudge_rows(engagements[: LIMIT + 1]))


def quiet_clients(clients, *, now: datetime, time_zone: str, days: int = QUIET_DAYS) -> list[dict]:
    """Clients in an active program with no sign of life (a session held, a reply, a
    check-in, whatever the story's providers know) for `days`; the longest quiet first. A
    client added recently is not quiet yet."""
    active = Engagement.objects.filter(client=OuterRef("pk"), status=Engagement.Status.ACTIVE)
    candidates = list(
        clients.filter(archived_at__isnull=True)
        .filter(Exists(active))
        .only("pk", "full_name", "created_at")
        .order_by("full_name", "pk")
    )
    latest = story.last_activity(client.pk for client in candidates)
    cutoff = now - timedelta(days=days)
    today = dates.today_in(time_zone, now)
    rows = []
    for client in candidates:
        last = latest.get(client.pk)
        if (last or client.created_at) > cutoff:
            continue
        rows.append(
            {
                "client": client,
                "last": last,
                "since": dates.distance(dates.local(last, time_zone).date(), today) if last else "",
            }
        )
    rows.sort(key=lambda row: row["last"] or row["client"].created_at)
    return rows


def coach_home(
    coach: User, organisation: Organisation, *, now: datetime | None = None
) -> CoachHome:
    now = now or timezone.now()
    sessions = week_sessions(coach, organisation, now=now)
    mine = Client.objects.filter(organisation=organisation, coach=coach)
    return CoachHome(
        today=dates.today_in(coach.time_zone, now),
        zone=dates.zone_place(coach.time_zone),
        today_sessions=[row for row in sessions if row["is_today"]],
        week_sessions=[row for row in sessions if not row["is_today"]],
        drafts=drafts_waiting(coach, organisation),
        follow_ups=overdue_follow_ups(coach, organisation, now=now),
        commitments=commitments_due(coach, organisation, now=now),
        to_schedule=to_schedule(coach, organisation, now=now),
        quiet=_cut(quiet_clients(mine, now=now, time_zone=coach.time_zone)),
    )


# --- the admin's home: counts and dates, never coaching content --------------------------------


def admin_home(organisation: Organisation, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    invitations = list(
        Invitation.objects.filter(organisation=organisation, status=Invitation.Status.PENDING)
        .exclude(role=Role.CLIENT)
        .order_by("expires_at", "pk")[: LIMIT + 1]
    )
    people = Membership.objects.filter(organisation=organisation).aggregate(
        coaches=Count("pk", filter=Q(role=Role.COACH, is_active=True)),
        admins=Count("pk", filter=Q(role=Role.ADMIN, is_active=True)),
        clients=Count("pk", filter=Q(role=Role.CLIENT, is_active=True)),
        suspended=Count("pk", filter=Q(is_active=False) & ~Q(role=Role.CLIENT)),
    )
    month_start = day_start(
        dates.today_in(organisation.time_zone, now).replace(day=1), organisation.time_zone
    )
    active_clients = (
        Client.objects.filter(
            organisation=organisation, coach=OuterRef("pk"), archived_at__isnull=True
        )
        .values("coach")
        .annotate(n=Count("pk"))
        .values("n")
    )
    held = (
        CoachingSession.objects.filter(
            engagement__organisation=organisation,
            engagement__coach=OuterRef("pk"),
            status=CoachingSession.Status.HELD,
            starts_at__gte=month_start,
            starts_at__lte=now,
        )
        .values("engagement__coach")
        .annotate(n=Count("pk"))
        .values("n")
    )
    coaches = list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.COACH,
            memberships__is_active=True,
        )
        .annotate(active_clients=Subquery(active_clients), held_this_month=Subquery(held))
        .only("pk", "full_name", "email")
        .order_by("full_name", "pk")
    )
    overall, _ = outbox.counts_for(organisation)
    return {
        "invitations": _cut(
            [{"invitation": i, "expired": i.expires_at <= now} for i in invitations]
        ),
        "people": people,
        "coaches": coaches,
        "outbox": overall,
        "outbox_attention": overall[State.FAILED] + overall[State.INTERRUPTED],
        "month": dates.local(now, organisation.time_zone).strftime("%B"),
    }
