"""A client's coaching moving to another coach, run from `clients.services.client_reassign`
through hooks (clients know nothing of sessions).

What moves: every engagement of the client, hence its sessions, the session records, shared
notes, commitments and purpose statements (they belong to the program), the calendar feeds,
and the emails not yet sent. What stays: each coach's coach-only notes, readable by their
author alone (see `runner_selectors.readable_notes`, decisions.md)."""

from __future__ import annotations

from django.utils import timezone

from flowcoach.accounts import hooks
from flowcoach.accounts.models import User
from flowcoach.clients.models import Client
from flowcoach.outbox.handover import messages_hand_over
from flowcoach.outbox.services import OutboxError

from . import emails
from .models import CoachingSession, Engagement, SessionRecord
from .runner import clock as runner_clock


def client_reassign_objection(*, client: Client, **_) -> str | None:
    """A session being run now cannot change hands: its coach is typing into it."""
    running = (
        SessionRecord.objects.select_for_update(of=("self",))
        .filter(
            session__engagement__client=client,
            started_at__isnull=False,
            completed_at__isnull=True,
        )
        .select_related("session")
        .first()
    )
    if running is None:
        return None
    return (
        f"{running.session.title} with {client.full_name} is running right now. "
        "Once its coach has finished it in the runner, you can change the coach."
    )


def client_coaching_hand_over(*, client: Client, previous_coach: User, coach: User, **_) -> None:
    """Runs inside `client_reassign`'s transaction, after no objection was raised."""
    engagements = Engagement.objects.select_for_update().filter(client=client)
    engagement_ids = list(engagements.values_list("pk", flat=True))
    Engagement.objects.filter(pk__in=engagement_ids).update(coach=coach)
    sessions = list(
        CoachingSession.objects.select_for_update(of=("self",))
        .filter(engagement_id__in=engagement_ids)
        .select_related(
            "engagement__client",
            "engagement__coach",
            "engagement__organisation",
            "engagement__program",
            "template_version",
        )
        .order_by("engagement_id", "sequence")
    )
    now = timezone.now()
    try:
        for session in sessions:
            if session.status == CoachingSession.Status.SCHEDULED:
                # The event's organiser changes: a client who has the invitation gets an
                # update with a higher SEQUENCE, so their calendar replaces the event.
                reached = (
                    session.starts_at is not None
                    and session.starts_at > now
                    and emails.invitation_reached(session)
                )
                if reached:
                    session.ics_sequence += 1
                    session.save(update_fields=["ics_sequence"])
                emails.session_emails_coach_changed(session, reached=reached)
            elif session.status == CoachingSession.Status.HELD:
                record = SessionRecord.objects.filter(session=session).first()
                if record is not None and record.completed_at is not None:
                    emails.session_follow_up_coach_changed(
                        session,
                        recap_text=runner_clock.recap_text(session, record),
                        commitments_text=runner_clock.commitments_text(session),
                    )
    except OutboxError as error:
        raise hooks.Refused(
            f"An email waiting to go out could not be rewritten for the new coach: {error}"
        ) from None
    # Whatever was not re-drafted above (one-off messages, a coach's notice of a client's
    # answer, a cancellation still waiting) moves with its owner and Reply-To.
    messages_hand_over(
        organisation=client.organisation,
        to_email=client.email,
        references=[emails.reference_of(session) for session in sessions],
        previous_owner=previous_coach,
        owner=coach,
    )
