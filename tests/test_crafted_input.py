"""Crafted files and bodies from an attacker's probe: each gets a clear error and writes
nothing, never a 500, a traceback or a server out of memory (issue #11, findings 4, 5, 9).
The property tests in test_parsers_fuzz.py then try arbitrary input."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from flowcoach.clients.models import Theme, ThemeCatalog, ThemeGroup
from flowcoach.coaching.models import SessionNote, SessionRecord
from flowcoach.programs.models import Program
from tests.test_runner_views import http, post, session  # noqa: F401 (fixtures)

DEEP_YAML = "key: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_MAPPING = "".join("  " * n + f"k{n}:\n" for n in range(400)) + "  " * 400 + "end: 1\n"
HUGE_INT = "format: flowcoach.program/1\nslug: big\ntitle: Big\nversion: " + "9" * 5000 + "\n"
LIST_KEY = "format: flowcoach.program/1\n? [a, b]\n: value\n"
OVERFLOW = "key: big\nname: Big\nversion: 99999999999999999999\ngroups:\n  - name: A\n"
# One group, repeated through aliases: 14 KB that used to expand to a million error lines.
ALIAS_BOMB = (
    "key: bomb\nname: Bomb\ngroups:\n  - &g {name: '', themes: [a, a, a, a, a, a, a, a]}\n"
    + "".join("  - *g\n" for _ in range(2000))
)
CRAFTED_FILES = {
    "nested 5000 levels": DEEP_YAML,
    "mappings nested 400 levels": DEEP_MAPPING,
    "a 5000-digit number": HUGE_INT,
    "a list as a key": LIST_KEY,
    "aliases": ALIAS_BOMB,
}


def program_counts():
    return Program.objects.count()


def catalog_counts():
    return ThemeCatalog.objects.count(), ThemeGroup.objects.count(), Theme.objects.count()


@pytest.mark.parametrize("text", CRAFTED_FILES.values(), ids=CRAFTED_FILES.keys())
def test_it_refuses_a_crafted_program_file_with_a_clear_error(world, text):
    before = program_counts()
    response = world.login(world.coach).post(
        reverse("program_import"), {"file": SimpleUploadedFile("p.yaml", text.encode())}
    )
    assert response.status_code in {200, 400}
    assert "(file): " in response.content.decode()
    assert program_counts() == before


@pytest.mark.parametrize("text", CRAFTED_FILES.values(), ids=CRAFTED_FILES.keys())
def test_it_refuses_a_crafted_program_file_on_the_command_line(world, text, tmp_path):
    path = tmp_path / "crafted.yaml"
    path.write_text(text)
    before = program_counts()
    with pytest.raises(CommandError):
        call_command("import_program", str(path), stdout=StringIO(), stderr=StringIO())
    assert program_counts() == before


@pytest.mark.parametrize(
    "text", [*CRAFTED_FILES.values(), OVERFLOW], ids=[*CRAFTED_FILES.keys(), "version overflow"]
)
def test_it_refuses_a_crafted_catalog_quickly_with_few_lines(world, text):
    before = catalog_counts()
    started = time.monotonic()
    response = world.login(world.admin).post(
        reverse("catalog_import"), {"file": SimpleUploadedFile("c.yaml", text.encode())}
    )
    assert time.monotonic() - started < 5
    html = response.content.decode()
    assert response.status_code == 400 and "Nothing was imported" in html
    assert html.count("<li") < 200
    assert catalog_counts() == before


def test_it_holds_catalog_names_to_their_lengths(world):
    text = (
        f"key: long\nname: {'N' * 151}\ngroups:\n  - name: {'G' * 81}\n    themes: [{'T' * 81}]\n"
    )
    response = world.login(world.admin).post(
        reverse("catalog_import"), {"file": SimpleUploadedFile("c.yaml", text.encode())}
    )
    html = response.content.decode()
    assert response.status_code == 400
    for error in ("name: at most 150", "groups[0].name: at most 80", "themes[0]: at most 80"):
        assert error in html
    assert not ThemeCatalog.objects.filter(key="long").exists()


def test_it_refuses_a_deeply_nested_autosave_body(http, session):  # noqa: F811
    body = '{"fields": ' + "[" * 40_000 + "]" * 40_000 + "}"
    response = http.post(
        reverse("runner_record", args=[session.pk]), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "The request could not be read."
    assert not SessionRecord.objects.filter(session=session).exclude(version=0).exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"fields": {"worksheet": "' + "1" * 10 + '"}, "base_version": ' + "9" * 5000 + "}",
        '{"fields": {}, "fields": {}}',
        '{"base_version": NaN}',
        '{"base_version": 1e99999}',
    ],
    ids=["huge number", "duplicate key", "NaN", "infinity"],
)
def test_it_refuses_autosave_bodies_it_cannot_trust(http, session, body):  # noqa: F811
    response = http.post(
        reverse("runner_record", args=[session.pk]), body, content_type="application/json"
    )
    assert response.status_code == 400


def test_it_refuses_nul_characters_in_autosaved_text(http, session):  # noqa: F811
    note = {"uuid": "8d6b0c36-0a51-4f37-9b53-2a4b5b6f0d11", "text": "before\x00after"}
    response = post(http, "runner_notes", session, note)
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    # The same through an ordinary form post.
    response = http.post(reverse("runner_notes", args=[session.pk]), note)
    assert response.status_code == 400
    assert SessionNote.objects.count() == 0
    record = post(http, "runner_record", session, {"fields": {"worksheet": {"a": "x\u0000"}}})
    assert record.status_code == 400
    assert json.dumps(record.json())
