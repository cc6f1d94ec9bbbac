"""Background exports the matrix acts upon: one ready and one failed, both world.coach's."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from flowcoach.insights.models import ExportJob, ExportState


def add_extras(world) -> None:
    now = timezone.now()
    ready = ExportJob(
        organisation=world.org,
        owner=world.coach,
        format="json",
        state=ExportState.READY,
        rows_written=1,
        rows_total=1,
        size=3,
        finished_at=now,
        expires_at=now + timedelta(days=7),
    )
    # One stable file in private storage, written once (as fixtures_profiles does).
    name = "exports/authz-matrix/practice.json"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"{}\n"))
    ready.file.name = name
    ready.save()
    world.extras["export_ready"] = ready
    world.extras["export_failed"] = ExportJob.objects.create(
        organisation=world.org,
        owner=world.coach,
        format="csv",
        table="sessions",
        state=ExportState.FAILED,
        finished_at=now,
    )
