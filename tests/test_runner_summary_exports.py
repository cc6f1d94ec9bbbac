"""The summary page, its Markdown and its PDF read as a coach would use them: each energy or aha
moment with its words, a multi-line answer as a list, outcomes as "Met: ...", the topics for
open sessions, the follow-up draft one click away, and the timing chart on the page of its
heading."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from flowcoach.coaching.emails import follow_up_key
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.coaching.runner.selectors import answer_lines
from flowcoach.outbox.models import Message
from tests.client_view_helpers import enrol_and_schedule, note


@pytest.fixture
def session(world):
    session = enrol_and_schedule(world)
    start = timezone.now() - timedelta(minutes=40)
    runner_clock.timing_event(session=session, event="start", at=start)
    runner_clock.timing_event(session=session, event="next", at=start + timedelta(minutes=5))
    note(session, "Brightens when the deal is a referral", marker="energy", flow_stage="own")
    note(session, "", marker="aha", flow_stage="own")
    outcomes = session.template_version.outcomes
    runner.record_save(
        session=session,
        base_version=1,
        adjustments="- Ask one question before the price\n\n2) Pause after naming it",
        topic_candidates=["Handling silence", "Referral asks"],
        outcomes=[{"text": outcomes[0], "mark": "met"}]
        + [{"text": o, "mark": ""} for o in outcomes[1:]],
    )
    runner_clock.session_complete(session=session)
    return session


def test_it_reads_an_answer_as_its_lines_without_typed_bullets():
    assert answer_lines("- one\n* two\n\n3. three\n4) four\n  five  ") == [
        "one",
        "two",
        "three",
        "four",
        "five",
    ]
    assert answer_lines("") == []


def test_it_shows_moments_lists_outcomes_topics_and_the_follow_up_on_the_summary(world, session):
    http = world.login(world.coach)
    page = http.get(reverse("runner_summary", args=[session.pk])).content.decode()
    assert re.search(r"Energy in Own:</strong>\s*<div class=\"note-body\"><p>Brightens", page)
    assert "no words written" in page
    assert "<li>Ask one question before the price</li><li>Pause after naming it</li>" in page
    outcome = session.template_version.outcomes[0]
    assert f"<strong>Met:</strong> {outcome}" in page
    assert "<li>Handling silence</li><li>Referral asks</li>" in page
    draft = Message.objects.get(key=follow_up_key(session))
    assert reverse("outbox_message", args=[draft.pk]) in page
    assert "Review and approve the follow-up" in page


def test_it_exports_moments_lists_outcomes_and_topics_to_markdown(world, session):
    http = world.login(world.coach)
    text = http.get(reverse("runner_summary_md", args=[session.pk])).content.decode()
    assert "- **Energy in Own:** Brightens when the deal is a referral" in text
    assert "- **Aha in Own:** (no words written)" in text
    assert (
        "- **Adjustments:**\n  - Ask one question before the price\n  - Pause after naming it"
        in text
    )
    outcome = session.template_version.outcomes[0]
    assert f"- Met: {outcome}\n" in text
    assert ".: " not in text
    assert "- **Topics for open sessions:**\n  - Handling silence\n  - Referral asks" in text


def _pdf_pages(http, session) -> list[str]:
    response = http.get(reverse("runner_summary_pdf", args=[session.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def test_it_prints_moments_lists_and_outcomes_in_the_pdf(world, session):
    text = " ".join(_pdf_pages(world.login(world.coach), session))
    assert "Energy in Own: Brightens when the deal is a referral" in text
    assert "Aha in Own: (no words written)" in text
    assert "• Ask one question before the price • Pause after naming it" in text
    assert f"Met: {session.template_version.outcomes[0]}" in text
    assert "• Handling silence • Referral asks" in text


def test_it_keeps_the_timing_chart_on_the_page_of_its_heading(world, session):
    http = world.login(world.coach)
    # More notes push the heading down the page; at some counts the chart no longer fits
    # below it, and both must then start the next page together.
    for count in range(14):
        pages = _pdf_pages(http, session)
        at = [i for i, text in enumerate(pages) if "Timing: planned and actual" in text]
        assert len(at) == 1
        assert re.search(r"\d+(\.\d+)? of \d+ min", pages[at[0]]), f"chart apart at {count}"
        runner.note_save(session=session, uuid=uuid.uuid4(), body=f"Another point, number {count}")
