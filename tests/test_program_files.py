"""The program file reader: every error class gives its path and a clear message."""

import pytest

from flowcoach.programs.yaml_io import ProgramFileError, parse_program_yaml

GOOD = """format: flowcoach.program/1
slug: tiny
title: Tiny
sessions:
- code: S1
  title: One
  kind: scripted
  minutes_min: 50
  minutes_max: 55
  pre_session_email: {days_before: 7, subject: 'Soon, {{ client_first_name }}', body: 'Hi'}
  follow_up_email: {days_after: 1, subject: Thanks, body: 'Thanks'}
  segments:
  - {name: Open, kind: greeting, minutes_min: 5, minutes_max: 5}
  - {name: Talk, kind: conversation, minutes_min: 40, minutes_max: 45}
  - {name: Wrap, kind: wrap, minutes_min: 5, minutes_max: 5}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(ProgramFileError) as caught:
        parse_program_yaml(text)
    return caught.value.errors


def test_it_accepts_a_well_formed_file():
    assert parse_program_yaml(GOOD)["sessions"][0]["code"] == "S1"


def test_it_refuses_yaml_aliases_before_they_can_expand():
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    assert any("aliases" in e for e in errors_of(bomb))


def test_it_refuses_a_key_given_twice():
    assert any("'title' appears twice" in e for e in errors_of(GOOD + "title: Again\n"))


def test_it_refuses_a_subject_with_a_line_break():
    text = GOOD.replace("subject: Thanks", 'subject: "Thanks\\nBcc: x@y.z"')
    assert "sessions[0].follow_up_email.subject: must be a single line" in errors_of(text)


def test_it_lists_schema_and_semantic_errors_together():
    text = GOOD.replace("title: One", "title: 12").replace("'Hi'", "'Hi {{ nickname }}'")
    text = text + text[text.index("- code: S1") :].replace("title: 12", "title: Two")
    errors = errors_of(text)
    assert "sessions[0].title: must be of type string" in errors
    assert "sessions[1].pre_session_email.body: unknown variable 'nickname'" in errors


def test_it_names_the_object_holding_several_unknown_keys():
    text = GOOD.replace("title: One", "title: One\n  colour: red\n  mood: calm")
    assert "sessions[0]: unknown keys colour, mood" in errors_of(text)


def test_it_refuses_segments_that_could_run_far_past_the_session():
    text = GOOD.replace("minutes_min: 40, minutes_max: 45", "minutes_min: 0, minutes_max: 100")
    assert any(
        e.startswith("sessions[0].segments: planned 10–110 minutes run past the session's")
        for e in errors_of(text)
    )


def test_it_reports_a_backwards_segment_without_a_confusing_total():
    text = GOOD.replace("minutes_min: 40, minutes_max: 45", "minutes_min: 45, minutes_max: 40")
    assert errors_of(text) == ["sessions[0].segments[1].minutes_max: must be at least minutes_min"]


def test_it_wants_flow_stages_in_order_and_at_least_one_in_a_flow_segment():
    text = GOOD.replace(
        "{name: Talk, kind: conversation, minutes_min: 40, minutes_max: 45}",
        "{name: Talk, kind: flow, minutes_min: 40, minutes_max: 45, flow_stages: "
        "[{stage: own, prompts: [a]}, {stage: find_out, prompts: [b]}]}",
    )
    assert any("stages go in F.L.O.W. order" in e for e in errors_of(text))
    empty = GOOD.replace("kind: conversation", "kind: flow")
    assert (
        "sessions[0].segments[1].flow_stages: a flow segment needs at least one stage"
        in errors_of(empty)
    )
