import uuid
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching import emails, services
from flowcoach.coaching.models import CoachingSession, Commitment
from flowcoach.programs.models import Program
from flowcoach.programs.services import template_version_for_edit


def enrolled(world):
    return services.engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )


def test_it_shows_a_session_its_original_segments_after_the_template_changes(world):
    session = enrolled(world).sessions.get(code="S1")
    edited = template_version_for_edit(template=session.template, user=world.coach)
    edited.segments = [{**s, "name": f"Renamed {i}"} for i, s in enumerate(edited.segments)]
    edited.save()
    page = world.login(world.coach).get(reverse("session_detail", args=[session.pk]))
    html = page.content.decode()
    assert "version 1 of its template" in html
    assert "Meet and greet" in html and "Renamed 0" not in html


def test_it_reminds_the_client_of_last_sessions_open_commitments(world):
    engagement = enrolled(world)
    first, second = list(engagement.sessions.order_by("sequence"))[:2]
    CoachingSession.objects.filter(pk=first.pk).update(
        status="held", starts_at=timezone.now() - timedelta(days=7)
    )
    for text, state, owner in [
        ("Call two dormant accounts a day", "open", "client"),
        ("Already settled", "kept", "client"),
        ("Coach checks in on Friday", "open", "coach"),
    ]:
        Commitment.objects.create(
            client=world.client,
            session=first,
            uuid=uuid.uuid4(),
            text=text,
            state=state,
            owner=owner,
        )
    soon = timezone.now() + timedelta(days=10)
    services.session_schedule(
        session=second,
        starts_local=datetime(soon.year, soon.month, soon.day, 10, 0),
        time_zone=world.client.time_zone,
        duration_minutes=55,
        video_link="https://meet.example.org/r",
    )
    second.refresh_from_db()
    assert emails.last_commitments(second) == "- Call two dormant accounts a day"
