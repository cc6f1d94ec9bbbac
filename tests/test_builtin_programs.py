"""The built-in programs: they load on a fresh database, pass their own schema, are written in
canonical form, carry a complete script for every session, and share no wording with the
source documents."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flowcoach.programs.builtins import BUILTIN_DIR, builtin_files, sync_builtin_programs
from flowcoach.programs.email_variables import VARIABLES
from flowcoach.programs.models import FLOW_STAGES, Program, TemplateVersion
from flowcoach.programs.yaml_io import (
    SCHEMA_PATH,
    dump_program_yaml,
    parse_program_yaml,
    program_to_dict,
    validator,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "programs.md"
SEED_OVERLAP = ROOT.parent / "shared" / "tools" / "seed_overlap.py"
BUILTIN_SLUGS = {"best-seller", "foundations", "weekly-1on1"}
FILES = sorted(path.name for path in builtin_files())


def load(name: str) -> dict:
    return parse_program_yaml((BUILTIN_DIR / name).read_text("utf-8"))


def all_sessions():
    for name in FILES:
        for session in load(name)["sessions"]:
            yield pytest.param(name, session, id=f"{name}:{session['code']}")


def session_by_code(name: str, code: str) -> dict:
    return next(s for s in load(name)["sessions"] if s["code"] == code)


def stage_names(segment: dict) -> list[str]:
    return [stage["stage"] for stage in segment.get("flow_stages", [])]


def minutes(segments: list[dict]) -> list[tuple[int, int]]:
    return [(s["minutes_min"], s["minutes_max"]) for s in segments]


# Loading


def test_it_ships_one_file_per_builtin_program():
    assert FILES == ["best-seller.yaml", "foundations.yaml", "weekly-1on1.yaml"]
    assert {load(name)["slug"] for name in FILES} == BUILTIN_SLUGS


def test_it_loads_the_three_builtins_on_a_fresh_database(db):
    builtins = Program.objects.filter(organisation=None)
    assert set(builtins.values_list("slug", flat=True)) == BUILTIN_SLUGS
    for program in builtins:
        data = load(f"{program.slug}.yaml")
        assert program.title == data["title"]
        assert program.recurring == data.get("recurring", False)
        assert list(program.templates.values_list("code", flat=True)) == [
            s["code"] for s in data["sessions"]
        ]
    best_seller = builtins.get(slug="best-seller")
    assert list(best_seller.templates.values_list("code", flat=True)) == [
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
        "S6",
    ]


def test_it_exports_each_builtin_exactly_as_its_file(db):
    for program in Program.objects.filter(organisation=None):
        shipped = (BUILTIN_DIR / f"{program.slug}.yaml").read_text("utf-8")
        assert dump_program_yaml(program_to_dict(program)) == shipped


def test_it_adds_no_versions_when_the_builtins_are_synced_again(db):
    before = TemplateVersion.objects.count()
    sync_builtin_programs()
    assert TemplateVersion.objects.count() == before
    assert Program.objects.filter(organisation=None).count() == 3


# The files themselves


@pytest.mark.parametrize("name", FILES)
def test_it_passes_the_json_schema(name):
    data = yaml.safe_load((BUILTIN_DIR / name).read_text("utf-8"))
    assert [e.message for e in validator().iter_errors(data)] == []


@pytest.mark.parametrize("name", FILES)
def test_it_keeps_each_file_in_canonical_form(name):
    text = (BUILTIN_DIR / name).read_text("utf-8")
    assert dump_program_yaml(parse_program_yaml(text)) == text


@pytest.mark.parametrize(("name", "session"), list(all_sessions()))
def test_it_gives_every_session_a_complete_script(name, session):
    for key in ("outcomes", "coach_preparation", "client_preparation"):
        assert session.get(key), f"{session['code']} has no {key}"
    assert session["pre_session_email"]["subject"].strip()
    assert session["pre_session_email"]["body"].strip()
    assert session["follow_up_email"]["subject"].strip()
    assert session["follow_up_email"]["body"].strip()
    assert len(session["segments"]) >= 3
    for segment in session["segments"]:
        assert segment.get("prompts"), f"{session['code']} {segment['name']} has no prompts"
        assert segment.get("notes", "").strip(), f"{session['code']} {segment['name']} has no notes"
        for stage in segment.get("flow_stages", []):
            assert stage["prompts"], f"{session['code']} {segment['name']} {stage['stage']}"


@pytest.mark.parametrize(("name", "session"), list(all_sessions()))
def test_it_plans_segments_that_always_land_inside_the_session_length(name, session):
    # Stricter than import validation: whatever length each segment takes within its range,
    # the session stays within its planned minutes.
    lowest = sum(s["minutes_min"] for s in session["segments"])
    highest = sum(s["minutes_max"] for s in session["segments"])
    assert session["minutes_min"] <= lowest <= highest <= session["minutes_max"]


@pytest.mark.parametrize(("name", "session"), list(all_sessions()))
def test_it_walks_the_flow_stages_in_order_wherever_a_segment_uses_them(name, session):
    for segment in session["segments"]:
        if segment["kind"] == "flow" or segment.get("flow_stages"):
            assert stage_names(segment) == list(FLOW_STAGES), segment["name"]


# Best Seller


def test_it_exports_s1_with_the_source_timings_stages_and_email_offsets(db):
    program = Program.objects.get(organisation=None, slug="best-seller")
    s1 = program_to_dict(program)["sessions"][0]
    assert s1["code"] == "S1"
    assert (s1["minutes_min"], s1["minutes_max"]) == (50, 55)
    assert minutes(s1["segments"]) == [(3, 3), (2, 2), (20, 25), (20, 20), (5, 5)]
    assert [s["kind"] for s in s1["segments"]] == [
        "greeting",
        "transition",
        "conversation",
        "flow",
        "wrap",
    ]
    flow = s1["segments"][3]
    assert stage_names(flow) == ["find_out", "learn_about", "own", "work_it"]
    assert "draft_purpose_statement" in s1["segments"][2]["flags"]
    assert "collect_open_topics" in flow["flags"]
    assert s1["pre_session_email"]["days_before"] == 7
    assert s1["follow_up_email"]["days_after"] == 1


def test_it_scripts_s2_and_s3_around_the_four_topics():
    sessions = {code: session_by_code("best-seller.yaml", code) for code in ("S2", "S3")}
    for session in sessions.values():
        assert session["kind"] == "scripted"
        kinds = [s["kind"] for s in session["segments"]]
        assert kinds[0] == "review"
        assert "review_commitments" in session["segments"][0]["flags"]
        assert kinds[-1] == "wrap"
        assert "flow" in kinds
        assert any("set_commitments" in s.get("flags", []) for s in session["segments"])
    s2_text = str(sessions["S2"]).lower()
    assert "self-concept" in s2_text
    assert "identity" in s2_text and "0 to 10" in s2_text
    s3_flags = [f for s in sessions["S3"]["segments"] for f in s.get("flags", [])]
    assert "more_better_different" in s3_flags
    assert "collect_open_topics" in s3_flags
    assert "personal goals" in str(sessions["S3"]).lower()


def test_it_runs_s4_to_s6_as_open_sessions_on_the_chosen_topic():
    for code in ("S4", "S5", "S6"):
        session = session_by_code("best-seller.yaml", code)
        assert session["kind"] == "open"
        assert "{{ open_session_topic }}" in session["pre_session_email"]["subject"]
        assert "{{ open_session_topic }}" in session["pre_session_email"]["body"]
        segments = session["segments"]
        assert segments[0]["kind"] == "review"
        assert "review_commitments" in segments[0]["flags"]
        topic = next(s for s in segments if s["kind"] == "topic")
        assert stage_names(topic) == list(FLOW_STAGES)
        assert any("set_commitments" in s.get("flags", []) for s in segments)
        assert segments[-1]["kind"] == "wrap"
    s6 = session_by_code("best-seller.yaml", "S6")
    assert any("draft_purpose_statement" in s.get("flags", []) for s in s6["segments"])
    assert "1:1" in str(s6["segments"])


def test_it_sends_every_best_seller_email_a_week_before_and_a_day_after():
    for session in load("best-seller.yaml")["sessions"]:
        assert session["pre_session_email"]["days_before"] == 7, session["code"]
        assert session["follow_up_email"]["days_after"] == 1, session["code"]
        assert 50 <= session["minutes_min"] <= session["minutes_max"] <= 60


# Foundations and the weekly 1:1


def test_it_debriefs_the_profile_over_three_foundations_sessions():
    data = load("foundations.yaml")
    assert data["slug"] == "foundations"
    assert data.get("recurring", False) is False
    assert [s["code"] for s in data["sessions"]] == ["F1", "F2", "F3"]
    assert {s["kind"] for s in data["sessions"]} == {"foundations"}
    text = str(data).lower()
    for subject in ("themes", "achievement stories", "motivational flow", "shadow side"):
        assert subject in text


def test_it_makes_the_weekly_1on1_a_recurring_ten_forty_ten_hour():
    data = load("weekly-1on1.yaml")
    assert data["recurring"] is True
    [weekly] = data["sessions"]
    assert weekly["kind"] == "weekly_1on1"
    assert weekly["minutes_max"] == 60
    assert minutes(weekly["segments"]) == [(10, 10), (40, 40), (10, 10)]
    assert [s["kind"] for s in weekly["segments"]] == ["review", "topic", "anchor"]
    review, topic, anchor = weekly["segments"]
    assert "review_commitments" in review["flags"]
    assert "more_better_different" in topic["flags"]
    assert stage_names(topic) == list(FLOW_STAGES)
    assert "set_commitments" in anchor["flags"]
    assert weekly["pre_session_email"]["days_before"] in (1, 2)
    assert weekly["follow_up_email"]["days_after"] == 1


# The documentation


def test_it_documents_an_example_that_imports_and_is_canonical():
    example = re.search(r"```yaml\n(.*?)```", DOCS.read_text("utf-8"), re.S).group(1)
    assert dump_program_yaml(parse_program_yaml(example)) == example


def test_it_documents_every_email_variable_with_its_description():
    rows = re.findall(r"^\| `\{\{ (\w+) \}\}` \| (.+) \|$", DOCS.read_text("utf-8"), re.M)
    assert rows == list(VARIABLES.items())


def test_it_documents_every_value_the_schema_allows():
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    defs = schema["$defs"]
    values = [
        *defs["session"]["properties"]["kind"]["enum"],
        *defs["segment"]["properties"]["kind"]["enum"],
        *defs["segment"]["properties"]["flags"]["items"]["enum"],
        *defs["flow_stage"]["properties"]["stage"]["enum"],
        *schema["properties"],
        *defs["session"]["properties"],
        *defs["segment"]["properties"],
    ]
    text = DOCS.read_text("utf-8")
    assert [value for value in values if f"`{value}`" not in text] == []
    assert "program.schema.json" in text
    assert "manage.py export_program" in text and "manage.py import_program" in text


# Our own words


def run_seed_overlap(project: Path) -> subprocess.CompletedProcess:
    # Part of every checkout's surroundings (shared/ sits beside the project, in CI too): a
    # missing tool is a failure, never a silent skip.
    assert SEED_OVERLAP.exists(), f"the seed overlap tool is missing at {SEED_OVERLAP}"
    return subprocess.run(
        [sys.executable, str(SEED_OVERLAP), str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_it_shares_no_run_of_eight_words_with_the_seeds():
    """The whole project (code, templates, docs, programs, tests), and the tool's own verdict:
    its exit status, not a filter of its output."""
    result = run_seed_overlap(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_would_catch_a_copied_sentence(tmp_path):
    """The check above against a project copied from the seeds on purpose, anywhere in it."""
    seeds = sorted((SEED_OVERLAP.parent.parent / "seeds").glob("*.txt"))
    assert seeds, "no seed documents to compare with"
    words = seeds[0].read_text("utf-8", errors="ignore").split()
    copied = " ".join(words[200:230] if len(words) > 230 else words[:30])
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(f"<p>{copied}</p>", "utf-8")
    result = run_seed_overlap(tmp_path)
    assert result.returncode == 1
    assert "templates/page.html" in result.stdout
