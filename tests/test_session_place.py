"""A place or video link is set once per enrolment, and changing a session's link does not
read as moving it."""

from __future__ import annotations

from django.urls import reverse

from flowcoach.programs.models import Program
from tests.session_helpers import book, enrol


def test_it_sets_the_video_link_once_for_every_session_of_an_enrolment(world):
    http = world.login(world.coach)
    program = Program.objects.get(organisation=None, slug="best-seller")
    response = http.post(
        reverse("engagement_enrol", args=[world.client.pk]),
        {
            "program": program.pk,
            "cadence": "none",
            "time_zone": world.client.time_zone,
            "video_link": "https://meet.example.org/cliff",
        },
    )
    assert response.status_code == 302
    engagement = world.client.engagements.get()
    assert {s.video_link for s in engagement.sessions.all()} == {"https://meet.example.org/cliff"}
    first = engagement.sessions.order_by("sequence").first()
    page = http.get(reverse("session_schedule", args=[first.pk])).content.decode()
    assert 'value="https://meet.example.org/cliff"' in page


def test_it_speaks_of_changes_not_moves_for_a_booked_session(world):
    session = book(enrol(world).sessions.order_by("sequence").first(), 9)
    page = world.login(world.coach).get(reverse("session_schedule", args=[session.pk]))
    html = page.content.decode()
    assert "Change the time or place of S1" in html and "Save changes" in html
    assert "Move S1" not in html and "Save the new time" not in html
