"""A session's transcript, its figures, and who is who in it.

The transcript belongs to the coach who uploaded it (their reflection on their own
coaching): only they read it, an admin never does, the client sees only that one exists and
can withdraw consent, which deletes it. Utterance text can be discarded after analysis by an
organisation setting, leaving the figures and the lines the coach chose to keep.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from flowcoach.accounts.models import Organisation
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession


class Role(models.TextChoices):
    COACH = "coach", "Coach"
    CLIENT = "client", "Client"
    OTHER = "other", "Someone else"


class Transcript(models.Model):
    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="transcripts"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="transcripts")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transcripts"
    )
    filename = models.CharField(max_length=200)
    format = models.CharField(max_length=10)
    estimated_ends = models.BooleanField(default=False)
    # The coach's statement that the client agreed to the recording, when and by whom.
    consent_confirmed_at = models.DateTimeField()
    # [{"speaker", "start", "end", "text"}] as read; labels are recomputed from these.
    utterances = models.JSONField(default=list)
    # {speaker name: role} as mapped by the coach; empty until mapped.
    roles = models.JSONField(default=dict, blank=True)
    # The figures and labelled lines of the report (metrics.figures plus labels).
    figures = models.JSONField(default=dict, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    # Set when the text was discarded; the figures and the kept lines stay.
    text_discarded_at = models.DateTimeField(null=True, blank=True)
    kept_lines = models.JSONField(default=list, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["coach", "analysed_at"], name="transcript_coach_trend")]

    def __str__(self) -> str:
        return f"Transcript of {self.session_id} ({self.filename})"

    @property
    def is_analysed(self) -> bool:
        return self.analysed_at is not None


class SpeakerMapping(models.Model):
    """Who a name in a transcript is, remembered per client (and coach) for the next upload."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    speaker = models.CharField(max_length=120)
    role = models.CharField(max_length=8, choices=Role.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "coach", "speaker"], name="speaker_mapping_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.speaker} is {self.role}"


class TranscriptSettings(models.Model):
    """An organisation's choice about keeping transcript text after analysis."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="transcript_settings"
    )
    discard_text = models.BooleanField(
        "discard transcript text after analysis",
        default=False,
        help_text="Keep only the figures and the lines the coach chooses to keep.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Transcript settings of {self.organisation_id}"
