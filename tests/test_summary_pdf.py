"""The summary PDF: the coach's own copy of a completed session, with the same content as the
summary page (coach-only notes included), read back from the file with pypdf."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from tests.client_view_helpers import commitment, enrol_and_schedule, note
from tests.query_counts import assert_same_queries_at_two_sizes


@pytest.fixture
def session(world) -> CoachingSession:
    return enrol_and_schedule(world)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # Lines wrap in a PDF; join them so a long sentence can be found whole.
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def run_session(session) -> None:
    start = timezone.now() - timedelta(minutes=55)
    runner_clock.timing_event(session=session, event="start", at=start)
    runner_clock.timing_event(session=session, event="next", at=start + timedelta(minutes=9))
    note(session, "Coach only: wants to lead the region", segment=0, flow_stage="find_out")
    note(
        session,
        "Lights up when teaching juniors",
        shared=True,
        segment=1,
        flow_stage="learn_about",
        marker="energy",
        topic="self_concept",
    )
    note(
        session,
        "Zoë sees selling as helping → an aha",
        segment=1,
        flow_stage="own",
        marker="aha",
        reflection="better",
    )
    runner.purpose_save(session=session, text="I sell so good buyers decide with confidence.")
    runner.record_save(
        session=session,
        base_version=1,
        challenge="Avoids the price talk",
        learned="Stories all end in teaching",
        shadow_tendency="Over-prepares",
        growth_need="Trust the first draft",
        adjustments="Name the price in the first call",
        most_helpful="The flow pattern",
        coach_summary="A strong start; watch the price talk",
        topic_candidates=["Handling silence"],
        outcomes=[
            {"text": o, "mark": mark}
            for o, mark in zip(
                session.template_version.outcomes, ["met", "partly", "not_yet"], strict=False
            )
        ],
    )
    commitment(session, "Quote a price in every first call", due_date=date(2030, 5, 17))
    commitment(session, "Send a nudge on Friday", owner="coach")
    runner_clock.session_complete(session=session)


def test_it_downloads_the_summary_as_a_pdf_with_the_whole_summary(world, session):
    run_session(session)
    response = world.login(world.coach).get(reverse("runner_summary_pdf", args=[session.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="session-{session.pk}-summary.pdf"'
    )
    text = pdf_text(response)
    expected = [
        f"{session.code} · {session.title}",
        "With Cliff Client, coached by Cora Coach.",
        "I sell so good buyers decide with confidence.",
        # notes grouped by segment and stage, coach-only ones too: it is the coach's copy
        "Coach only: wants to lead the region",
        "Lights up when teaching juniors",
        "Energy · Self-concept · shared with the client",
        "Zoë sees selling as helping → an aha",
        "Aha · Better · coach only",
        "Energy and aha moments",
        "Energy in Learn about",
        # worksheet, wrap and topics
        "Avoids the price talk",
        "Stories all end in teaching",
        "Over-prepares",
        "Trust the first draft",
        "Name the price in the first call",
        "The flow pattern",
        "A strong start; watch the price talk",
        "Handling silence",
        # commitments with owner, state and due date
        "Quote a price in every first call",
        "The client · Open, due 17 May 2030",
        "Send a nudge on Friday",
        # outcomes as marked
        "Met",
        "Partly met",
        "Not yet",
        # timing: the chart's labels and the table
        "Timing: planned and actual",
        "Planned (min) Actual (min)",
        "Whole session",
        "9.0 of 3 min (over)",
    ]
    for piece in expected:
        assert piece in text, piece
    segments = session.template_version.segments
    assert segments[0]["name"] in text and segments[1]["name"] in text
    for outcome in session.template_version.outcomes:
        assert outcome in text, outcome
    assert text.index("Find out") < text.index("Coach only: wants to lead")


def test_it_lays_the_notes_out_under_their_segment_then_their_stage(world, session):
    run_session(session)
    text = pdf_text(world.login(world.coach).get(reverse("runner_summary_pdf", args=[session.pk])))
    second = session.template_version.segments[1]["name"]
    notes = text[text.index("Notes") : text.index("Energy and aha moments")]
    assert notes.index(second) < notes.index("Learn about") < notes.index("Lights up when teaching")
    assert notes.index("Lights up when teaching") < notes.index("Own") < notes.index("Zoë")


def test_it_makes_a_pdf_of_a_session_not_completed_yet(world, session):
    text = pdf_text(world.login(world.coach).get(reverse("runner_summary_pdf", args=[session.pk])))
    assert "Not completed yet." in text
    assert "No notes were taken." in text and "None drafted in this session." in text


def test_it_links_both_downloads_from_the_summary_page(world, session):
    run_session(session)
    page = world.login(world.coach).get(reverse("runner_summary", args=[session.pk]))
    html = page.content.decode()
    assert "Download Markdown" in html and "Download PDF" in html
    assert reverse("runner_summary_pdf", args=[session.pk]) in html
    assert reverse("runner_summary_md", args=[session.pk]) in html
    # the page's chart is the same template the PDF draws
    assert 'class="timing-chart"' in html and "(over)" in html


def test_it_keeps_the_pdf_within_a_fixed_number_of_queries(world, session):
    run_session(session)
    http = world.login(world.coach)
    url = reverse("runner_summary_pdf", args=[session.pk])

    def grow() -> None:
        for index in range(30):
            runner.note_save(session=session, uuid=uuid.uuid4(), body=f"More {index}", segment=2)
            commitment(session, f"Commitment {index}")

    assert_same_queries_at_two_sizes(lambda: http.get(url), grow)


def test_it_refuses_anything_but_get(world, session):
    response = world.login(world.coach).post(reverse("runner_summary_pdf", args=[session.pk]))
    assert response.status_code == 405


def test_it_marks_characters_its_font_cannot_print_and_says_why(world, session):
    """Found by a probe: Chinese, Japanese and Korean characters and emoji vanished from the
    PDF without a trace. They now show as a visible mark, and the PDF explains it."""
    note(session, "Prix 価格 🎯 Ελλάδα", segment=0, flow_stage="find_out")
    text = pdf_text(world.login(world.coach).get(reverse("runner_summary_pdf", args=[session.pk])))
    assert "Prix \ufffd\ufffd \ufffd Ελλάδα" in text
    assert "About this PDF" in text and "cannot be printed with this PDF's font" in text


def test_it_says_nothing_about_fonts_when_everything_prints(world, session):
    note(session, "Zoë · Ελλάδα · Київ", segment=0, flow_stage="find_out")
    text = pdf_text(world.login(world.coach).get(reverse("runner_summary_pdf", args=[session.pk])))
    assert "Zoë · Ελλάδα · Київ" in text and "About this PDF" not in text
