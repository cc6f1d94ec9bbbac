"""Downloads: the coach's PDF of a session summary, and a client's own records from the
portal. The two never share a code path, so a change to the coach's document cannot leak
coach-only material into what a client takes home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from flowcoach.accounts import policy
from flowcoach.clients import access as client_access

from . import access, client_selectors, runner_selectors, summary_pdf


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@policy.role_required(*policy.COACH)
@never_cache
def summary_as_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's own copy of the summary, coach-only notes included."""
    session = access.get_session_for(policy.actor_of(request), pk)
    data = runner_selectors.summary_page(session)
    pdf = summary_pdf.summary_pdf(session, data)
    return _attachment(
        HttpResponse(pdf, content_type="application/pdf"), f"session-{session.pk}-summary.pdf"
    )


@require_GET
@policy.role_required(*policy.CLIENT)
@never_cache
def my_records(request: HttpRequest) -> HttpResponse:
    """Everything the client's coach shared with them, as one ZIP holding a JSON file (for
    other tools) and a Markdown file (to read)."""
    client = client_access.own_client_record(policy.actor_of(request))
    records = client_selectors.client_records(client)
    archive = client_selectors.records_zip(records)
    stamp = timezone.now().strftime("%Y-%m-%d")
    return _attachment(
        HttpResponse(archive, content_type="application/zip"), f"my-coaching-records-{stamp}.zip"
    )
