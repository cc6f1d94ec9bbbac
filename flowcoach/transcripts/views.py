"""Transcript pages: upload on a session, map speakers, the report, trends, and the
organisation's retention setting (the client's consent page is in the portal). Thin:
access, forms, then services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import policy
from flowcoach.coaching import access as coaching_access

from . import access, selectors, services
from .forms import SettingsForm, SpeakerForm, UploadForm
from .models import TranscriptSettings
from .parsing import TranscriptError
from .report import report


@policy.role_required(*policy.COACH)
def transcript_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    session = coaching_access.get_session_for(actor, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            transcript = services.transcript_import(
                session=session,
                coach=actor.user,
                data=upload.read(),
                filename=upload.name,
                consent=form.cleaned_data["consent"],
            )
        except TranscriptError as error:
            form.add_error("file", str(error))
        else:
            if transcript.is_analysed:
                messages.success(request, "Analysed, using the speakers you chose last time.")
                return redirect("transcript_report", transcript.pk)
            return redirect("transcript_speakers", transcript.pk)
    return render(
        request,
        "transcripts/upload.html",
        {"session": session, "client": session.engagement.client, "form": form},
        status=400 if form.errors else 200,
    )


@policy.role_required(*policy.COACH)
def transcript_speakers(request: HttpRequest, pk: int) -> HttpResponse:
    transcript = access.get_transcript_for(policy.actor_of(request), pk)
    if transcript.text_discarded_at:
        return redirect("transcript_report", transcript.pk)
    remembered = services.remembered_roles(transcript)
    speakers = selectors.speaker_rows(transcript, remembered)
    form = SpeakerForm(request.POST or None, speakers=speakers)
    if request.method == "POST" and form.is_valid():
        try:
            services.transcript_map_speakers(transcript=transcript, roles=form.roles())
        except services.MappingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("transcript_report", transcript.pk)
    rows = [{**speaker, "field": form[f"speaker_{i}"]} for i, speaker in enumerate(speakers)]
    return render(
        request,
        "transcripts/speakers.html",
        {"transcript": transcript, "session": transcript.session, "rows": rows, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@policy.role_required(*policy.COACH)
def transcript_report(request: HttpRequest, pk: int) -> HttpResponse:
    transcript = access.get_transcript_for(policy.actor_of(request), pk)
    if not transcript.is_analysed:
        return redirect("transcript_speakers", transcript.pk)
    data = report(transcript)
    made = {
        line["index"]
        for line in data["commitments"]
        if services.commitment_made(transcript, line["index"])
    }
    return render(
        request,
        "transcripts/report.html",
        {
            **data,
            "session": transcript.session,
            "client": transcript.client,
            "made": made,
            "discard_setting": services.discards_text(transcript.client.organisation),
        },
    )


@require_POST
@policy.role_required(*policy.COACH)
def transcript_commitment(request: HttpRequest, pk: int) -> HttpResponse:
    transcript = access.get_transcript_for(policy.actor_of(request), pk)
    try:
        index = int(request.POST.get("index", ""))
        services.commitment_from_transcript(transcript=transcript, index=index)
    except (ValueError, services.MappingError) as error:
        messages.error(
            request, str(error) if isinstance(error, services.MappingError) else "Choose a line."
        )
    except services.runner_services.RunnerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Added to the session's commitments.")
    return redirect(f"{_report_url(transcript)}#commitments-heading")


@require_POST
@policy.role_required(*policy.COACH)
def transcript_keep(request: HttpRequest, pk: int) -> HttpResponse:
    transcript = access.get_transcript_for(policy.actor_of(request), pk)
    keep = [int(v) for v in request.POST.getlist("keep") if v.isdigit()]
    services.transcript_keep_and_discard(transcript=transcript, keep=keep)
    messages.success(
        request,
        f"Done. The figures and {len(keep)} line{'s' if len(keep) != 1 else ''} you chose "
        "are kept; the rest of the text is gone.",
    )
    return redirect("transcript_report", transcript.pk)


@require_POST
@policy.role_required(*policy.COACH)
def transcript_delete(request: HttpRequest, pk: int) -> HttpResponse:
    transcript = access.get_transcript_for(policy.actor_of(request), pk)
    session_pk = transcript.session_id
    services.transcript_delete(transcript=transcript)
    messages.success(request, "The transcript and its report are deleted.")
    return redirect("session_detail", session_pk)


@require_GET
@policy.role_required(*policy.COACH)
def transcript_trends(request: HttpRequest) -> HttpResponse:
    return render(request, "transcripts/trends.html", selectors.trends(policy.actor_of(request)))


@policy.role_required(*policy.ADMIN)
def transcript_settings(request: HttpRequest) -> HttpResponse:
    organisation = policy.actor_of(request).organisation
    current = TranscriptSettings.objects.filter(organisation=organisation).first()
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.settings_update(
            organisation=organisation,
            discard_text=form.cleaned_data["discard_text"],
            by=policy.actor_of(request).user,
        )
        messages.success(request, "Saved.")
        return redirect("transcript_settings")
    return render(request, "transcripts/settings.html", {"form": form})


def _report_url(transcript) -> str:
    return reverse("transcript_report", args=[transcript.pk])
