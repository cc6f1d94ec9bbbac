"""The export_program and import_program commands."""

from __future__ import annotations

import copy
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from flowcoach.programs.models import Program, TemplateVersion
from flowcoach.programs.yaml_io import dump_program_yaml
from tests.test_programs_import import program_data


def export(*args) -> str:
    out = StringIO()
    call_command("export_program", *args, stdout=out)
    return out.getvalue()


def write(tmp_path, text: str, name="program.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_it_exports_a_builtin_as_yaml(db):
    text = export("best-seller")
    data = yaml.safe_load(text)
    assert data["slug"] == "best-seller"
    s1 = data["sessions"][0]
    assert [(s["minutes_min"], s["minutes_max"]) for s in s1["segments"]] == [
        (3, 3),
        (2, 2),
        (20, 25),
        (20, 20),
        (5, 5),
    ]
    flow = next(s for s in s1["segments"] if s.get("flow_stages"))
    assert [stage["stage"] for stage in flow["flow_stages"]] == [
        "find_out",
        "learn_about",
        "own",
        "work_it",
    ]
    assert s1["pre_session_email"]["days_before"] == 7
    assert s1["follow_up_email"]["days_after"] == 1


def test_it_fails_clearly_when_the_program_is_not_found(world):
    with pytest.raises(CommandError, match="No program with the slug 'nope' among the built-ins"):
        export("nope")
    with pytest.raises(CommandError, match="No organisation with the slug 'nowhere'"):
        export("best-seller", "--organisation", "nowhere")
    # Built-ins are not the organisation's programs.
    with pytest.raises(CommandError, match="in organisation"):
        export("best-seller", "--organisation", world.org.slug)


def test_it_exports_imports_and_exports_the_same_yaml(world, tmp_path):
    first = export("best-seller")
    call_command(
        "import_program",
        write(tmp_path, first),
        "--organisation",
        world.org.slug,
        stdout=StringIO(),
    )
    program = Program.objects.get(organisation=world.org, slug="best-seller")
    assert program.status == Program.Status.PUBLISHED
    second = export("best-seller", "--organisation", world.org.slug)
    assert second == first


def test_it_imports_a_draft_for_an_owner_and_dedupes_the_slug(world, tmp_path):
    path = write(tmp_path, dump_program_yaml(program_data()))
    for _ in range(2):
        call_command(
            "import_program",
            path,
            "--organisation",
            world.org.slug,
            "--owner",
            world.coach.email,
            "--draft",
            stdout=StringIO(),
        )
    programs = Program.objects.filter(organisation=world.org).order_by("pk")
    assert [p.slug for p in programs] == ["quick-start", "quick-start-2"]
    assert all(p.status == Program.Status.DRAFT and p.owner == world.coach for p in programs)


def test_it_lists_every_error_by_path_and_imports_nothing(world, tmp_path):
    data = program_data()
    data["sessions"][0]["segments"][1]["minutes_max"] = 1
    data["sessions"][0]["pre_session_email"]["body"] = "Hi {{ client_nickname }}"
    data["sessions"].append(copy.deepcopy(data["sessions"][0]))
    before = (Program.objects.count(), TemplateVersion.objects.count())
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_program",
            write(tmp_path, dump_program_yaml(data)),
            "--organisation",
            world.org.slug,
            stdout=StringIO(),
        )
    message = str(caught.value)
    assert "nothing imported" in message
    assert "sessions[0].segments[1].minutes_max: must be at least minutes_min" in message
    assert "sessions[0].pre_session_email.body: unknown variable 'client_nickname'" in message
    assert "sessions[1].code: 'S1' is already used by sessions[0]" in message
    assert (Program.objects.count(), TemplateVersion.objects.count()) == before


def test_it_exits_non_zero_from_the_command_line(world, tmp_path):
    from django.core.management import ManagementUtility

    path = write(tmp_path, "format: [unclosed")
    utility = ManagementUtility(["manage.py", "import_program", path, "--organisation", "x"])
    with pytest.raises(SystemExit) as caught:
        utility.execute()
    assert caught.value.code != 0


def test_it_refuses_a_bad_owner_a_draft_without_owner_and_a_missing_file(world, tmp_path):
    path = write(tmp_path, dump_program_yaml(program_data()))
    org = world.org.slug
    with pytest.raises(CommandError, match="not an admin or coach"):
        call_command("import_program", path, "--organisation", org, "--owner", "x@y.test")
    with pytest.raises(CommandError, match="not an admin or coach"):
        call_command(
            "import_program", path, "--organisation", org, "--owner", world.client_user.email
        )
    with pytest.raises(CommandError, match="needs an owner"):
        call_command("import_program", path, "--organisation", org, "--draft")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_program", str(tmp_path / "none.yaml"), "--organisation", org)
    assert not Program.objects.filter(organisation=world.org).exists()
