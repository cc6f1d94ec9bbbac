"""Engagements (a client in a program) and the sessions they are made of."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from flowcoach.accounts.models import Organisation
from flowcoach.clients.models import Client
from flowcoach.lib.timezones import time_zone_choices
from flowcoach.programs.models import FlowStage, Program, SessionTemplate, TemplateVersion


class Engagement(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    class Cadence(models.TextChoices):
        NONE = "none", "Not scheduled yet"
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="engagements"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="engagements")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="engagements")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.NONE)
    first_session_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="UTC")
    # Where the sessions usually happen, set once at enrolment: each new session starts
    # with it, and a session can still have its own.
    video_link = models.URLField(max_length=500, blank=True)
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "coach", "status"])]
        constraints = [
            # Enrolling twice in the same program (a double submit) would double-book every
            # session; a finished or stopped engagement may be followed by a new one.
            models.UniqueConstraint(
                fields=["client", "program"],
                condition=models.Q(status="active"),
                name="engagement_one_active_per_program",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client} in {self.program}"


def new_ics_uid() -> str:
    """A calendar UID that never changes for the session's life, so every update and the
    cancellation land on the same event in the client's calendar."""
    return f"{uuid.uuid4().hex}@flowcoach"


class CoachingSession(models.Model):
    class Status(models.TextChoices):
        UNSCHEDULED = "unscheduled", "Not scheduled"
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"
        CANCELLED_LATE = "cancelled_late", "Cancelled late"

    DONE_STATES = (Status.HELD, Status.NO_SHOW, Status.CANCELLED, Status.CANCELLED_LATE)

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    template = models.ForeignKey(SessionTemplate, on_delete=models.PROTECT, related_name="+")
    # The exact script the session runs on; later edits of the template never reach it.
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="sessions"
    )
    sequence = models.PositiveIntegerField()
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=150)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNSCHEDULED)
    # The booked time. A session run on another day keeps it; `held_at` says when it ran.
    starts_at = models.DateTimeField(null=True, blank=True)
    # When the session actually ran (the runner's first start, else when it was marked
    # held); the follow-up, summaries and the portal count from it.
    held_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="UTC")
    duration_minutes = models.PositiveIntegerField()
    # Where it happens: at least one is set once the session is scheduled.
    video_link = models.URLField(max_length=500, blank=True)
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The client confirmed the current time (cleared when the time changes).
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ics_uid = models.CharField(max_length=100, default=new_ics_uid, editable=False)
    # Raised on each reschedule, so calendars replace the old time instead of adding one.
    ics_sequence = models.PositiveIntegerField(default=0)
    # An open session's topic, chosen by the coach from the candidates collected earlier (or
    # typed); its preparation email names it, so a blank one holds that email back.
    open_topic = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "sequence"], name="session_sequence_unique"
            )
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            # The organisation figures read held sessions of six months from this alone.
            models.Index(
                fields=["status", "starts_at", "engagement", "duration_minutes"],
                name="session_held_figures_idx",
            ),
        ]
        ordering = ["engagement", "sequence"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def place(self) -> str:
        """The place as one line, for emails and calendars."""
        return " · ".join(p for p in (self.video_link, self.address, self.phone) if p)

    @property
    def when(self) -> datetime | None:
        """When it ran if held, else when it is booked."""
        return self.held_at or self.starts_at

    @property
    def held_elsewhen(self) -> bool:
        """True when it ran on another day than booked (both are then worth showing)."""
        if self.held_at is None or self.starts_at is None:
            return False
        return abs(self.held_at - self.starts_at) >= timedelta(hours=12)

    @property
    def ends_at(self) -> datetime | None:
        if self.starts_at is None:
            return None
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def client(self) -> Client:
        return self.engagement.client

    @property
    def is_open_session(self) -> bool:
        return self.template_version.kind == TemplateVersion.Kind.OPEN

    @property
    def coach(self):
        return self.engagement.coach


class SessionRequest(models.Model):
    """What a client asked through a link in a session email. One per link: the link for a
    given action and a given version of the time can be used once."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", "Confirmed"
        RESCHEDULE = "reschedule", "Asked to move"
        CANCEL = "cancel", "Cancelled"

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="client_requests"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    ics_sequence = models.PositiveIntegerField()
    # UTC ISO strings of up to three times the client proposed.
    proposed_times = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind", "ics_sequence"], name="session_request_once_per_link"
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.session} · {self.kind}"


class CalendarFeed(models.Model):
    """A person's private calendar subscription. The token is the only secret: whoever holds
    the URL sees the sessions, so it can be replaced at any time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class NudgeSetting(models.Model):
    """A coach's choice about the weekly email listing clients with nothing scheduled."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudge_setting"
    )
    weekly_digest = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Nudge setting of {self.user}"


# --- the live session runner --------------------------------------------------------------------


class Topic(models.TextChoices):
    SELF_CONCEPT = "self_concept", "Self-concept"
    IDENTITY_ROLE = "identity_role", "Identity and role"
    PERSONAL_GOALS = "personal_goals", "Personal goals"
    BEHAVIOURAL_REFLECTION = "behavioural_reflection", "Behavioural reflection"


class Reflection(models.TextChoices):
    MORE = "more", "More"
    BETTER = "better", "Better"
    DIFFERENT = "different", "Different"


class SessionNote(models.Model):
    """A running note typed during a session. Its `uuid` is made by the browser, so a retried
    save updates the same row; `version` rises on each change so a stale tab cannot
    overwrite a newer text without being told."""

    class Marker(models.TextChoices):
        ENERGY = "energy", "Energy"
        AHA = "aha", "Aha"

    class Visibility(models.TextChoices):
        COACH_ONLY = "coach_only", "Coach only"
        SHARED = "shared_with_client", "Shared with the client"

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="notes")
    # The coach who wrote it. A coach-only note stays theirs when the client moves to another
    # coach: the new coach never reads it and nobody else may change it (decisions.md).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_notes"
    )
    uuid = models.UUIDField(unique=True)
    body = models.TextField(blank=True)
    segment = models.PositiveIntegerField(default=0)
    flow_stage = models.CharField(max_length=12, choices=FlowStage.choices, blank=True)
    topic = models.CharField(max_length=24, choices=Topic.choices, blank=True)
    reflection = models.CharField(max_length=10, choices=Reflection.choices, blank=True)
    marker = models.CharField(max_length=8, choices=Marker.choices, blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.COACH_ONLY
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.uuid} of {self.session_id}"


class Commitment(models.Model):
    class Owner(models.TextChoices):
        CLIENT = "client", "The client"
        COACH = "coach", "The coach"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        KEPT = "kept", "Kept"
        PARTLY_KEPT = "partly_kept", "Partly kept"
        MISSED = "missed", "Missed"
        DROPPED = "dropped", "Dropped"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="commitments")
    session = models.ForeignKey(
        CoachingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    uuid = models.UUIDField(unique=True)
    owner = models.CharField(max_length=8, choices=Owner.choices, default=Owner.CLIENT)
    text = models.TextField()
    due_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        # Client and state for the lists; due date too, so the organisation figures count
        # outcomes from the index alone (bench/figures.py).
        indexes = [models.Index(fields=["client", "state", "due_date"])]

    def __str__(self) -> str:
        return self.text[:60]


class PurposeStatement(models.Model):
    """One row per session that drafted it; the newest is the client's current statement."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="purpose_statements")
    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="purpose_statements"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Raised on every change: a save based on an older version is refused (two tabs).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "session"], name="purpose_once_per_session")
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class SessionRecord(models.Model):
    """What a run session produced besides notes: the F.L.O.W. worksheet, the wrap, the
    outcomes marked, topic candidates, and the server-side timing log of its segments."""

    session = models.OneToOneField(CoachingSession, on_delete=models.CASCADE, related_name="record")
    challenge = models.TextField(blank=True)
    learned = models.TextField(blank=True)
    shadow_tendency = models.TextField(blank=True)
    growth_need = models.TextField(blank=True)
    adjustments = models.TextField(blank=True)
    most_helpful = models.TextField(blank=True)
    coach_summary = models.TextField(blank=True)
    # [{"text": ..., "mark": "met" | "partly" | "not_yet"}]
    outcomes = models.JSONField(default=list, blank=True)
    topic_candidates = models.JSONField(default=list, blank=True)
    # [{"segment": index, "started_at": iso, "ended_at": iso | null}]: one row per stretch of
    # running time, so pauses are the gaps and actual minutes survive a reload.
    timing = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The organisation figures' on-time rate reads a run's times from the index alone.
        indexes = [
            models.Index(
                fields=["session", "started_at", "completed_at"], name="record_run_times_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Record of {self.session_id}"


class PreparationTick(models.Model):
    """One item of the session template's preparation list marked done. The coach ticks the
    coach's list and the client their own; the coach sees both, the client never sees the
    coach's. Items are positions in the session's frozen
    template version, which never changes once a session uses it. Unticking deletes the row,
    so ticking twice is harmless."""

    class Side(models.TextChoices):
        COACH = "coach", "The coach"
        CLIENT = "client", "The client"

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="preparation_ticks"
    )
    side = models.CharField(max_length=8, choices=Side.choices)
    item = models.PositiveSmallIntegerField()
    ticked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "side", "item"], name="preparation_tick_once"
            )
        ]
        ordering = ["session", "side", "item"]

    def __str__(self) -> str:
        return f"{self.side} item {self.item} of {self.session_id}"
