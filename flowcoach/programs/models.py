"""Programs are data: a track of session templates, each template versioned so a session
keeps the exact script it ran on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from flowcoach.accounts.models import Organisation

from .timing import planned_minutes, segments_fit


class FlowStage(models.TextChoices):
    """The four F.L.O.W. stages, in their order: the one definition templates, notes and the
    program file format share."""

    FIND_OUT = "find_out", "Find out"
    LEARN_ABOUT = "learn_about", "Learn about"
    OWN = "own", "Own"
    WORK_IT = "work_it", "Work it"


FLOW_STAGES = tuple(FlowStage.values)
FLOW_STAGE_LABELS = dict(FlowStage.choices)
SEGMENT_KINDS = (
    "greeting",
    "transition",
    "conversation",
    "flow",
    "review",
    "topic",
    "anchor",
    "wrap",
)
SEGMENT_FLAGS = {
    "draft_purpose_statement": "Draft the purpose statement here",
    "collect_open_topics": "Collect open-session topics here",
    "review_commitments": "Review last session's commitments here",
    "set_commitments": "Agree new commitments here",
    "more_better_different": "Ask what to do more of, better and differently",
}


class Program(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Private draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    # No organisation: a built-in program, shipped with flowcoach, read-only for everyone.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="programs"
    )
    # A draft belongs to the coach writing it until it is published to the organisation.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="program_drafts",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    audience = models.TextField(blank=True)
    recurring = models.BooleanField(
        default=False, help_text="Sessions keep coming (a weekly 1:1) until the coach stops."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    # For built-ins: a hash of the shipped file, so a changed file makes new versions.
    source_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"],
                condition=Q(organisation__isnull=False),
                name="program_slug_unique_in_org",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organisation__isnull=True),
                name="builtin_program_slug_unique",
            ),
        ]
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None


class SessionTemplate(models.Model):
    """A place in a program (S1, S2…). Its content lives in versions."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="templates")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(max_length=20)
    # A template removed from a program after sessions used it: kept for those sessions,
    # left out of exports and new enrolments.
    retired = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="template_code_unique")
        ]
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.program} · {self.code}"

    def latest_version(self) -> TemplateVersion:
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """One immutable-once-used revision of a session template."""

    class Kind(models.TextChoices):
        FOUNDATIONS = "foundations", "Foundations"
        SCRIPTED = "scripted", "Scripted"
        OPEN = "open", "Open"
        WEEKLY = "weekly_1on1", "Weekly 1:1"

    template = models.ForeignKey(SessionTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    minutes_min = models.PositiveIntegerField()
    minutes_max = models.PositiveIntegerField()
    outcomes = models.JSONField(default=list)
    coach_preparation = models.JSONField(default=list)
    client_preparation = models.JSONField(default=list)
    pre_reading = models.JSONField(default=list)  # [{"title": ..., "url": ...}]
    pre_email_days = models.PositiveIntegerField(default=7)
    pre_email_subject = models.CharField(max_length=200)
    pre_email_body = models.TextField()
    follow_email_days = models.PositiveIntegerField(default=1)
    follow_email_subject = models.CharField(max_length=200)
    follow_email_body = models.TextField()
    # [{name, kind, minutes_min, minutes_max, prompts: [...], notes, flow_stages: [{stage,
    # prompts}], flags: [...]}]: kept whole with the version so history is exact.
    segments = models.JSONField(default=list)
    # Set when a session is created from this version: from then on it never changes, and an
    # edit makes the next version instead.
    in_use = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")
        ]
        ordering = ["template", "-number"]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number}: {self.title}"

    @property
    def planned_segment_minutes(self) -> tuple[int, int]:
        return planned_minutes(self.segments)

    @property
    def fit(self) -> str:
        """ "fits", "over", "under" or "empty": see `timing.segments_fit`."""
        return segments_fit(self.minutes_min, self.minutes_max, self.segments)
