"""Transcripts are the coach's own reflection: only the coach who uploaded one reads it.
Admins (who see no session content) and clients are stopped by the role gate; another coach
gets 404. The client reaches only their consent page, and withdraws only their own; the
retention setting is an admin's, each for their own organisation."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.fixtures_transcripts import FIXTURE
from tests.authz.matrix import Route

COACH_ONLY = {"coach": 200, "other_coach": 404}
COACH_ONLY_POST = {"coach": 302, "other_coach": 404}


def _session(world):
    return [world.extras["transcript_session"].pk]


def _transcript(world):
    return [world.extras["transcript"].pk]


ROUTES = [
    Route("transcript_upload", args=_session, expect=COACH_ONLY, default=403),
    Route(
        "transcript_upload",
        method="POST",
        args=_session,
        data=lambda w: {
            "file": SimpleUploadedFile("T3.zoom.vtt", FIXTURE.read_bytes()),
            "consent": "on",
        },
        expect=COACH_ONLY_POST,
        default=403,
        writes=("coach",),
    ),
    Route("transcript_report", args=_transcript, expect=COACH_ONLY, default=403),
    Route("transcript_speakers", args=_transcript, expect=COACH_ONLY, default=403),
    Route(
        "transcript_speakers",
        label="POST transcript_speakers",
        method="POST",
        args=_transcript,
        data=lambda w: {"speaker_0": "coach", "speaker_1": "client"},
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route(
        "transcript_commitment",
        method="POST",
        args=_transcript,
        data=lambda w: {"index": w.extras["transcript"].figures["commitments"][0]["index"]},
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route(
        "transcript_keep",
        method="POST",
        args=_transcript,
        data=lambda w: {"keep": ["1"]},
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route(
        "transcript_delete",
        method="POST",
        args=_transcript,
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route("transcript_trends", expect={"coach": 200, "other_coach": 200}, default=403),
    Route(
        "transcript_settings",
        expect={"admin": 200, "other_org_admin": 200},
        default=403,
    ),
    Route(
        "transcript_settings",
        method="POST",
        data=lambda w: {"discard_text": "on"},
        expect={"admin": 302, "other_org_admin": 302},
        default=403,
        writes=("admin", "other_org_admin", "admin_coach"),
    ),
    Route("portal_recordings", expect={"client": 200, "other_client": 200}, default=403),
    Route(
        "portal_recording_withdraw",
        method="POST",
        args=_transcript,
        expect={"client": 302, "other_client": 404},
        default=403,
    ),
]
