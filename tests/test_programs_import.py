"""Importing a program file in the UI: every error listed with its path, nothing imported."""

from __future__ import annotations

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flowcoach.programs.models import Program, SessionTemplate, TemplateVersion
from flowcoach.programs.yaml_io import dump_program_yaml


def program_data() -> dict:
    """A small valid program: one 30-minute session of three segments."""
    return copy.deepcopy(
        {
            "format": "flowcoach.program/1",
            "slug": "quick-start",
            "title": "Quick start",
            "description": "A short track to try the editor.",
            "recurring": False,
            "sessions": [
                {
                    "code": "S1",
                    "title": "First conversation",
                    "kind": "scripted",
                    "minutes_min": 30,
                    "minutes_max": 35,
                    "outcomes": ["The client names one goal."],
                    "pre_session_email": {
                        "days_before": 3,
                        "subject": "See you on {{ session_date }}",
                        "body": "Hi {{ client_first_name }},\nTalk soon.\n",
                    },
                    "segments": [
                        {"name": "Hello", "kind": "greeting", "minutes_min": 5, "minutes_max": 5},
                        {
                            "name": "The talk",
                            "kind": "conversation",
                            "minutes_min": 20,
                            "minutes_max": 25,
                            "prompts": ["What matters most this month?"],
                            "flow_stages": [
                                {"stage": "find_out", "prompts": ["What happened?"]},
                                {"stage": "work_it", "prompts": ["What will you try?"]},
                            ],
                            "notes": "Listen more than you talk.",
                            "flags": ["set_commitments"],
                        },
                        {"name": "Wrap", "kind": "wrap", "minutes_min": 5, "minutes_max": 5},
                    ],
                    "follow_up_email": {
                        "days_after": 1,
                        "subject": "Thanks, {{ client_first_name }}",
                        "body": "Your commitments:\n{{ session_commitments }}\n",
                    },
                }
            ],
        }
    )


def upload(http, content: str | bytes, name="program.yaml"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return http.post(
        reverse("program_import"), {"file": SimpleUploadedFile(name, content, "application/yaml")}
    )


def counts():
    return (
        Program.objects.count(),
        SessionTemplate.objects.count(),
        TemplateVersion.objects.count(),
    )


def broken(change) -> str:
    data = program_data()
    change(data)
    return dump_program_yaml(data)


def set_path(path, value):
    def change(data):
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def add_second_session(data):
    data["sessions"].append(copy.deepcopy(data["sessions"][0]))


def unknown_key(data):
    data["sessions"][0]["segments"][0]["colour"] = "blue"


def missing_title(data):
    del data["sessions"][0]["title"]


S0 = ["sessions", 0]
SEG1 = [*S0, "segments", 1]


@pytest.mark.parametrize(
    "content, expected",
    [
        pytest.param(
            "format: flowcoach.program/1\nsessions: [unclosed\n",
            "(file): not valid YAML at line",
            id="malformed YAML",
        ),
        pytest.param(
            broken(unknown_key), "sessions[0].segments[0].colour: unknown key", id="unknown key"
        ),
        pytest.param(
            broken(set_path([*S0, "minutes_min"], "thirty")),
            "sessions[0].minutes_min: must be of type integer",
            id="wrong type",
        ),
        pytest.param(broken(missing_title), "sessions[0].title: required", id="missing field"),
        pytest.param(
            broken(add_second_session),
            "sessions[1].code: 'S1' is already used by sessions[0]",
            id="duplicate codes",
        ),
        pytest.param(
            broken(set_path([*SEG1, "minutes_max"], 10)),
            "sessions[0].segments[1].minutes_max: must be at least minutes_min",
            id="minutes out of order",
        ),
        pytest.param(
            broken(set_path([*SEG1, "minutes_min"], 999)),
            "sessions[0].segments[1].minutes_min: must be at most 480",
            id="minutes out of range",
        ),
        pytest.param(
            broken(
                lambda d: d["sessions"][0]["segments"][1].update(minutes_min=60, minutes_max=60)
            ),
            "sessions[0].segments: planned 70–70 minutes run past the session's 30–35 minutes "
            "(the segments' maximums may add up to 35 at most)",
            id="segments do not fit",
        ),
        pytest.param(
            broken(set_path([*S0, "follow_up_email", "body"], "Hi {{ client_nickname }}")),
            "sessions[0].follow_up_email.body: unknown variable 'client_nickname'",
            id="unknown variable",
        ),
        pytest.param(
            "# padding\n" * 60_000,
            "(file): larger than 512 KB",
            id="oversized file",
        ),
    ],
)
def test_it_lists_each_import_error_with_its_path_and_imports_nothing(world, content, expected):
    http = world.login(world.coach)
    before = counts()
    response = upload(http, content)
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()
    assert any(expected in error for error in response.context["errors"])
    assert expected.replace("'", "&#x27;") in response.content.decode()
    assert counts() == before


def test_it_lists_every_error_at_once(world):
    def many(data):
        set_path([*SEG1, "minutes_max"], 1)(data)
        set_path([*S0, "pre_session_email", "subject"], "{{ client_nickname }}")(data)

    response = upload(world.login(world.coach), broken(many))
    # Each names the session by its code as well as its position.
    assert response.context["errors"] == [
        "sessions[0].segments[1].minutes_max: must be at least minutes_min (in S1)",
        "sessions[0].pre_session_email.subject: unknown variable 'client_nickname' (in S1)",
    ]


def test_it_imports_a_file_as_my_private_draft_with_a_fresh_slug(world):
    http = world.login(world.coach)
    text = dump_program_yaml(program_data())
    first = upload(http, text)
    second = upload(http, text)
    programs = list(Program.objects.filter(organisation=world.org).order_by("pk"))
    assert [p.slug for p in programs] == ["quick-start", "quick-start-2"]
    assert all(p.status == Program.Status.DRAFT and p.owner == world.coach for p in programs)
    assert first["Location"] == reverse("program_detail", args=[programs[0].pk])
    assert second["Location"] == reverse("program_detail", args=[programs[1].pk])
    version = programs[0].templates.get().latest_version()
    assert version.created_by == world.coach
    assert [s["name"] for s in version.segments] == ["Hello", "The talk", "Wrap"]
    # Another coach does not see my imported draft.
    other = world.login(world.other_coach)
    assert other.get(reverse("program_detail", args=[programs[0].pk])).status_code == 404


def test_it_asks_for_a_file(world):
    before = counts()
    response = world.login(world.coach).post(reverse("program_import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert counts() == before
