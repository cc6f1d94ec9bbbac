"""Coach-only runner content stays with the coach: a marker planted in every coach-only note
and worksheet field appears in no email and no page the client can open."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.coaching.services import engagement_enrol
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
    client_http = world.login(world.client_user)
    for url in (reverse("portal"), reverse("runner", args=[session.pk])):
        response = client_http.get(url)
        assert SECRET not in response.content.decode()
    coach_page = world.login(world.coach).get(reverse("runner_summary", args=[session.pk]))
    assert SECRET in coach_page.content.decode()  # the coach still has it all
