"""The live session runner: its page, the autosave endpoints the page's script calls, and
the summary (page, Markdown and the coach's PDF). All of it is coaching material, for the
session's coach only.

The autosave endpoints take JSON (or an ordinary form, which the authorization matrix and a
script-less fallback use) and answer JSON: 200 with the new version, 400 with a message and
nothing changed, or 409 with both versions when the save was based on an older one."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import page_cache, policy
from flowcoach.accounts.audit import export_noted
from flowcoach.coaching import access
from flowcoach.coaching import services as scheduling
from flowcoach.lib import safe_parse

from . import clock as runner_clock
from . import selectors as runner_selectors
from . import services as runner_services
from . import summary_pdf
from .services import Conflict, RunnerError

MAX_BODY = 100_000


class BadInput(Exception):
    pass


def _payload(request: HttpRequest) -> dict:
    if request.content_type == "application/json":
        if len(request.body) > MAX_BODY:
            raise BadInput("That is too much at once.")
        data = _json(request.body or b"{}")
        if not isinstance(data, dict):
            raise BadInput("The request could not be read.")
        return data
    data = request.POST.dict()
    if any("\x00" in value for value in data.values()):
        raise BadInput(NUL_REFUSED)
    return data


NUL_REFUSED = "Text may not contain NUL characters."


def _json(text: str | bytes):
    # Depth, numbers, duplicate keys and NUL characters are limited by the shared parser:
    # 40,000 nested brackets fit under MAX_BODY and used to exhaust the stack.
    try:
        return safe_parse.load_json(text, max_bytes=MAX_BODY)
    except safe_parse.ParseError as error:
        if "NUL" in str(error):
            raise BadInput(NUL_REFUSED) from None
        raise BadInput("The request could not be read.") from None


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=400)


def _conflict(error: Conflict) -> JsonResponse:
    return JsonResponse(
        {
            "ok": False,
            "error": "This was changed in another tab or window. Both versions are shown.",
            "version": error.stored_version,
            "stored": error.stored,
            "yours": error.yours,
        },
        status=409,
    )


def _autosave(handler):
    """Shared shape of the autosave endpoints: coach only, POST, JSON in and out."""

    @policy.role_required(*policy.COACH)
    @require_POST
    @never_cache
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        session = access.get_session_for_save(policy.actor_of(request), pk)
        try:
            data = _payload(request)
            return JsonResponse({"ok": True, **handler(session, data)})
        except (BadInput, RunnerError) as error:
            return _bad(str(error))
        except Conflict as error:
            return _conflict(error)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _take(data: dict, *names: str) -> dict:
    unknown = set(data) - {*names, "uuid", "base_version", "deleted", "csrfmiddlewaretoken"}
    if unknown:
        raise BadInput(f"Unknown field: {sorted(unknown)[0]}.")
    return {name: data[name] for name in names if name in data}


@_autosave
def runner_notes(session, data: dict) -> dict:
    """Create, update or delete one note by its browser-made id."""
    if data.get("deleted") in (True, "true", "1"):
        note = runner_services.note_delete(
            session=session, uuid=data.get("uuid"), base_version=data.get("base_version")
        )
        return {"uuid": str(data.get("uuid")), "version": note.version if note else None}
    note = runner_services.note_save(
        session=session,
        uuid=data.get("uuid"),
        base_version=data.get("base_version"),
        **_take(data, *runner_services.NOTE_FIELDS),
    )
    # The note as the page shows it, rendered here so the browser never renders Markdown.
    html = runner_selectors.markdown_html(note.body)
    return {"uuid": str(note.uuid), "version": note.version, "html": html}


@_autosave
def runner_commitments(session, data: dict) -> dict:
    """Create, update or delete one commitment by its browser-made id."""
    if data.get("deleted") in (True, "true", "1"):
        runner_services.commitment_delete(
            session=session, uuid=data.get("uuid"), base_version=data.get("base_version")
        )
        return {"uuid": str(data.get("uuid")), "version": None, "deleted": True}
    commitment = runner_services.commitment_save(
        session=session,
        uuid=data.get("uuid"),
        base_version=data.get("base_version"),
        **_take(data, "owner", "text", "due_date", "state"),
    )
    return {"uuid": str(commitment.uuid), "version": commitment.version}


@_autosave
def runner_record(session, data: dict) -> dict:
    """The worksheet, wrap, outcomes and topic candidates (`fields`, checked against
    `base_version`); `purpose` saves the statement (checked against `purpose_version`)."""
    fields = data.get("fields", {})
    if isinstance(fields, str):  # a form post sends JSON text
        fields = _json(fields or "{}")
    if not isinstance(fields, dict):
        raise BadInput("The request could not be read.")
    record, statement = runner_services.record_and_purpose_save(
        session=session,
        fields=fields,
        base_version=data.get("base_version"),
        purpose=data["purpose"] if "purpose" in data else None,
        purpose_version=data.get("purpose_version"),
    )
    answer = {"version": record.version}
    if "purpose" in data:
        answer["purpose"] = "saved"
        answer["purpose_version"] = statement.version if statement else None
    return answer


@_autosave
def runner_timing(session, data: dict) -> dict:
    """One clock event: start, next, pause, resume or finish."""
    at = None
    if data.get("at"):
        try:
            at = datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00"))
        except ValueError:
            raise BadInput("The time could not be read.") from None
        if at.tzinfo is None:
            raise BadInput("The time needs a time zone.")
    segment = data.get("segment")
    if segment not in (None, ""):
        try:
            segment = int(segment)
        except (TypeError, ValueError):
            raise BadInput("The segment must be a number.") from None
    else:
        segment = None
    record = runner_clock.timing_event(
        session=session, event=str(data.get("event", "")), at=at, segment=segment
    )
    return {"timing": record.timing}


@require_GET
@policy.role_required(*policy.COACH)
@never_cache
def runner(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    data = runner_selectors.runner_page(session)
    return render(
        request,
        "runner/runner.html",
        {
            "session": session,
            "client": session.engagement.client,
            "far_from_booking": scheduling.far_from_booking(session),
            **data,
        },
    )


@policy.role_required(*policy.COACH)
@require_POST
def runner_complete(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    try:
        runner_clock.session_complete(session=session)
    except RunnerError as error:
        from django.contrib import messages

        messages.error(request, str(error))
        return redirect("runner", pk=session.pk)
    return redirect("runner_summary", pk=session.pk)


@require_GET
@policy.role_required(*policy.COACH)
@page_cache.cached_page
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    data = runner_selectors.summary_page(session)
    return render(
        request,
        "runner/summary.html",
        {"session": session, "client": session.engagement.client, **data},
    )


@require_GET
@policy.role_required(*policy.COACH)
def summary_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    data = runner_selectors.summary_page(session)
    text = runner_selectors.summary_markdown(session, data)
    export_noted(
        policy.actor_of(request), object_type="session", object_id=session.pk, file_format="md"
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-summary.md"'
    return response


@require_GET
@policy.role_required(*policy.COACH)
@never_cache
def summary_as_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's own copy of the summary, coach-only notes included. It shares no code path
    with the client's records download (portal), so a change here cannot leak coach-only
    material into what a client takes home."""
    session = access.get_session_for(policy.actor_of(request), pk)
    data = runner_selectors.summary_page(session)
    pdf = summary_pdf.summary_pdf(session, data)
    export_noted(
        policy.actor_of(request), object_type="session", object_id=session.pk, file_format="pdf"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-summary.pdf"'
    return response
