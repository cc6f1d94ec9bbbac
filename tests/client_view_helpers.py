"""Helpers for the tests of what a client sees of their own coaching (the portal export, the
client API and the privacy proof): a session of world.client, run and completed."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.runner import services as runner
from tests.session_helpers import enrol


def enrol_and_schedule(world, client=None, coach=None) -> CoachingSession:
    """The first session of a new Best Seller engagement, begun an hour ago."""
    session = enrol(world, client, coach).sessions.order_by("sequence").first()
    session.status = CoachingSession.Status.SCHEDULED
    session.starts_at = timezone.now() - timedelta(minutes=60)
    session.video_link = "https://video.example.org/room/c"
    session.save()
    return session


def note(session, body: str, *, shared: bool = False, **fields):
    return runner.note_save(
        session=session,
        uuid=uuid.uuid4(),
        body=body,
        visibility="shared_with_client" if shared else "coach_only",
        **fields,
    )


def commitment(session, text: str, **fields):
    return runner.commitment_save(session=session, uuid=uuid.uuid4(), text=text, **fields)


def unzip_records(response) -> tuple[dict, str]:
    """The JSON and the Markdown of a "Download my records" answer."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == [
            "my-coaching-records.json",
            "my-coaching-records.md",
        ]
        data = json.loads(archive.read("my-coaching-records.json").decode())
        markdown = archive.read("my-coaching-records.md").decode()
    return data, markdown


def records_of(http) -> tuple[dict, str]:
    return unzip_records(http.get(reverse("portal_my_records")))
