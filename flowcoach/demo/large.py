"""A large practice for speed work: many coaches, clients, sessions and notes, written with
bulk inserts in batches (no per-row services: a million notes through the autosave path would
take hours, and what is measured is reading, not writing).

The data is realistic in shape, not in words: every state a page can show (programs
running, finished and stopped; sessions held, booked, unbooked, cancelled and missed;
commitments in every state; emails drafted, approved and sent; purpose statements in
versions), with sentences drawn from small phrase lists in our own words. The same seed gives
the same practice."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from flowcoach.accounts.models import Membership, Organisation, Role, User
from flowcoach.clients.models import Client, MotivationProfile
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    Engagement,
    PurposeStatement,
    SessionNote,
    SessionRecord,
)
from flowcoach.lib import planner
from flowcoach.outbox.models import Kind, Message, State
from flowcoach.programs.models import Program, TemplateVersion

SLUG = "large-practice"
PASSWORD = "large-practice-pass"
ZONES = [
    "Europe/London",
    "Europe/Stockholm",
    "America/New_York",
    "America/Chicago",
    "Asia/Singapore",
]
FIRST = [
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Esme",
    "Finn",
    "Gita",
    "Hugo",
    "Iris",
    "Jon",
    "Kemi",
    "Luis",
    "Mira",
    "Nate",
    "Olu",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Vik",
]
LAST = [
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Eze",
    "Fischer",
    "Gupta",
    "Hale",
    "Ito",
    "Jansen",
    "Kowal",
    "Lund",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Park",
    "Quist",
    "Rossi",
    "Silva",
]
COMPANIES = [
    "Northwind",
    "Bluebell Tools",
    "Harbour Freight",
    "Kestrel Labs",
    "Orchard Foods",
    "Summit Metrics",
    "Tidewater Media",
    "Cobalt Software",
]
NOTE_WORDS = [
    "Asked what a good week would look like for the pipeline.",
    "Wants to call the two stalled accounts before Friday.",
    "Noticed she lights up when talking about solving puzzles for buyers.",
    "Tends to rush the discovery call when the quarter is tight.",
    "Agreed to try one open question before every proposal.",
    "Energy dipped when we talked about cold outreach.",
    "A buyer said no twice; he wants to learn what changed.",
    "Reflected that preparation makes the calls feel lighter.",
]
COMMITMENTS = [
    "Book three discovery calls with new accounts",
    "Write the follow-up within an hour of each meeting",
    "Ask each buyer what would make this an easy yes",
    "Review the lost deals of last month with a colleague",
    "Block Monday morning for planning the week",
]
PURPOSES = [
    "I help buyers see the cost of standing still, so they choose with confidence.",
    "I sell so that small teams get tools that give them their evenings back.",
    "I make complex choices simple for people who are short of time.",
]


@dataclass
class Sizes:
    coaches: int = 200
    clients: int = 10_000
    sessions: int = 100_000
    notes: int = 1_000_000
    batch: int = 5_000
    seed: int = 1


def _batched(rows: Iterable, size: int) -> Iterable[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model, rows: Iterable, sizes: Sizes, step: Callable[[int], None]) -> None:
    for batch in _batched(rows, sizes.batch):
        with transaction.atomic():
            model.objects.bulk_create(batch, batch_size=sizes.batch)
        step(len(batch))


def refresh_planner_statistics() -> None:
    """Bulk inserts leave the planner's row estimates at "empty table" until autovacuum
    gets round to it (on PostgreSQL minutes later, on SQLite at the daily job): measured on
    the large practice, the coach's Home took 160 ms instead of 40 and the organisation
    figures 19 s instead of 1.6, on plans made for a few rows."""
    planner.refresh_statistics(postgresql_too=True)


def existing() -> Organisation | None:
    return Organisation.objects.filter(slug=SLUG).first()


def remove() -> None:
    """Deletes the large practice, its people and everything below it."""
    organisation = existing()
    if organisation is None:
        return
    users = list(
        User.objects.filter(memberships__organisation=organisation).values_list("pk", flat=True)
    )
    with transaction.atomic():
        # Sessions and notes first: engagements protect coaches, clients protect nothing.
        SessionNote.objects.filter(session__engagement__organisation=organisation).delete()
        Message.objects.filter(organisation=organisation).delete()
        organisation.delete()
        User.objects.filter(pk__in=users, memberships__isnull=True).delete()


def seed(sizes: Sizes, progress: Callable[[str, int], Callable[[int], None]]) -> dict[str, int]:
    """Writes the practice. `progress(label, total)` returns a function told how many rows
    each batch wrote (the command shows a bar)."""
    rng = random.Random(sizes.seed)
    now = timezone.now()
    organisation = Organisation.objects.create(
        name="Large Practice", slug=SLUG, time_zone="Europe/London"
    )
    password = make_password(PASSWORD)  # hashed once: hashing per user would cost minutes

    # --- people ------------------------------------------------------------------------------
    admin = User(email="admin@large.test", full_name="Lara Admin", password=password)
    coaches = [
        User(
            email=f"coach{n}@large.test",
            full_name=f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]} (coach {n})",
            password=password,
            time_zone=ZONES[n % len(ZONES)],
        )
        for n in range(sizes.coaches)
    ]
    portal_every = 5  # one client in five has a sign-in
    client_users = [
        User(
            email=f"client{n}@large.test",
            full_name=f"{FIRST[(n * 7) % len(FIRST)]} {LAST[(n * 3) % len(LAST)]}",
            password=password,
            time_zone=ZONES[n % len(ZONES)],
        )
        for n in range(0, sizes.clients, portal_every)
    ]
    step = progress("people", 1 + len(coaches) + len(client_users))
    _insert(User, [admin, *coaches, *client_users], sizes, step)
    admin = User.objects.get(email="admin@large.test")
    coach_ids = list(
        User.objects.filter(email__startswith="coach", email__endswith="@large.test")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    user_by_email = dict(
        User.objects.filter(email__startswith="client", email__endswith="@large.test").values_list(
            "email", "pk"
        )
    )
    memberships = [Membership(user=admin, organisation=organisation, role=Role.ADMIN)]
    memberships += [
        Membership(user_id=pk, organisation=organisation, role=Role.COACH) for pk in coach_ids
    ]
    memberships += [
        Membership(user_id=pk, organisation=organisation, role=Role.CLIENT)
        for pk in user_by_email.values()
    ]
    _insert(Membership, memberships, sizes, progress("memberships", len(memberships)))

    # --- clients and profiles ---------------------------------------------------------------
    def clients():
        for n in range(sizes.clients):
            email = f"client{n}@large.test"
            yield Client(
                organisation=organisation,
                coach_id=coach_ids[n % len(coach_ids)],
                user_id=user_by_email.get(email),
                full_name=f"{FIRST[(n * 7) % len(FIRST)]} {LAST[(n * 3) % len(LAST)]}",
                email=email,
                company=COMPANIES[n % len(COMPANIES)],
                job_title="Account executive" if n % 3 else "Sales manager",
                time_zone=ZONES[n % len(ZONES)],
                archived_at=now - timedelta(days=40) if n % 50 == 49 else None,
                created_at=now - timedelta(days=rng.randint(30, 700)),
            )

    _insert(Client, clients(), sizes, progress("clients", sizes.clients))
    client_rows = list(
        Client.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("pk", "coach_id", "time_zone")
    )
    profiles = (
        MotivationProfile(
            client_id=pk,
            motivational_flow="Spots a gap, gathers what is known, then builds a plan with others.",
            shadow_side="Can push past a buyer's doubts when a deadline looms.",
            personal_goals="Lead a small team within two years.",
        )
        for pk, _, _ in client_rows
    )
    _insert(MotivationProfile, profiles, sizes, progress("profiles", len(client_rows)))

    # --- engagements and sessions ----------------------------------------------------------
    programs = list(
        Program.objects.filter(organisation=None, slug__in=["best-seller", "weekly-1on1"])
        .prefetch_related("templates__versions")
        .order_by("slug")
    )
    plans = []
    for program in programs:
        templates = [t for t in program.templates.all() if not t.retired]
        templates.sort(key=lambda t: (t.position, t.pk))
        versions = [max(t.versions.all(), key=lambda v: v.number) for t in templates]
        plans.append((program, list(zip(templates, versions, strict=True))))
        # Versions sessions run on are frozen, as enrolment marks them.
        TemplateVersion.objects.filter(pk__in=[v.pk for v in versions]).update(in_use=True)

    per_engagement = max(1, sizes.sessions // max(1, len(client_rows)))
    engagements = []
    for index, (pk, coach_id, zone) in enumerate(client_rows):
        program = plans[index % len(plans)][0]
        roll = rng.random()
        status = (
            Engagement.Status.ACTIVE
            if roll < 0.7
            else Engagement.Status.COMPLETED
            if roll < 0.85
            else Engagement.Status.STOPPED
        )
        if status == Engagement.Status.ACTIVE:
            # Some weeks in, the next session within the coming week (some of them today).
            weeks_done = rng.randint(1, max(1, per_engagement - 2))
            started = now - timedelta(days=7 * weeks_done) + timedelta(hours=rng.randint(3, 160))
            ended = None
        else:
            ended = now - timedelta(days=rng.randint(1, 200))
            weeks = per_engagement if status == Engagement.Status.COMPLETED else per_engagement // 2
            started = ended - timedelta(days=7 * weeks)
        engagements.append(
            Engagement(
                organisation=organisation,
                client_id=pk,
                coach_id=coach_id,
                program=program,
                status=status,
                cadence=Engagement.Cadence.WEEKLY,
                first_session_at=started,
                time_zone=zone,
                created_at=started - timedelta(days=3),
                ended_at=ended,
            )
        )
    _insert(Engagement, engagements, sizes, progress("engagements", len(engagements)))
    engagement_rows = list(
        Engagement.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("pk", "program_id", "first_session_at", "time_zone", "ended_at")
    )
    plan_of = {program.pk: plan for program, plan in plans}
    recurring = {program.pk: program.recurring for program, _ in plans}

    def sessions():
        made = 0
        for pk, program_id, first, zone, ended in engagement_rows:
            plan = plan_of[program_id]
            count = per_engagement if made + per_engagement <= sizes.sessions else 0
            for sequence in range(1, count + 1):
                template, version = plan[(sequence - 1) % len(plan)]
                starts_at = first + timedelta(days=7 * (sequence - 1))
                if ended is not None and starts_at > ended:
                    state = CoachingSession.Status.CANCELLED
                elif starts_at < now - timedelta(hours=2):
                    state = rng.choices(
                        [
                            CoachingSession.Status.HELD,
                            CoachingSession.Status.NO_SHOW,
                            CoachingSession.Status.CANCELLED,
                            CoachingSession.Status.CANCELLED_LATE,
                        ],
                        weights=[90, 3, 5, 2],
                    )[0]
                elif sequence % 4 == 0:
                    state, starts_at = CoachingSession.Status.UNSCHEDULED, None
                else:
                    state = CoachingSession.Status.SCHEDULED
                yield CoachingSession(
                    engagement_id=pk,
                    template=template,
                    template_version=version,
                    sequence=sequence,
                    code=f"{template.code}{sequence}" if recurring[program_id] else template.code,
                    title=version.title,
                    status=state,
                    starts_at=starts_at,
                    time_zone=zone,
                    duration_minutes=version.minutes_max,
                    video_link="https://meet.example.org/large",
                )
            made += count

    total_sessions = min(sizes.sessions, per_engagement * len(engagement_rows))
    _insert(CoachingSession, sessions(), sizes, progress("sessions", total_sessions))
    held = list(
        CoachingSession.objects.filter(
            engagement__organisation=organisation, status=CoachingSession.Status.HELD
        )
        .order_by("pk")
        .values_list("pk", "starts_at", "engagement__client_id", "engagement__coach_id")
    )

    # --- what the runner recorded -----------------------------------------------------------
    def records():
        for pk, starts_at, _, _ in held:
            yield SessionRecord(
                session_id=pk,
                challenge="Deals stall after the first demo.",
                learned="Buyers want a clearer next step.",
                adjustments="Agree the next step before leaving each call",
                outcomes=[{"text": "A next step the client chose", "mark": "met"}],
                # The runner's log: one entry per segment, minutes a little off the plan.
                timing=[
                    {
                        "segment": segment,
                        "started_at": (starts_at + timedelta(minutes=10 * segment)).isoformat(),
                        "ended_at": (
                            starts_at + timedelta(minutes=10 * segment + 9 + segment % 3)
                        ).isoformat(),
                    }
                    for segment in range(5)
                ],
                started_at=starts_at,
                completed_at=starts_at + timedelta(minutes=52),
            )

    _insert(SessionRecord, records(), sizes, progress("records", len(held)))

    notes_each = sizes.notes // max(1, len(held))
    extra = sizes.notes - notes_each * len(held)

    def notes():
        for index, (pk, starts_at, _, coach_id) in enumerate(held):
            for n in range(notes_each + (1 if index < extra else 0)):
                yield SessionNote(
                    session_id=pk,
                    author_id=coach_id,
                    uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    body=NOTE_WORDS[(index + n) % len(NOTE_WORDS)],
                    segment=n % 5,
                    flow_stage=["find_out", "learn_about", "own", "work_it", ""][n % 5],
                    visibility=SessionNote.Visibility.SHARED
                    if n % 3 == 0
                    else SessionNote.Visibility.COACH_ONLY,
                    created_at=starts_at + timedelta(minutes=n % 50),
                    updated_at=starts_at + timedelta(minutes=n % 50),
                )

    _insert(SessionNote, notes(), sizes, progress("notes", sizes.notes if held else 0))

    states = [s for s, _ in Commitment.State.choices]

    def commitments():
        for index, (pk, starts_at, client_id, _) in enumerate(held):
            for n in range(2):
                due = (starts_at + timedelta(days=7)).date()
                yield Commitment(
                    client_id=client_id,
                    session_id=pk,
                    uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    text=COMMITMENTS[(index + n) % len(COMMITMENTS)],
                    due_date=due,
                    state=Commitment.State.OPEN
                    if due >= now.date()
                    else states[(index + n) % len(states)],
                    created_at=starts_at,
                    updated_at=starts_at,
                )

    _insert(Commitment, commitments(), sizes, progress("commitments", 2 * len(held)))

    def purposes():
        for index, (pk, starts_at, client_id, _) in enumerate(held):
            if index % 6 == 0:
                yield PurposeStatement(
                    client_id=client_id,
                    session_id=pk,
                    text=PURPOSES[index % len(PURPOSES)],
                    created_at=starts_at,
                )

    _insert(PurposeStatement, purposes(), sizes, progress("purpose statements", len(held) // 6))

    # --- emails: a follow-up per held session, the latest ones waiting -----------------------
    coach_email = dict(User.objects.filter(pk__in=coach_ids).values_list("pk", "email"))
    client_email = dict(Client.objects.filter(organisation=organisation).values_list("pk", "email"))

    def messages():
        for index, (pk, starts_at, client_id, coach_id) in enumerate(held):
            recent = starts_at > now - timedelta(days=10)
            state = State.DRAFT if recent and index % 2 else State.SENT
            yield Message(
                organisation=organisation,
                owner_id=coach_id,
                kind=Kind.FOLLOW_UP,
                key=f"large:follow-up:{pk}",
                to_email=client_email[client_id],
                from_email="Large Practice <admin@large.test>",
                reply_to=coach_email.get(coach_id, ""),
                message_id=f"<large-follow-up-{pk}@flowcoach>",
                subject="Thank you for our session",
                text_body="Here is what we agreed, and the steps you chose for this week.",
                state=state,
                send_after=starts_at + timedelta(days=1),
                sent_at=starts_at + timedelta(days=1) if state == State.SENT else None,
                created_at=starts_at + timedelta(hours=1),
            )

    _insert(Message, messages(), sizes, progress("emails", len(held)))
    refresh_planner_statistics()
    return {
        "coaches": len(coach_ids),
        "clients": len(client_rows),
        "engagements": len(engagement_rows),
        "sessions": total_sessions,
        "held": len(held),
        "notes": sizes.notes if held else 0,
    }
