"""Session emails read as the coach wrote them: the preparation email is the template and the
sign-off (the invitation carries the time, the answer links and the calendar file), plain-text
parts carry no Markdown marks, and the editor's preview uses the template's own lists."""

from __future__ import annotations

import uuid

from django.urls import reverse

from flowcoach.coaching import emails
from flowcoach.coaching.models import SessionNote
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.lib.plain_text import plain_of
from flowcoach.programs.models import Program
from tests.session_helpers import book, enrol


def _booked(world):
    return book(enrol(world).sessions.order_by("sequence").first(), 9)


def test_it_sends_the_preparation_email_without_the_invitation_block(world):
    session = _booked(world)
    preparation = emails.preparation_message(session)
    assert preparation.attachments == []
    assert "Does this time suit you?" not in preparation.text_body
    assert preparation.text_body.rstrip().endswith(
        f"Reply to this email to reach {world.coach.full_name} directly."
    )
    # The invitation keeps what belongs to it.
    invitation = emails._message(emails.invitation_key(session))
    assert "Does this time suit you?" in invitation.text_body and invitation.attachments


def test_it_writes_the_follow_up_without_markdown_marks(world):
    session = _booked(world)
    runner.note_save(
        session=session,
        uuid=uuid.uuid4(),
        body="Energy **6/10**, see [the plan](https://example.org/plan)",
        visibility=SessionNote.Visibility.SHARED,
    )
    runner.commitment_save(session=session, uuid=uuid.uuid4(), text="Call *two* buyers")
    runner_clock.timing_event(session=session, event="start")
    runner_clock.session_complete(session=session)
    follow_up = emails._message(emails.follow_up_key(session))
    assert "Energy 6/10, see the plan (https://example.org/plan)" in follow_up.text_body
    assert "Call two buyers" in follow_up.text_body
    assert "**" not in follow_up.text_body and "](" not in follow_up.text_body


def test_it_keeps_words_that_only_look_like_markdown():
    assert plain_of("snake_case_name and 2 * 3 * 4") == "snake_case_name and 2 * 3 * 4"


def test_it_previews_with_the_templates_own_checklist_and_counts_days_properly(world):
    builtin = Program.objects.get(organisation=None, slug="best-seller")
    template = builtin.templates.order_by("position").first()
    version = template.latest_version()
    page = world.login(world.coach).get(reverse("template_preview", args=[template.pk]))
    html = page.content.decode()
    assert version.client_preparation[0] in html
    assert "Note one current challenge" not in html  # the made-up sample list
    assert version.follow_email_days == 1
    assert "1 day after" in html and "1 days" not in html
