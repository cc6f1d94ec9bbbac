"""The coach's background exports of a large practice: start one, watch it, download it,
try again. Small practices keep the direct streamed downloads in `views`."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import policy
from flowcoach.accounts.audit import export_noted

from . import export_jobs
from .models import ExportFormat, ExportJob, ExportState


def _exports_url() -> str:
    return reverse("practice_exports")


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    """A job of the signed-in coach in this organisation; anyone else's does not exist."""
    actor = policy.actor_of(request)
    try:
        return ExportJob.objects.get(pk=pk, owner=actor.user, organisation=actor.organisation)
    except ExportJob.DoesNotExist:
        raise Http404 from None


@require_POST
@policy.role_required(*policy.COACH)
def practice_export_start(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    file_format = request.POST.get("format", "")
    table = request.POST.get("table", "")
    if file_format not in ExportFormat.values:
        messages.error(request, "Please choose one of the files on this page.")
        return redirect("practice_exports")
    try:
        job = export_jobs.export_start(
            organisation=actor.organisation, coach=actor.user, file_format=file_format, table=table
        )
    except export_jobs.ExportError:
        messages.error(request, "Please choose one of the files on this page.")
        return redirect("practice_exports")
    return redirect(f"{_exports_url()}#export-job-{job.pk}")


@require_GET
@policy.role_required(*policy.COACH)
def practice_export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One job's row on the exports page; the page polls it while the file is written."""
    job = _own_job(request, pk)
    if not request.htmx:
        return redirect(f"{_exports_url()}#export-job-{job.pk}")
    return render(request, "insights/_export_job.html", {"job": job})


@require_GET
@policy.role_required(*policy.COACH)
def practice_export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if job.state != ExportState.READY or not job.file or job.expires_at <= timezone.now():
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    export_noted(
        policy.actor_of(request),
        object_type=f"practice_{job.table}" if job.table else "practice",
        object_id=job.owner_id,
        file_format=job.format,
    )
    content_type = "application/json" if job.format == ExportFormat.JSON else "text/csv"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.download_name,
        content_type=f"{content_type}; charset=utf-8",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@policy.role_required(*policy.COACH)
def practice_export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_jobs.export_retry(job=_own_job(request, pk))
    return redirect(f"{_exports_url()}#export-job-{job.pk}")
