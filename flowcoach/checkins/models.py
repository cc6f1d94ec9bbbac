"""Weekly check-ins between sessions, what the client does with their commitments day to
day, and which emails the client has switched off.

Answers are the client's words for their coach: only that coach reads them (never an admin,
who sees counts, nor another coach), and the client reads their own."""

from __future__ import annotations

import uuid
from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from flowcoach.clients.models import Client
from flowcoach.coaching.models import Commitment, Engagement, Reflection

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
DEFAULT_WEEKDAY = 4
DEFAULT_TIME = time(15, 0)


class CheckinSchedule(models.Model):
    """When an engagement's weekly check-in opens, in the client's own time zone. An active
    engagement without a row checks in weekly at the default; a stopped or completed one
    never does, whatever its row says."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="checkin_schedule"
    )
    enabled = models.BooleanField(default=True)
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, default=DEFAULT_WEEKDAY)
    local_time = models.TimeField(default=DEFAULT_TIME)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Check-ins of {self.engagement_id}"


class Checkin(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        LATE = "late", "Answered late"
        MISSED = "missed", "Missed"

    class Reminder(models.TextChoices):
        NONE = "", "Not yet"
        DRAFTED = "drafted", "Reminder drafted"
        SKIPPED = "skipped", "Reminders switched off"
        NOT_NEEDED = "not_needed", "Answered before the reminder"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="checkins")
    # The same as the engagement's client, kept here so a client's check-ins are one query.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="checkins")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    opens_at = models.DateTimeField()
    # The latest it can close: when the next invitation goes out. A session starting earlier
    # closes it sooner (see rhythm.closing_time).
    closes_at = models.DateTimeField()
    remind_at = models.DateTimeField()
    reminder = models.CharField(max_length=12, choices=Reminder.choices, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    more = models.TextField(blank=True)
    better = models.TextField(blank=True)
    different = models.TextField(blank=True)
    energy = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    identity_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    role_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "opens_at"], name="checkin_once_per_week")
        ]
        indexes = [
            models.Index(fields=["client", "opens_at"]),
            models.Index(fields=["closed_at", "closes_at"]),
        ]
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return f"Check-in of {self.client_id} opening {self.opens_at:%Y-%m-%d}"

    @property
    def is_answered(self) -> bool:
        return self.state in (self.State.ANSWERED, self.State.LATE)


class CheckinCommitment(models.Model):
    """A more / better / different answer the client turned into a commitment."""

    checkin = models.ForeignKey(Checkin, on_delete=models.CASCADE, related_name="conversions")
    word = models.CharField(max_length=10, choices=Reflection.choices)
    commitment = models.OneToOneField(
        Commitment, on_delete=models.CASCADE, related_name="checkin_source"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "word"], name="checkin_word_once")
        ]

    def __str__(self) -> str:
        return f"{self.word} of {self.checkin_id}"


class CommitmentUpdate(models.Model):
    """The client saying how a commitment goes: its new state and a comment, from a check-in
    or from the portal. Its `uuid` comes with the form, so a double submit stores one row."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    checkin = models.ForeignKey(
        Checkin, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    uuid = models.UUIDField(unique=True)
    state = models.CharField(max_length=12, choices=Commitment.State.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["commitment", "created_at"])]

    def __str__(self) -> str:
        return f"{self.commitment_id} → {self.state}"


class ProgressLog(models.Model):
    """One line of day-to-day progress on a commitment, for the day the client names."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress_logs"
    )
    uuid = models.UUIDField(unique=True)
    day = models.DateField()
    text = models.CharField(max_length=280)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "created_at", "id"]
        indexes = [models.Index(fields=["commitment", "day"])]

    def __str__(self) -> str:
        return f"{self.day}: {self.text[:40]}"


class EmailPreference(models.Model):
    """What a client switched off. Invitations and session emails always go; reminders are
    the client's choice."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="email_preference")
    checkin_reminders = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Email choices of {self.client_id}"
