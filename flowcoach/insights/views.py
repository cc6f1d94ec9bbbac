"""The organisation's figures for its admins: a page per month and a CSV of every month."""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from flowcoach.accounts import policy
from flowcoach.accounts.audit import audit_record
from flowcoach.accounts.models import AuditAction, Role

from . import figures

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
