"""The client's side of session transcripts: which sessions have one, and withdrawing
consent, which deletes it. It lives in the portal with every other client page (the privacy
proof walks them all); the transcripts themselves stay with the transcripts app."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import policy
from flowcoach.transcripts import access as transcript_access
from flowcoach.transcripts import selectors as transcript_selectors
from flowcoach.transcripts import services as transcript_services


@require_GET
@policy.role_required(*policy.CLIENT)
def portal_recordings(request: HttpRequest) -> HttpResponse:
    transcripts = transcript_selectors.own_transcripts(policy.actor_of(request))
    return render(request, "transcripts/portal_recordings.html", {"transcripts": transcripts})


@require_POST
@policy.role_required(*policy.CLIENT)
def portal_recording_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    transcript = transcript_access.get_own_transcript_for(policy.actor_of(request), pk)
    transcript_services.consent_withdraw(transcript=transcript)
    messages.success(
        request, "Consent withdrawn. The transcript and everything worked out from it are deleted."
    )
    return redirect("portal_recordings")
