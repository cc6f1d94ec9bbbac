"""Two background exports of the demo's busiest coach, so the exports page shows a prepared
file (with the "ready" email in their outbox) and one still waiting for the worker, which
`make worker` then really writes."""

from __future__ import annotations

from django.db.models import Count

from flowcoach.accounts.models import Organisation, User
from flowcoach.insights import export_jobs
from flowcoach.insights.models import ExportJob


def seed_exports(org: Organisation) -> None:
    if ExportJob.objects.filter(organisation=org).exists():
        return  # a second run changes nothing
    coach = (
        User.objects.filter(coached_clients__organisation=org)
        .annotate(clients=Count("coached_clients"))
        .order_by("-clients", "pk")
        .first()
    )
    if coach is None:
        return
    ready = export_jobs.export_start(organisation=org, coach=coach, file_format="json")
    export_jobs.export_run(ready.pk)
    export_jobs.export_start(organisation=org, coach=coach, file_format="csv", table="sessions")
