"""Program list and page, export, copy, publish, archive and restore, history and diff, and
the access rules that matter most: another coach's draft is 404, built-ins never change."""

from __future__ import annotations

import pytest
import yaml
from django.urls import reverse

from flowcoach.programs import services
from flowcoach.programs.models import Program
from flowcoach.programs.yaml_io import dump_program_yaml, program_to_dict
from tests.test_programs_editor import snapshot, template_post
from tests.test_programs_import import program_data


def make(world, owner=None, status=Program.Status.PUBLISHED, title=None) -> Program:
    data = program_data()
    if title:
        data["title"] = title
    return services.program_import(data=data, organisation=world.org, owner=owner, status=status)


@pytest.fixture
def builtin(db) -> Program:
    return Program.objects.get(organisation=None, slug="best-seller")


def test_it_lists_builtins_organisation_programs_and_only_my_drafts(world, builtin):
    make(world, title="Team track")
    make(world, owner=world.coach, status=Program.Status.DRAFT, title="My idea")
    make(world, owner=world.other_coach, status=Program.Status.DRAFT, title="Their idea")
    make(world, status=Program.Status.ARCHIVED, title="Old track")
    response = world.login(world.coach).get(reverse("program_list"))
    groups = response.context["groups"]
    assert [p.title for p in groups.drafts] == ["My idea"]
    assert [p.title for p in groups.organisation] == ["Team track"]
    assert [p.title for p in groups.archived] == ["Old track"]
    assert builtin in groups.builtins
    html = response.content.decode()
    assert "Their idea" not in html
    assert "private draft" in html and "built-in" in html and "archived" in html
    assert "New program" in html and "Import a program file" in html
    assert groups.organisation[0].session_count == 1
    assert 'href="/programs/"' in html  # the main navigation


def test_it_hides_another_organisations_programs(world):
    theirs = services.program_import(data=program_data(), organisation=world.other_org)
    http = world.login(world.admin)
    assert "Quick start" not in http.get(reverse("program_list")).content.decode()
    for name in ("program_detail", "program_export", "program_edit"):
        assert http.get(reverse(name, args=[theirs.pk])).status_code == 404


def test_it_keeps_the_list_and_program_pages_to_a_constant_number_of_queries(
    world, builtin, django_assert_max_num_queries
):
    http = world.login(world.coach)
    for n in range(6):
        program = make(world, title=f"Track {n}")
    for n in range(2, 8):
        template = services.template_create(
            program=program,
            user=world.coach,
            code=f"S{n}",
            fields={
                k: v for k, v in template_post(program.templates.first()).items() if k != "code"
            }
            | {
                "outcomes": [],
                "coach_preparation": [],
                "client_preparation": [],
                "pre_reading": [],
            },
        )
        services.template_version_mark_used(version=template.latest_version())
        services.template_update(
            template=template, user=world.coach, code=template.code, fields={"title": "Again"}
        )
    with django_assert_max_num_queries(8):
        assert http.get(reverse("program_list")).status_code == 200
    with django_assert_max_num_queries(8):
        response = http.get(reverse("program_detail", args=[program.pk]))
    assert len(response.context["rows"]) == 7
    assert response.context["rows"][-1].version.title == "Again"


def test_it_shows_a_program_with_its_sessions_segments_and_fit(world, builtin):
    html = world.login(world.coach).get(reverse("program_detail", args=[builtin.pk]))
    html = html.content.decode()
    assert "Best Seller sales track" in html
    assert "Meet and greet" in html
    assert "Fits:" in html
    assert "Make a copy" in html and "Export YAML" in html
    assert "Edit details" not in html and "Add a session" not in html
    assert "can't be changed" in html


def test_it_exports_yaml_as_an_attachment_that_imports_again(world, builtin):
    response = world.login(world.coach).get(reverse("program_export", args=[builtin.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="best-seller.yaml"'
    text = response.content.decode()
    assert text == dump_program_yaml(program_to_dict(builtin))
    assert yaml.safe_load(text)["slug"] == "best-seller"


def test_it_copies_a_builtin_into_my_drafts(world, builtin):
    response = world.login(world.coach).post(reverse("program_copy", args=[builtin.pk]))
    copy = Program.objects.get(organisation=world.org)
    assert response["Location"] == reverse("program_detail", args=[copy.pk])
    assert (copy.status, copy.owner, copy.copied_from) == (
        Program.Status.DRAFT,
        world.coach,
        builtin,
    )
    assert copy.templates.count() == builtin.templates.filter(retired=False).count()


def test_it_publishes_my_draft_only_when_it_passes_the_checks(world):
    draft = make(world, owner=world.coach, status=Program.Status.DRAFT)
    http = world.login(world.coach)
    template = draft.templates.get()
    services.segment_delete(template=template, user=world.coach, index=1)
    response = http.post(reverse("program_publish", args=[draft.pk]), follow=True)
    assert "Not published yet" in response.content.decode()
    assert "unplanned" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Program.Status.DRAFT
    services.segment_save(
        template=template,
        user=world.coach,
        index=None,
        segment={"name": "Talk", "kind": "conversation", "minutes_min": 20, "minutes_max": 25},
    )
    http.post(reverse("program_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Program.Status.PUBLISHED
    # Now the whole organisation sees and edits it.
    other = world.login(world.other_coach)
    assert other.get(reverse("program_edit", args=[draft.pk])).status_code == 200


def test_it_archives_and_restores_and_archived_is_read_only(world):
    program = make(world)
    template = program.templates.get()
    http = world.login(world.other_coach)
    http.post(reverse("program_archive", args=[program.pk]))
    program.refresh_from_db()
    assert program.status == Program.Status.ARCHIVED
    before = snapshot()
    assert http.get(reverse("program_edit", args=[program.pk])).status_code == 403
    assert (
        http.post(
            reverse("template_edit", args=[template.pk]), template_post(template, title="No")
        ).status_code
        == 403
    )
    assert snapshot() == before
    http.post(reverse("program_restore", args=[program.pk]))
    program.refresh_from_db()
    assert program.status == Program.Status.PUBLISHED


def test_it_answers_404_for_another_coachs_draft(world):
    draft = make(world, owner=world.other_coach, status=Program.Status.DRAFT)
    template = draft.templates.get()
    http = world.login(world.coach)
    for name, args in [
        ("program_detail", [draft.pk]),
        ("program_edit", [draft.pk]),
        ("program_export", [draft.pk]),
        ("template_edit", [template.pk]),
        ("template_history", [template.pk]),
        ("template_preview", [template.pk]),
        ("segment_edit", [template.pk, 0]),
    ]:
        assert http.get(reverse(name, args=args)).status_code == 404, name
    before = snapshot()
    for name in ("program_copy", "program_publish", "program_archive"):
        assert http.post(reverse(name, args=[draft.pk])).status_code == 404, name
    assert snapshot() == before
    # Not even an admin sees a coach's private draft.
    assert (
        world.login(world.admin).get(reverse("program_detail", args=[draft.pk])).status_code == 404
    )


def test_it_never_lets_anyone_change_a_builtin(world, builtin):
    template = builtin.templates.order_by("position").first()
    segment = template.latest_version().segments[0]
    before = snapshot()
    for user in (world.admin, world.coach):
        http = world.login(user)
        posts = [
            (reverse("program_edit", args=[builtin.pk]), {"title": "Mine now"}),
            (reverse("template_edit", args=[template.pk]), template_post(template, title="X")),
            (reverse("template_create", args=[builtin.pk]), template_post(template, code="S99")),
            (reverse("segment_create", args=[template.pk]), {**segment, "name": "Extra"}),
            (reverse("segment_edit", args=[template.pk, 0]), {**segment, "name": "Changed"}),
            (reverse("segment_delete", args=[template.pk, 0]), {}),
            (reverse("segment_move", args=[template.pk, 0]), {"direction": "down"}),
            (reverse("template_move", args=[template.pk]), {"direction": "down"}),
            (reverse("program_archive", args=[builtin.pk]), {}),
            (reverse("program_publish", args=[builtin.pk]), {}),
        ]
        for url, data in posts:
            assert http.post(url, data).status_code == 403, url
    assert snapshot() == before


def test_it_lists_versions_and_shows_what_changed(world):
    program = make(world, owner=world.coach, status=Program.Status.DRAFT)
    template = program.templates.get()
    services.template_version_mark_used(version=template.latest_version())
    services.segment_save(
        template=template,
        user=world.coach,
        index=2,
        segment={"name": "Close", "kind": "wrap", "minutes_min": 5, "minutes_max": 5},
    )
    http = world.login(world.coach)
    history = http.get(reverse("template_history", args=[template.pk]))
    versions = history.context["versions"]
    assert [(v.number, v.in_use) for v in versions] == [(2, False), (1, True)]
    html = history.content.decode()
    assert "Cora Coach" in html and "In use by sessions" in html
    response = http.get(reverse("template_diff", args=[template.pk]) + "?from=1&to=2")
    rows = response.context["rows"]
    assert [(r.change, r.text.strip()) for r in rows if r.change in ("added", "removed")] == [
        ("removed", "- name: Wrap"),
        ("added", "- name: Close"),
    ]
    html = response.content.decode()
    assert '<span class="visually-hidden">Added</span>' in html
    assert '<span class="visually-hidden">Removed</span>' in html
    assert "1 line added and 1 line removed" in html
    same = http.get(reverse("template_diff", args=[template.pk]) + "?from=2&to=2")
    assert "These two versions are the same." in same.content.decode()
    for query in ("?from=1&to=7", "?from=x&to=2"):
        url = reverse("template_diff", args=[template.pk]) + query
        assert http.get(url).status_code == 404


def test_it_sends_clients_away_from_program_pages(world, builtin):
    http = world.login(world.client_user)
    assert http.get(reverse("program_list")).status_code == 403
    assert http.get(reverse("program_detail", args=[builtin.pk])).status_code == 403
    assert 'href="/programs/"' not in http.get(reverse("portal")).content.decode()


def test_it_round_trips_a_program_through_export_and_import_in_the_ui(world, builtin):
    from tests.test_programs_import import upload

    http = world.login(world.coach)
    first = http.get(reverse("program_export", args=[builtin.pk])).content.decode()
    response = upload(http, first, name="best-seller.yaml")
    imported = Program.objects.get(organisation=world.org)
    assert response["Location"] == reverse("program_detail", args=[imported.pk])
    second = http.get(reverse("program_export", args=[imported.pk])).content.decode()
    assert second == first
