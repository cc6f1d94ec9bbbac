"""One validation for programs: the editor refuses what the importer refuses, so every
program the editor saves exports and imports again (a property test over random edits), and
docs/programs.md states the rule the code applies (its examples are checked here)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowcoach.programs import services
from flowcoach.programs.forms import SegmentForm, TemplateForm
from flowcoach.programs.models import Program
from flowcoach.programs.timing import segments_fit
from flowcoach.programs.yaml_io import (
    FORMAT,
    ProgramFileError,
    dump_program_yaml,
    parse_program_yaml,
    program_to_dict,
    program_warnings,
    validate_program_data,
    version_to_dict,
)
from tests.test_programs_import import program_data

DOCS = Path(__file__).resolve().parent.parent / "docs" / "programs.md"
RESULTS = {"fits": {"fits"}, "refused": {"over"}, "not fully planned": {"under", "empty"}}


def _range(text: str) -> tuple[int, int]:
    low, high = text.strip().split("–")
    return int(low), int(high)


def timing_examples() -> list[tuple[str, tuple[int, int], list[tuple[int, int]], str]]:
    text = DOCS.read_text("utf-8")
    table = text.split("<!-- timing-examples -->")[1].split("<!-- /timing-examples -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        session, segments, result = (cell.strip() for cell in line.strip("|").split("|"))
        parsed = []
        if segments != "(none)":
            for part in segments.split(","):
                plain, _, times = part.partition("×")
                parsed += [_range(plain)] * (int(times) if times else 1)
        rows.append((line, _range(session), parsed, result))
    return rows


def _session(minutes: tuple[int, int], segments: list[tuple[int, int]]) -> dict:
    session = program_data()["sessions"][0]
    session.update(minutes_min=minutes[0], minutes_max=minutes[1])
    session["segments"] = [
        {"name": f"Part {n}", "kind": "topic", "minutes_min": low, "minutes_max": high}
        for n, (low, high) in enumerate(segments, start=1)
    ]
    return session


def test_it_has_the_timing_examples_the_docs_promise():
    assert len(timing_examples()) >= 5


@pytest.mark.parametrize("row", timing_examples(), ids=lambda row: row[0])
def test_it_applies_the_timing_rule_the_docs_state(row):
    _, minutes, segments, result = row
    assert (
        segments_fit(*minutes, [{"minutes_min": a, "minutes_max": b} for a, b in segments])
        in (RESULTS[result])
    )
    data = {"format": FORMAT, "slug": "x", "title": "X", "sessions": [_session(minutes, segments)]}
    if result == "refused":
        with pytest.raises(ProgramFileError, match="run past the session's"):
            validate_program_data(data)
    else:
        validate_program_data(data)
        assert bool(program_warnings(data)) == (result == "not fully planned")


def test_it_imports_the_docs_example_program_as_written():
    text = DOCS.read_text("utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    data = parse_program_yaml(example)
    assert program_warnings(data) == []
    assert dump_program_yaml(data) == example


def test_it_lists_the_docs_error_examples_as_the_code_words_them():
    text = DOCS.read_text("utf-8")
    assert "do not fit" not in text
    data = {
        "format": FORMAT,
        "slug": "x",
        "title": "X",
        "sessions": [_session((45, 50), [(5, 6)] * 6 + [(15, 15)])],
    }
    with pytest.raises(ProgramFileError) as refused:
        validate_program_data(data)
    assert refused.value.errors[0].partition(": ")[2] in text


# The editor refuses what the importer refuses ----------------------------------------------------


@pytest.fixture
def template(world):
    program = services.program_import(
        data=program_data(), organisation=world.org, owner=world.coach
    )
    return program.templates.get()


def test_it_refuses_a_segment_that_makes_the_session_run_over(world, template):
    before = template.latest_version().segments
    response = world.login(world.coach).post(
        reverse("segment_create", args=[template.pk]),
        {"name": "One more", "kind": "topic", "minutes_min": "5", "minutes_max": "6"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "can take up to 41 minutes, more than the session&#x27;s 35 at most" in page
    template.refresh_from_db()
    assert template.latest_version().segments == before


def test_it_refuses_a_shorter_session_its_segments_would_overrun(world, template):
    data = {k: v for k, v in TemplateForm.initial_from(template).items() if v is not None}
    data.update(minutes_min="20", minutes_max="25")
    response = world.login(world.coach).post(reverse("template_edit", args=[template.pk]), data)
    assert response.status_code == 200
    assert "more than the session&#x27;s 25 at most" in response.content.decode()
    assert template.latest_version().minutes_max == 35


def test_it_refuses_an_overrun_in_the_service_too(world, template):
    segments = template.latest_version().segments
    with pytest.raises(ProgramFileError):
        services.segment_save(
            template=template,
            user=world.coach,
            index=None,
            segment={"name": "Long", "kind": "topic", "minutes_min": 1, "minutes_max": 60},
        )
    assert template.latest_version().segments == segments


def test_it_imports_a_session_not_planned_yet_with_a_note(world):
    data = program_data()
    data["sessions"][0]["segments"] = []
    text = dump_program_yaml(data)
    assert program_warnings(parse_program_yaml(text)) == [
        "sessions[0].segments: no segments yet, so the runner has no outline"
    ]


# Every saved program round-trips: a property over random editor edits --------------------------

minutes = st.integers(min_value=0, max_value=40)
edits = st.lists(
    st.one_of(
        st.tuples(st.just("add"), minutes, minutes),
        st.tuples(st.just("edit"), st.integers(0, 5), minutes, minutes),
        st.tuples(st.just("delete"), st.integers(0, 5)),
        st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, 5)),
        st.tuples(st.just("length"), st.integers(0, 90), st.integers(0, 90)),
        st.tuples(st.just("template"), minutes, minutes),
    ),
    min_size=1,
    max_size=8,
)
counter = itertools.count()


def _segment_post(low: int, high: int) -> dict:
    return {"name": f"Part {low}-{high}", "kind": "topic", "minutes_min": low, "minutes_max": high}


def _apply(program: Program, user, edit: tuple) -> None:
    """One edit as the editor's page makes it: the form first, the service if it is valid."""
    templates = list(program.templates.order_by("position", "pk"))
    template = templates[-1] if templates else None
    action = edit[0]
    if action == "template" or template is None:
        low, high = (edit[1], edit[2]) if action == "template" else (30, 30)
        data = {
            "code": f"T{next(counter)}",
            "title": "A session",
            "kind": "scripted",
            "minutes_min": low,
            "minutes_max": high,
            "pre_email_days": 2,
            "pre_email_subject": "See you {{ session_date }}",
            "pre_email_body": "Hi {{ client_first_name }}",
            "follow_email_days": 1,
            "follow_email_subject": "Thanks",
            "follow_email_body": "{{ session_recap }}",
        }
        form = TemplateForm(data, program=program)
        if form.is_valid():
            services.template_create(
                program=program, user=user, code=data["code"], fields=form.version_fields()
            )
        return
    session = version_to_dict(template.latest_version(), template.code)
    count = len(session["segments"])
    if action == "add":
        form = SegmentForm(_segment_post(edit[1], edit[2]), session=session, index=None)
        if form.is_valid():
            services.segment_save(template=template, user=user, index=None, segment=form.segment())
    elif action == "edit" and count:
        index = edit[1] % count
        form = SegmentForm(_segment_post(edit[2], edit[3]), session=session, index=index)
        if form.is_valid():
            services.segment_save(template=template, user=user, index=index, segment=form.segment())
    elif action == "delete" and count:
        services.segment_delete(template=template, user=user, index=edit[1] % count)
    elif action == "move" and count:
        services.segment_move(template=template, user=user, index=edit[1] % count, to=edit[2])
    elif action == "length":
        data = {k: v for k, v in TemplateForm.initial_from(template).items() if v is not None}
        data.update(minutes_min=edit[1], minutes_max=edit[2])
        form = TemplateForm(data, program=program, template=template)
        if form.is_valid():
            services.template_update(
                template=template, user=user, code=template.code, fields=form.version_fields()
            )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=edits)
def test_it_exports_and_imports_whatever_the_editor_saved(world, steps):
    program = services.program_create(
        organisation=world.org, owner=world.coach, title=f"Random {next(counter)}"
    )
    for step in steps:
        _apply(program, world.coach, step)
    exported = dump_program_yaml(program_to_dict(program))
    imported = services.program_import(
        data=parse_program_yaml(exported), organisation=world.org, owner=world.coach
    )
    again = program_to_dict(imported)
    again["slug"] = program.slug
    assert dump_program_yaml(again) == exported


def test_it_imports_an_unfinished_file_on_the_page_and_says_what_is_left(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = program_data()
    data["sessions"][0]["segments"] = []
    upload = SimpleUploadedFile("p.yaml", dump_program_yaml(data).encode(), "application/yaml")
    response = world.login(world.coach).post(
        reverse("program_import"), {"file": upload}, follow=True
    )
    page = response.content.decode()
    assert "Imported as your private draft" in page
    assert "Still to finish before you publish" in page and "no segments yet" in page


def test_it_notes_an_unfinished_file_on_the_command_line(world, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    data = program_data()
    data["sessions"][0]["segments"] = []
    path = tmp_path / "p.yaml"
    path.write_text(dump_program_yaml(data), "utf-8")
    out = StringIO()
    call_command("import_program", str(path), organisation=world.org.slug, stdout=out)
    assert "Note: sessions[0].segments: no segments yet" in out.getvalue()
