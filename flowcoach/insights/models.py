"""A large practice export, written by the task worker to private storage while the coach
waits on the page (or leaves: an email says when it is ready)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from flowcoach.accounts.models import Organisation


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Writing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


# A job in these states holds the coach's place: asking again returns it, never a second one.
ACTIVE = (ExportState.QUEUED, ExportState.RUNNING)


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


def export_path(instance: ExportJob, filename: str) -> str:
    # A random name on disk, as for uploads: nothing about the coach or the data in it.
    return f"exports/{instance.organisation_id}/{uuid.uuid4().hex}.{instance.format}"


class ExportJob(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    # The table of a CSV ("sessions"); empty for JSON, which holds every table.
    table = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    rows_written = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Moved on every progress step: a running job that stops moving belonged to a worker
    # that died, and no longer blocks a new one.
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two clicks (or two tabs) on "Export" never start two jobs for the same file.
            models.UniqueConstraint(
                fields=["owner", "organisation", "format", "table"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_active_export_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.format} {self.table or 'all'}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    @property
    def percent(self) -> int:
        if self.state == ExportState.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_written * 100 // self.rows_total)

    @property
    def download_name(self) -> str:
        stamp = self.created_at.strftime("%Y-%m-%d")
        if self.format == ExportFormat.JSON:
            return f"practice-{stamp}.json"
        return f"practice-{self.table}-{stamp}.csv"


class MonthlyFigure(models.Model):
    """A finished month's organisation figures of one coach (or, with no coach, of the whole
    organisation), kept so the admin's page counts only the current month live. Counts only:
    no client, no date of anything, no words; deleting a client forgets the organisation's
    rows (insights/figures.py), so nothing of theirs stays even as a number.

    `time_zone` is the organisation's zone the months were cut in: rows cut in another zone
    are not read (the months' edges moved), so changing the zone recounts them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    time_zone = models.CharField(max_length=64)
    computed_at = models.DateTimeField(default=timezone.now)
    # Per figure: how many counted, how many met, over how many different clients (for the
    # organisation's row, the number the small-group rule needs; see figures._tally).
    held_total = models.PositiveIntegerField(default=0)
    held_met = models.PositiveIntegerField(default=0)
    held_clients = models.PositiveIntegerField(default=0)
    on_time_total = models.PositiveIntegerField(default=0)
    on_time_met = models.PositiveIntegerField(default=0)
    on_time_clients = models.PositiveIntegerField(default=0)
    kept_total = models.PositiveIntegerField(default=0)
    kept_met = models.PositiveIntegerField(default=0)
    kept_clients = models.PositiveIntegerField(default=0)
    follow_up_total = models.PositiveIntegerField(default=0)
    follow_up_met = models.PositiveIntegerField(default=0)
    follow_up_clients = models.PositiveIntegerField(default=0)
    check_ins_total = models.PositiveIntegerField(default=0)
    check_ins_met = models.PositiveIntegerField(default=0)
    check_ins_clients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Two admins opening the page at once both fill a missing month: one set of rows.
            models.UniqueConstraint(
                fields=["organisation", "month", "coach"],
                condition=models.Q(coach__isnull=False),
                name="one_monthly_figure_per_coach",
            ),
            models.UniqueConstraint(
                fields=["organisation", "month"],
                condition=models.Q(coach__isnull=True),
                name="one_monthly_total_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of {self.month:%Y-%m} ({'organisation' if self.coach_id is None else self.coach_id})"
