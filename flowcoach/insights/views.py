"""The organisation's figures for its admins: a page per month and a CSV of every month."""

from __future__ import annotations

import csv
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from flowcoach.accounts import page_cache, policy
from flowcoach.accounts.audit import audit_record, export_noted
from flowcoach.accounts.models import AuditAction, Role
from flowcoach.clients import access as client_access
from flowcoach.clients.models import Client

from . import export_jobs, exports, figures, progress

FIGURES = (
    ("on_time", "On time"),
    ("kept", "Commitments kept"),
    ("follow_up", "Follow-ups by the next day"),
    ("check_ins", "Check-ins answered"),
)


def _month(value: str, months: list[date]) -> date:
    for month in months:
        if month.strftime("%Y-%m") == value:
            return month
    return months[-1]


@require_GET
@policy.role_required(*policy.ADMIN)
def organisation_figures(request: HttpRequest) -> HttpResponse:
    organisation = policy.actor_of(request).organisation
    data = figures.organisation_figures(organisation)
    month = _month(request.GET.get("month", ""), data.months)
    index = data.months.index(month)
    rows = [(coach, cells[index]) for coach, cells in data.rows()]
    return render(
        request,
        "insights/organisation_figures.html",
        {
            "months": data.months,
            "month": month,
            "rows": rows,
            "total": data.totals.get(month) or figures.CoachMonth(),
            "trend": [(m, data.totals.get(m) or figures.CoachMonth()) for m in data.months],
            "figure_names": FIGURES,
        },
    )


@require_GET
@policy.role_required(*policy.ADMIN)
def organisation_figures_csv(request: HttpRequest) -> HttpResponse:
    """Every month and coach, as the page shows them: counts and rates only."""
    actor = policy.actor_of(request)
    data = figures.organisation_figures(actor.organisation)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="organisation-figures.csv"'
    writer = csv.writer(response)
    header = ["month", "coach", "sessions_held"]
    for key, _ in FIGURES:
        header += [f"{key}_met", f"{key}_of", f"{key}_percent"]
    writer.writerow(header)
    for coach, cells in data.rows():
        for month, cell in zip(data.months, cells, strict=True):
            row = [month.strftime("%Y-%m"), coach.full_name, cell.held.total]
            for key, _ in FIGURES:
                tally = getattr(cell, key)
                if tally.withheld:
                    row += ["fewer than 3 clients", "", ""]
                else:
                    row += [tally.met, tally.total, "" if tally.rate is None else tally.rate]
            writer.writerow(row)
    audit_record(
        organisation=actor.organisation,
        actor=actor.user,
        actor_role=Role.ADMIN,
        action=AuditAction.EXPORT,
        object_type="organisation_figures",
        object_id=actor.organisation.pk,
        detail={"format": "csv"},
    )
    return response


@require_GET
@policy.role_required(*policy.STAFF)
@page_cache.cached_page
def client_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's progress over months, for their coach (never an admin: it reads coaching)."""
    client = client_access.get_coached_client_for(policy.actor_of(request), pk)
    return render(
        request,
        "insights/client_progress.html",
        {
            "client": client,
            "progress": progress.client_progress(client),
            "shared_only": False,
            "export_tables": [(table.key, table.label) for table in exports.TABLES.values()],
        },
    )


def _streamed(chunks, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _table(key: str) -> exports.Table:
    table = exports.TABLES.get(key)
    if table is None:
        raise Http404
    return table


def _practice(request: HttpRequest):
    actor = policy.actor_of(request)
    return client_access.clients_visible_to(actor).filter(coach=actor.user)


@require_GET
@policy.role_required(*policy.COACH)
def practice_exports(request: HttpRequest) -> HttpResponse:
    """The coach's downloads of their whole practice."""
    actor = policy.actor_of(request)
    clients = _practice(request)
    rows = exports.row_count(exports.TABLES.values(), clients)
    return render(
        request,
        "insights/exports.html",
        {
            "tables": exports.TABLES.values(),
            "client_count": clients.count(),
            "row_count": rows,
            # A large practice is written by the worker and fetched when ready, rather than
            # keeping a browser on one long download.
            "in_background": rows > export_jobs.background_rows(),
            "jobs": export_jobs.recent_jobs(actor.organisation, actor.user),
        },
    )


@require_GET
@policy.role_required(*policy.COACH)
def practice_export_csv(request: HttpRequest, table: str) -> StreamingHttpResponse:
    chosen = _table(table)
    actor = policy.actor_of(request)
    export_noted(
        policy.actor_of(request),
        object_type=f"practice_{chosen.key}",
        object_id=actor.user.pk,
        file_format="csv",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    return _streamed(
        exports.csv_stream(chosen, _practice(request)),
        "text/csv; charset=utf-8",
        f"practice-{chosen.key}-{stamp}.csv",
    )


@require_GET
@policy.role_required(*policy.COACH)
def practice_export_json(request: HttpRequest) -> StreamingHttpResponse:
    actor = policy.actor_of(request)
    export_noted(
        policy.actor_of(request),
        object_type="practice",
        object_id=actor.user.pk,
        file_format="json",
    )
    now = timezone.now()
    return _streamed(
        exports.json_stream(_practice(request), now.isoformat()),
        "application/json",
        f"practice-{now:%Y-%m-%d}.json",
    )


@require_GET
@policy.role_required(*policy.STAFF)
def client_export_csv(request: HttpRequest, pk: int, table: str) -> StreamingHttpResponse:
    client = client_access.get_coached_client_for(policy.actor_of(request), pk)
    chosen = _table(table)
    export_noted(
        policy.actor_of(request),
        object_type=f"client_{chosen.key}",
        object_id=client.pk,
        file_format="csv",
    )
    return _streamed(
        exports.csv_stream(chosen, Client.objects.filter(pk=client.pk)),
        "text/csv; charset=utf-8",
        f"client-{client.pk}-{chosen.key}.csv",
    )


@require_GET
@policy.role_required(*policy.STAFF)
def client_export_json(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    client = client_access.get_coached_client_for(policy.actor_of(request), pk)
    export_noted(
        policy.actor_of(request), object_type="client", object_id=client.pk, file_format="json"
    )
    return _streamed(
        exports.json_stream(Client.objects.filter(pk=client.pk), timezone.now().isoformat()),
        "application/json",
        f"client-{client.pk}.json",
    )
