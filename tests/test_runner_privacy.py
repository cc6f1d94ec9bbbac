"""Coach-only runner content stays with the coach: a marker planted in every coach-only note
and worksheet field appears in no email and no page the client can open."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.coaching.services import calendar_feed_of, engagement_enrol
from flowcoach.outbox.models import Message
from flowcoach.programs.models import Program

SECRET = "HERON-COACH-ONLY-2291"


def test_it_keeps_coach_only_runner_content_out_of_emails_and_client_pages(world):
    engagement = engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )
    session = engagement.sessions.order_by("sequence").first()
    session.status = CoachingSession.Status.SCHEDULED
    session.starts_at = timezone.now() - timedelta(minutes=50)
    session.video_link = "https://video.example.org/room/p"
    session.save()
    for marker in ("", "energy", "aha"):
        runner.note_save(
            session=session, uuid=uuid.uuid4(), body=f"{SECRET} {marker}", marker=marker
        )
    runner.record_save(
        session=session,
        base_version=1,
        challenge=SECRET,
        learned=SECRET,
        shadow_tendency=SECRET,
        growth_need=SECRET,
        most_helpful=SECRET,
        coach_summary=SECRET,
        adjustments="Pause before answering objections.",
    )
    runner_clock.session_complete(session=session)

    for message in Message.objects.all():
        for part in (message.subject, message.text_body, message.html_body):
            assert SECRET not in part
    assert Message.objects.filter(text_body__contains="Pause before answering").exists()
    runner.note_save(
        session=session,
        uuid=uuid.uuid4(),
        body=f"{SHARED} for both",
        visibility="shared_with_client",
    )
    pages = client_pages(world, session)
    # Every page here was really shown to the client (a refused page proves nothing), and the
    # shared note is there to be seen, so the check is reading the right content.
    assert SHARED in " ".join(pages.values())
    assert_secret_absent(pages)
    coach_page = world.login(world.coach).get(reverse("runner_summary", args=[session.pk]))
    assert SECRET in coach_page.content.decode()  # the coach still has it all


SHARED = "PLOVER-SHARED-5530"


def client_pages(world, session) -> dict[str, str]:
    """Everything the client can open about this session, each demanded to answer 200."""
    http = world.login(world.client_user)
    texts = {}
    for name, args in [
        ("portal", []),
        ("portal_my_records", []),
        ("api_v1:me", []),
        ("api_v1:sessions", []),
        ("api_v1:commitments", []),
        ("api_v1:session", [session.pk]),
        ("calendar_feed", [calendar_feed_of(world.client_user).token]),
    ]:
        response = http.get(reverse(name, args=args))
        assert response.status_code == 200, f"{name}: {response.status_code}"
        if response["Content-Type"].startswith("application/zip"):
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                texts[name] = " ".join(
                    archive.read(item).decode("utf-8", errors="replace")
                    for item in archive.namelist()
                )
        else:
            texts[name] = response.content.decode()
    return texts


def assert_secret_absent(pages: dict[str, str]) -> None:
    leaks = [name for name, text in pages.items() if SECRET in text]
    assert not leaks, f"coach-only content shown to the client on {leaks}"


def test_it_would_catch_a_leak(world):
    """The check against a deliberately broken copy: a client page that shows the secret."""
    with pytest.raises(AssertionError, match="coach-only content shown"):
        assert_secret_absent({"portal": "<p>fine</p>", "portal_my_records": f"notes: {SECRET}"})
