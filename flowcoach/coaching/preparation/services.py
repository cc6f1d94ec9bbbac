"""Writes of a session's preparation: the ticks on the template's two preparation lists (the
coach's and the client's) and an open session's chosen topic.

A tick is a row per item done, so ticking twice changes nothing and two browsers ticking
different items never undo each other. The topic is stored on the session; changing it
re-drafts the preparation email while that has not gone out yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession, PreparationTick
from flowcoach.outbox.models import Message, State

MAX_TOPIC = 200
# Ticking is for sessions still to come (or being prepared right now).
TICKABLE = (CoachingSession.Status.UNSCHEDULED, CoachingSession.Status.SCHEDULED)


class PreparationError(Exception):
    """A change the preparation refuses, with a reason fit to show."""


def items_of(session: CoachingSession, side: str) -> list[str]:
    version = session.template_version
    if side == PreparationTick.Side.COACH:
        return list(version.coach_preparation or [])
    if side == PreparationTick.Side.CLIENT:
        return list(version.client_preparation or [])
    raise PreparationError("That list is not one we know.")


def _item(value, count: int) -> int:
    try:
        item = int(str(value).strip())
    except (TypeError, ValueError):
        raise PreparationError("That item is not on this session's list.") from None
    if not 0 <= item < count:
        raise PreparationError("That item is not on this session's list.")
    return item


def _tickable(session: CoachingSession) -> None:
    if session.status not in TICKABLE:
        raise PreparationError("This session is over, so its preparation can no longer change.")


@transaction.atomic
def preparation_tick(*, session: CoachingSession, side: str, item, done: bool) -> set[int]:
    """Marks one item done or not done; answers the items now done on that side."""
    _tickable(session)
    index = _item(item, len(items_of(session, side)))
    ticks = PreparationTick.objects.filter(session=session, side=side)
    if done:
        ticks.get_or_create(session=session, side=side, item=index)
    else:
        ticks.filter(item=index).delete()
    return set(ticks.values_list("item", flat=True))


@transaction.atomic
def preparation_set(*, session: CoachingSession, side: str, done: Iterable) -> set[int]:
    """Makes exactly these items the done ones (what a plain form with every box sends).
    An item already ticked keeps its original time."""
    _tickable(session)
    count = len(items_of(session, side))
    wanted = {_item(value, count) for value in done}
    ticks = PreparationTick.objects.filter(session=session, side=side)
    ticks.exclude(item__in=wanted).delete()
    have = set(ticks.values_list("item", flat=True))
    now = timezone.now()
    PreparationTick.objects.bulk_create(
        [
            PreparationTick(session=session, side=side, item=index, ticked_at=now)
            for index in sorted(wanted - have)
        ],
        ignore_conflicts=True,  # a second tab saving the same tick at the same moment
    )
    return wanted


# --- the open-session topic ------------------------------------------------------------------


def clean_topic(session: CoachingSession, text) -> str:
    """The topic as stored: one line, trimmed. Empty means "not chosen yet"."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise PreparationError("The topic must be text.")
    topic = " ".join(text.split())
    if topic and not session.is_open_session:
        raise PreparationError("Only an open session has a topic to choose.")
    if len(topic) > MAX_TOPIC:
        raise PreparationError(f"Keep the topic short: at most {MAX_TOPIC} characters.")
    return topic


@dataclass
class TopicChange:
    session: CoachingSession
    # The preparation email after the change: re-drafted, already on its way (so it names
    # the earlier topic), or None when the session has none yet.
    email: Message | None

    @property
    def email_already_gone(self) -> bool:
        # A queued email is taken back and rewritten, so only one a worker holds has gone.
        return self.email is not None and self.email.state in (
            State.SENDING,
            State.SENT,
            State.INTERRUPTED,
        )


@transaction.atomic
def session_topic_set(*, session: CoachingSession, topic) -> TopicChange:
    """Chooses (or clears) an open session's topic and re-renders its unsent preparation
    email, so the email the client gets names it."""
    from flowcoach.coaching import emails

    locked = (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related(
            "engagement__client",
            "engagement__coach",
            "engagement__program",
            "engagement__organisation",
            "template_version",
        )
        .get(pk=session.pk)
    )
    if not locked.is_open_session:
        raise PreparationError("Only an open session has a topic to choose.")
    if locked.status not in TICKABLE:
        raise PreparationError("This session is over, so its topic can no longer change.")
    topic = clean_topic(locked, topic)
    if topic == locked.open_topic:
        return TopicChange(locked, emails.preparation_message(locked))
    locked.open_topic = topic
    locked.save(update_fields=["open_topic"])
    from flowcoach.outbox.services import OutboxError

    try:
        email = emails.session_preparation_redraft(locked)
    except OutboxError as error:
        raise PreparationError(
            f"The preparation email could not be prepared again: {error}"
        ) from None
    return TopicChange(locked, email)
