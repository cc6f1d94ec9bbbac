"""Demo engagements: programs at several stages, sessions held, scheduled and waiting, with
their emails drafted through the real scheduling services. Times are relative to the day the
demo is loaded, so the demo always has a past and a future."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from flowcoach.clients.models import Client
from flowcoach.coaching import services as coaching
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    Engagement,
    PurposeStatement,
    SessionNote,
    SessionRecord,
)
from flowcoach.coaching.runner import services as runner
from flowcoach.programs.models import Program

VIDEO = "https://meet.example.org/harbourline/{slug}"

# client email → list of (program slug, plan). A plan says how the engagement stands:
# "held" how many sessions already happened (a week apart, ending `last_held_days_ago`),
# "next_in_days" when the next one is booked (None: not booked), "stopped" if it ended.
PLANS: dict[str, list[dict]] = {
    "marcus@example.org": [
        {"program": "foundations", "held": 3, "last_held_days_ago": 40},
        {"program": "best-seller", "held": 2, "last_held_days_ago": 7, "next_in_days": 0},
    ],
    "lena@example.org": [
        {"program": "foundations", "held": 3, "last_held_days_ago": 20},
        # Enrolled, nothing booked yet: she shows up on "To schedule".
        {"program": "best-seller", "held": 0},
    ],
    "ravi@example.org": [
        # Booked within the week, so Home's "next seven days" has something.
        {"program": "foundations", "held": 1, "last_held_days_ago": 6, "next_in_days": 4},
    ],
    "tom@example.org": [
        {"program": "weekly-1on1", "held": 3, "last_held_days_ago": 5, "next_in_days": 2},
    ],
    "nadia@example.org": [
        {"program": "foundations", "held": 3, "last_held_days_ago": 15},
        # S1 of the sales track is booked for today: ready to prepare and run.
        {"program": "best-seller", "held": 0, "next_in_days": 0},
    ],
    "grace@example.org": [
        # Booked, then stopped: her pending emails show as cancelled.
        {
            "program": "foundations",
            "held": 1,
            "last_held_days_ago": 30,
            "next_in_days": 9,
            "stopped": True,
        },
        # Back on the sales track, then silent for weeks with nothing booked: she shows on
        # Home as gone quiet and as a program to schedule.
        {"program": "best-seller", "held": 2, "last_held_days_ago": 18},
    ],
}


def _local(client: Client, days: int, hour: int) -> datetime:
    zone = zoneinfo.ZoneInfo(client.time_zone)
    today = timezone.now().astimezone(zone).date()
    return datetime.combine(today + timedelta(days=days), time(hour, 0))


def _hold(session: CoachingSession, client: Client, days_ago: int) -> None:
    """Writes history directly: the scheduling services rightly refuse times in the past."""
    session.starts_at = coaching.local_to_utc(_local(client, -days_ago, 10), client.time_zone)
    session.time_zone = client.time_zone
    session.video_link = VIDEO.format(slug=client.first_name.lower())
    session.status = CoachingSession.Status.HELD
    session.save()


RECAP = "- You named what pulls you into a sale, and what drains you\n- One change to try this week"
COMMITMENTS = "- Block thirty minutes each morning for prospecting calls\n- Note one win a day"


def _email_history(session: CoachingSession) -> None:
    """A held session's emails as they went out: the preparation email a week before and the
    follow-up the day after. History is written directly, like the session itself."""
    from flowcoach.coaching import emails
    from flowcoach.outbox.models import Message

    follow_up = emails.session_follow_up_draft(
        session=session, recap_text=RECAP, commitments_text=COMMITMENTS
    )
    sent_at = session.starts_at + timedelta(days=1)
    Message.objects.filter(pk=follow_up.pk).update(
        state="sent", send_after=sent_at, sent_at=sent_at, attempts=1, warning=""
    )


def _outbox_troubles(organisation) -> None:
    """One email refused by the mail server and one interrupted mid-send, so the outbox shows
    what a coach does about each."""
    from flowcoach.outbox.models import Message

    sent = list(
        Message.objects.filter(organisation=organisation, state="sent").order_by("-sent_at")[:2]
    )
    if len(sent) < 2:
        return
    failed, interrupted = sent
    Message.objects.filter(pk=failed.pk).update(
        state="failed",
        sent_at=None,
        attempts=5,
        last_error="550 5.1.1 The email account that you tried to reach does not exist.",
    )
    Message.objects.filter(pk=interrupted.pk).update(
        state="interrupted",
        sent_at=None,
        last_error="The worker stopped after handing the email to the mail server; it may have arrived.",
    )


# One client of each coach whose latest recap is still a draft after its time, so Home shows
# an overdue follow-up beside the ones that went out (both have gone quiet, too).
RECAPS_WAITING = ("lena@example.org", "grace@example.org")


def _recaps_waiting(organisation) -> None:
    from flowcoach.outbox.models import Message

    for email in RECAPS_WAITING:
        latest = (
            Message.objects.filter(
                organisation=organisation, to_email__iexact=email, kind="follow_up", state="sent"
            )
            .order_by("-sent_at", "-pk")
            .first()
        )
        if latest is not None:
            Message.objects.filter(pk=latest.pk).update(state="draft", sent_at=None, attempts=0)


def _book(session: CoachingSession, client: Client, in_days: int) -> None:
    # Later today when the demo is loaded in the morning; otherwise late evening, so "today"
    # still has a session to prepare.
    now_local = timezone.now().astimezone(zoneinfo.ZoneInfo(client.time_zone))
    hour = 15 if in_days else max(now_local.hour + 2, 9)
    if hour > 23:
        in_days, hour = 1, 9
    coaching.session_schedule(
        session=session,
        starts_local=_local(client, in_days, hour),
        time_zone=client.time_zone,
        duration_minutes=session.duration_minutes,
        video_link=VIDEO.format(slug=client.first_name.lower()),
    )


def _approve_one_invitation(client: Client) -> None:
    """One email approved, so the worker started by `make demo` sends it and the outbox
    shows a message on its way, beside drafts still waiting for the coach."""
    from flowcoach.outbox.models import Message
    from flowcoach.outbox.services import message_approve

    message = Message.objects.filter(
        reference__startswith="session:", to_email=client.email, kind="invitation"
    ).first()
    if message is not None and message.state == "draft":
        message_approve(message=message, user=client.coach)


# --- what the runner recorded in held sessions ---------------------------------------------------

# (minute into the session, share of the way through the segments, stage, marker, shared, text)
NOTE_SETS = [
    [
        (4, 0.0, "find_out", "", False, "Arrived a little flat; a long week of calls behind them."),
        (
            14,
            0.4,
            "find_out",
            "energy",
            True,
            "Lit up telling the story of the customer who came back and said **thank you**.",
        ),
        (
            27,
            0.6,
            "learn_about",
            "aha",
            True,
            "The good days are the ones where they feel useful, not the ones with the biggest "
            "numbers.",
        ),
        (
            38,
            0.8,
            "own",
            "",
            False,
            "Goes quiet when price comes up. Worth a gentle look next time, not yet.",
        ),
    ],
    [
        (3, 0.0, "find_out", "", False, "Kept last week's promise and sounded proud of it."),
        (
            18,
            0.4,
            "learn_about",
            "energy",
            True,
            "Most alive when working out a puzzle with a buyer, side by side.",
        ),
        (
            30,
            0.6,
            "own",
            "aha",
            True,
            "Saw that chasing every lead at once is how the week slips away.",
        ),
        (
            44,
            0.8,
            "work_it",
            "",
            False,
            "Tends to agree quickly to please me. Check the commitment is really theirs.",
        ),
    ],
    [
        (5, 0.0, "find_out", "", True, "A calmer start; the morning routine is holding."),
        (
            20,
            0.5,
            "learn_about",
            "aha",
            True,
            "Said out loud that a no is information, not a verdict on them.",
        ),
        (
            33,
            0.7,
            "own",
            "energy",
            False,
            "Leaned forward when we talked about coaching newer colleagues.",
        ),
        (46, 0.9, "work_it", "", True, "Picked one small, visible step for the coming week."),
    ],
]

# (client commitment, coach commitment)
COMMITMENT_PAIRS = [
    (
        "Open each morning with three calls before looking at email.",
        "Send a short note midweek asking how the calls are going.",
    ),
    (
        "Write down one conversation a day that felt useful to the buyer.",
        "Bring back the list of useful moments at the start of next session.",
    ),
    (
        "Ask one customer a week what made them choose us.",
        "Share a one-page guide on asking for feedback without pressure.",
    ),
]
CLIENT_STATES = [Commitment.State.KEPT, Commitment.State.PARTLY_KEPT, Commitment.State.MISSED]

# Each client's statement in two drafts: the first attempt, then the one it grew into.
PURPOSE_DRAFTS = {
    "marcus@example.org": [
        "I sell so that a depot runs on time and nobody has to guess why it did not.",
        "I sell to find the real cause of a customer's trouble and fix it so it stays fixed; "
        "my week is good when someone stops firefighting because of me.",
    ],
    "lena@example.org": [
        "I sell so that people leave a conversation with me clearer about what they need.",
        "I sell to help a team see the next step they could not see alone, and I count the "
        "conversations where that happened, not the calls.",
    ],
    "tom@example.org": [
        "I sell so a workshop owner gets the right tool the first time.",
        "I sell to be the rep a customer calls before they buy anything, because I told them "
        "straight last time.",
    ],
    "nadia@example.org": [
        "I sell so that a hospital buys what its staff will actually use.",
        "I sell to help people make a choice they are glad of a year later, and I measure my "
        "week by how many of those conversations I had.",
    ],
    "ravi@example.org": [
        "I sell so that a plant manager can plan a year ahead without worrying about power.",
        "I sell to turn a complicated contract into a decision a finance team is proud of.",
    ],
}
FALLBACK_PURPOSE = [
    "I sell so that people leave a conversation with me clearer about what they need.",
    "I sell to be useful first; the numbers follow the conversations that help.",
]

WORKSHEETS = [
    {
        "challenge": "Long stretches of calls with nothing that feels worthwhile.",
        "learned": "Energy comes from being useful to one person, not from the size of the deal.",
        "shadow_tendency": "Pushes harder when tired, and buyers feel it.",
        "growth_need": "Permission to slow down and ask one more question.",
        # Two lines: the summary and its exports show them as a list.
        "adjustments": "Start the day with the calls that matter most.\n"
        "Stop after three calls in a row and take a short pause.",
        "most_helpful": "Hearing my own stories read back to me.",
        "coach_summary": "Open and warm today. The purpose is taking shape around usefulness.",
    },
    {
        "challenge": "Plans fall apart by Wednesday.",
        "learned": "Small promises kept do more than big ones half done.",
        "shadow_tendency": "Says yes to everything, then nothing gets full attention.",
        "growth_need": "Choosing, and being fine with what is left undone.",
        "adjustments": "One focus for the week, written on a card by the phone.",
        "most_helpful": "Naming the Wednesday slump without blaming myself.",
        "coach_summary": "Good honesty about the week. Watch for agreeing too fast.",
    },
]


def _note_id(session: CoachingSession, kind: str, index: int) -> uuid.UUID:
    """Ids made from the session and position, so the demo's rows are the same on any run."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"flowcoach-demo/{session.pk}/{kind}/{index}")


def _runner_history(client: Client) -> None:
    """Notes, commitments, worksheet, wrap, timing and purpose for each held session, the
    way the runner leaves them. The services take the content; times are then set back to
    when the session happened, since the services stamp everything with now."""
    held = list(
        CoachingSession.objects.filter(
            engagement__client=client, status=CoachingSession.Status.HELD
        )
        .select_related("engagement", "template_version")
        .order_by("starts_at", "pk")
    )
    for position, session in enumerate(held):
        latest = position == len(held) - 1
        start = session.starts_at
        segments = session.template_version.segments or []
        count = max(len(segments), 1)
        for index, (minute, share, stage, marker, shared, text) in enumerate(
            NOTE_SETS[position % len(NOTE_SETS)]
        ):
            note = runner.note_save(
                session=session,
                uuid=_note_id(session, "note", index),
                body=text,
                segment=min(int(share * count), count - 1),
                flow_stage=stage,
                marker=marker,
                visibility=SessionNote.Visibility.SHARED
                if shared
                else SessionNote.Visibility.COACH_ONLY,
            )
            at = start + timedelta(minutes=minute)
            SessionNote.objects.filter(pk=note.pk).update(created_at=at, updated_at=at)
        mine, yours = COMMITMENT_PAIRS[position % len(COMMITMENT_PAIRS)]
        for index, (owner, text, state) in enumerate(
            [
                (
                    Commitment.Owner.CLIENT,
                    mine,
                    Commitment.State.OPEN if latest else CLIENT_STATES[position % 3],
                ),
                (
                    Commitment.Owner.COACH,
                    yours,
                    Commitment.State.OPEN if latest else Commitment.State.KEPT,
                ),
            ]
        ):
            commitment = runner.commitment_save(
                session=session,
                uuid=_note_id(session, "commitment", index),
                owner=owner,
                text=text,
                state=state,
                due_date=(start + timedelta(days=7)).date().isoformat(),
            )
            at = start + timedelta(minutes=48 + index)
            Commitment.objects.filter(pk=commitment.pk).update(created_at=at, updated_at=at)
        drafts = PURPOSE_DRAFTS.get(client.email, FALLBACK_PURPOSE)
        if position < len(drafts) or latest:
            text = drafts[min(position, len(drafts) - 1)]
            statement = runner.purpose_save(session=session, text=text)
            PurposeStatement.objects.filter(pk=statement.pk).update(
                created_at=start + timedelta(minutes=40)
            )
        record = runner.record_of(session)
        worksheet = WORKSHEETS[position % len(WORKSHEETS)]
        marks = ["met", "partly", "met", "not_yet"]
        runner.record_save(
            session=session,
            base_version=record.version,
            outcomes=[
                {"text": o["text"], "mark": marks[i % len(marks)]}
                for i, o in enumerate(record.outcomes)
            ],
            **worksheet,
        )
        timing, moment = [], start
        for index, segment in enumerate(segments):
            minutes = segment.get("minutes_min", 5) or 5
            end = moment + timedelta(minutes=minutes, seconds=40 * index)
            timing.append(
                {
                    "segment": index,
                    "started_at": moment.isoformat(),
                    "ended_at": end.isoformat(),
                }
            )
            moment = end
        SessionRecord.objects.filter(session=session).update(
            timing=timing, started_at=start, completed_at=moment, updated_at=moment
        )


def seed_engagements(organisation) -> int:
    """Enrols the demo clients as PLANS says. Clients who already have an engagement are
    left alone, so running it again changes nothing."""
    created = 0
    programs = {p.slug: p for p in Program.objects.filter(organisation=None)}
    for email, plans in PLANS.items():
        client = Client.objects.filter(organisation=organisation, email__iexact=email).first()
        if client is None or client.engagements.exists():
            continue
        for plan in plans:
            engagement = coaching.engagement_enrol(
                client=client, program=programs[plan["program"]], coach=client.coach
            )
            Engagement.objects.filter(pk=engagement.pk).update(
                created_at=timezone.now()
                - timedelta(days=plan.get("last_held_days_ago", 0) + 7 * plan["held"])
            )
            sessions = list(engagement.sessions.order_by("sequence"))
            for index in range(plan["held"]):
                days_ago = plan["last_held_days_ago"] + 7 * (plan["held"] - 1 - index)
                _hold(sessions[index], client, days_ago)
                _email_history(sessions[index])
            if plan.get("next_in_days") is not None and plan["held"] < len(sessions):
                _book(sessions[plan["held"]], client, plan["next_in_days"])
            if plan.get("stopped"):
                coaching.engagement_stop(engagement=engagement)
            elif plan["held"] == len(sessions):
                Engagement.objects.filter(pk=engagement.pk).update(
                    status=Engagement.Status.COMPLETED, ended_at=timezone.now()
                )
            if engagement.program.recurring:
                coaching.engagement_extend_recurring(engagement=engagement)
                _approve_one_invitation(client)
            created += 1
        _runner_history(client)
    if created:
        _recaps_waiting(organisation)
        _outbox_troubles(organisation)
    return created
