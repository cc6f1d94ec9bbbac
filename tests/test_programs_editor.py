"""The program editor: programs, session templates and segments. Every error path leaves
the database as it was; every content edit goes through the versioning rule."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flowcoach.programs import services
from flowcoach.programs.forms import SegmentForm, TemplateForm
from flowcoach.programs.models import Program, SessionTemplate, TemplateVersion
from tests.test_programs_import import program_data


@pytest.fixture
def draft(world) -> Program:
    return services.program_import(
        data=program_data(),
        organisation=world.org,
        owner=world.coach,
        status=Program.Status.DRAFT,
    )


@pytest.fixture
def template(draft) -> SessionTemplate:
    return draft.templates.get()


def snapshot():
    """Everything the editor can change, to prove a refused form changed nothing."""
    return (
        list(Program.objects.order_by("pk").values()),
        list(SessionTemplate.objects.order_by("pk").values()),
        list(TemplateVersion.objects.order_by("pk").values()),
    )


def template_post(template, **changes) -> dict:
    data = {k: v for k, v in TemplateForm.initial_from(template).items() if v is not None}
    data.update(changes)
    return data


def segment_post(segment: dict, **changes) -> dict:
    initial = SegmentForm.initial_from(segment)
    data = {k: v for k, v in initial.items() if v not in (None, False)}
    data.update(changes)
    return data


# Programs


def test_it_creates_a_draft_with_a_slug_from_its_title(world):
    http = world.login(world.coach)
    response = http.post(
        reverse("program_create"),
        {"title": "Closing with care", "description": "Three talks.", "recurring": "on"},
    )
    program = Program.objects.get(organisation=world.org)
    assert response["Location"] == reverse("template_create", args=[program.pk])
    assert (program.slug, program.status, program.owner) == (
        "closing-with-care",
        Program.Status.DRAFT,
        world.coach,
    )
    assert program.recurring and program.description == "Three talks."
    # The same title again gets a fresh slug rather than an error.
    http.post(reverse("program_create"), {"title": "Closing with care"})
    assert Program.objects.filter(slug="closing-with-care-2").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "Fine", "slug": "Not A Slug"}, "slug"),
        ({"title": "Fine", "slug": "quick-start"}, "slug"),
    ],
)
def test_it_refuses_a_bad_program_and_changes_nothing(world, draft, data, field):
    before = snapshot()
    response = world.login(world.coach).post(reverse("program_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert snapshot() == before


def test_it_edits_a_program_and_refuses_an_empty_title(world, draft):
    http = world.login(world.coach)
    url = reverse("program_edit", args=[draft.pk])
    before = snapshot()
    response = http.post(url, {"title": "", "description": "changed"})
    assert "Give the program a title." in response.content.decode()
    assert snapshot() == before
    http.post(url, {"title": "Renamed", "audience": "New sellers"})
    draft.refresh_from_db()
    assert (draft.title, draft.audience, draft.slug) == ("Renamed", "New sellers", "quick-start")


# Session templates


def test_it_adds_a_session_template_at_the_end(world, draft):
    http = world.login(world.coach)
    data = template_post(draft.templates.get(), code="S2", title="Second talk")
    data["pre_reading"] = "A short read | https://example.org/read"
    data["outcomes"] = "One\n\n  Two  \n"
    response = http.post(reverse("template_create", args=[draft.pk]), data)
    template = draft.templates.get(code="S2")
    assert response["Location"].startswith(reverse("template_edit", args=[template.pk]))
    version = template.latest_version()
    assert template.position == 1
    assert version.number == 1 and version.segments == []
    assert version.outcomes == ["One", "Two"]
    assert version.pre_reading == [{"title": "A short read", "url": "https://example.org/read"}]
    assert version.created_by == world.coach


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"minutes_min": "40", "minutes_max": "30"},
            "minutes_max",
            "Make this at least as long as the minimum.",
        ),
        ({"minutes_min": "-1"}, "minutes_min", ""),
        (
            {"pre_email_body": "Hi {{ client_nickname }}"},
            "pre_email_body",
            "Unknown variable 'client_nickname'",
        ),
        (
            {"follow_email_subject": "Thanks {{ client_nickname }}"},
            "follow_email_subject",
            "Unknown variable 'client_nickname'",
        ),
        ({"code": "s1"}, "code", "already used in this program"),
        ({"title": ""}, "title", ""),
        ({"pre_reading": "no bar here"}, "pre_reading", "Line 1: write it as Title | https://"),
        ({"pre_reading": "Read | ftp://x"}, "pre_reading", "Line 1: The link must start with"),
    ],
)
def test_it_refuses_a_bad_new_template_and_changes_nothing(
    world, draft, template, changes, field, message
):
    data = template_post(template, code="S2", **{"title": "Two"})
    data.update(changes)
    before = snapshot()
    response = world.login(world.coach).post(reverse("template_create", args=[draft.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert snapshot() == before


def test_it_shows_an_unknown_variable_at_its_field_when_editing(world, template):
    data = template_post(template, pre_email_body="Hello {{ client_nickname }}")
    before = snapshot()
    response = world.login(world.coach).post(reverse("template_edit", args=[template.pk]), data)
    html = response.content.decode()
    assert 'id="id_pre_email_body_error"' in html
    assert "Unknown variable &#x27;client_nickname&#x27;" in html
    assert snapshot() == before


def test_it_edits_an_unused_version_in_place(world, template):
    version = template.latest_version()
    data = template_post(template, title="A better first talk")
    world.login(world.coach).post(reverse("template_edit", args=[template.pk]), data)
    assert template.versions.count() == 1
    version.refresh_from_db()
    assert version.title == "A better first talk"


def test_it_makes_the_next_version_when_sessions_use_the_current_one(world, template):
    version = template.latest_version()
    services.template_version_mark_used(version=version)
    http = world.login(world.coach)
    page = http.get(reverse("template_edit", args=[template.pk])).content.decode()
    assert "Sessions already planned keep version 1; your edit creates version 2." in page
    http.post(
        reverse("template_edit", args=[template.pk]),
        template_post(template, title="A better first talk"),
    )
    old, new = template.versions.order_by("number")
    assert (old.number, old.title, old.in_use) == (1, "First conversation", True)
    assert (new.number, new.title, new.in_use) == (2, "A better first talk", False)
    assert new.created_by == world.coach
    assert new.segments == old.segments


def test_it_makes_no_version_when_nothing_changed(world, template):
    services.template_version_mark_used(version=template.latest_version())
    world.login(world.coach).post(
        reverse("template_edit", args=[template.pk]), template_post(template)
    )
    assert template.versions.count() == 1


def test_it_renames_a_code_but_refuses_a_taken_one(world, draft, template):
    other = services.template_create(
        program=draft,
        user=world.coach,
        code="S2",
        fields={k: v for k, v in TemplateForm.initial_from(template).items() if k != "code"}
        | {"outcomes": [], "coach_preparation": [], "client_preparation": [], "pre_reading": []},
    )
    http = world.login(world.coach)
    before = snapshot()
    response = http.post(reverse("template_edit", args=[other.pk]), template_post(other, code="S1"))
    assert "S1 is already used in this program." in response.content.decode()
    assert snapshot() == before
    http.post(reverse("template_edit", args=[other.pk]), template_post(other, code="S9"))
    other.refresh_from_db()
    assert other.code == "S9"


def test_it_reorders_templates_up_and_down(world, draft, template):
    second = services.template_create(
        program=draft,
        user=world.coach,
        code="S2",
        fields={
            "title": "Two",
            "kind": "scripted",
            "minutes_min": 30,
            "minutes_max": 30,
            "pre_email_subject": "s",
            "pre_email_body": "b",
            "follow_email_subject": "s",
            "follow_email_body": "b",
        },
    )
    http = world.login(world.coach)
    http.post(reverse("template_move", args=[second.pk]), {"direction": "up"})
    assert list(draft.templates.order_by("position").values_list("code", flat=True)) == [
        "S2",
        "S1",
    ]
    http.post(reverse("template_move", args=[second.pk]), {"direction": "down"})
    assert list(draft.templates.order_by("position").values_list("code", flat=True)) == [
        "S1",
        "S2",
    ]


# Segments


def names(template):
    return [s["name"] for s in template.latest_version().segments]


def test_it_adds_a_segment_with_stages_prompts_and_flags(world, template):
    # Room for five more minutes: a segment may not make the session run past its maximum.
    services.template_update(
        template=template, user=world.coach, code=template.code, fields={"minutes_max": 40}
    )
    http = world.login(world.coach)
    response = http.post(
        reverse("segment_create", args=[template.pk]),
        {
            "name": "Stock take",
            "kind": "flow",
            "minutes_min": "5",
            "minutes_max": "5",
            "prompts": "What went well?\n\nWhat next?",
            "notes": "Keep it short.",
            "find_out_on": "on",
            "find_out_prompts": "What happened?",
            "own_prompts": "What is yours to change?",
            "flags": ["set_commitments", "draft_purpose_statement"],
        },
    )
    assert response.status_code == 302
    segment = template.latest_version().segments[-1]
    assert segment == {
        "name": "Stock take",
        "kind": "flow",
        "minutes_min": 5,
        "minutes_max": 5,
        "prompts": ["What went well?", "What next?"],
        "flow_stages": [
            {"stage": "find_out", "prompts": ["What happened?"]},
            {"stage": "own", "prompts": ["What is yours to change?"]},
        ],
        "notes": "Keep it short.",
        "flags": ["draft_purpose_statement", "set_commitments"],
    }


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"minutes_min": "9", "minutes_max": "3"}, "minutes_max"),
        ({"minutes_max": "481"}, "minutes_max"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"kind": "nap"}, "kind"),
        ({"flags": ["dance"]}, "flags"),
    ],
)
def test_it_refuses_a_bad_segment_and_changes_nothing(world, template, changes, field):
    data = {"name": "Check-in", "kind": "review", "minutes_min": "3", "minutes_max": "5"}
    data.update(changes)
    http = world.login(world.coach)
    before = snapshot()
    for url in (
        reverse("segment_create", args=[template.pk]),
        reverse("segment_edit", args=[template.pk, 1]),
    ):
        response = http.post(url, data)
        assert response.status_code == 200
        assert field in response.context["form"].errors
    assert snapshot() == before


def test_it_needs_a_stage_for_a_flow_segment(world, template):
    before = snapshot()
    response = world.login(world.coach).post(
        reverse("segment_create", args=[template.pk]),
        {"name": "Walk it", "kind": "flow", "minutes_min": "5", "minutes_max": "5"},
    )
    assert "needs at least one stage" in response.content.decode()
    assert snapshot() == before


def test_it_edits_a_segment_in_place_while_unused(world, template):
    segment = template.latest_version().segments[1]
    data = segment_post(segment, name="The real talk", minutes_min="18")
    response = world.login(world.coach).post(reverse("segment_edit", args=[template.pk, 1]), data)
    assert response.status_code == 302
    assert template.versions.count() == 1
    edited = template.latest_version().segments[1]
    assert (edited["name"], edited["minutes_min"]) == ("The real talk", 18)
    assert edited["flow_stages"] == segment["flow_stages"]
    assert edited["flags"] == segment["flags"]


def test_it_keeps_the_used_version_when_a_segment_changes(world, template):
    used = template.latest_version()
    services.template_version_mark_used(version=used)
    http = world.login(world.coach)
    page = http.get(reverse("segment_edit", args=[template.pk, 0])).content.decode()
    assert "your edit creates version 2" in page
    http.post(
        reverse("segment_edit", args=[template.pk, 0]),
        segment_post(used.segments[0], name="Warm hello"),
    )
    used.refresh_from_db()
    assert [s["name"] for s in used.segments] == ["Hello", "The talk", "Wrap"]
    assert names(template) == ["Warm hello", "The talk", "Wrap"]
    assert template.latest_version().number == 2


def test_it_moves_a_segment_with_htmx_and_keeps_the_focus_on_it(world, template):
    http = world.login(world.coach)
    response = http.post(
        reverse("segment_move", args=[template.pk, 0]),
        {"direction": "down"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert names(template) == ["The talk", "Hello", "Wrap"]
    assert "“Hello” is now number 2 of 3." in html
    assert 'hx-swap-oob="true"' in html
    # The moved segment's Move down button gets the focus back for the next key press.
    moved = html[html.index('id="segment-1"') : html.index('id="segment-2"')]
    assert "autofocus>Move down" in moved


def test_it_moves_a_segment_by_drag_and_drop_and_without_javascript(world, template):
    http = world.login(world.coach)
    http.post(
        reverse("segment_move", args=[template.pk, 2]), {"to": "0"}, headers={"HX-Request": "true"}
    )
    assert names(template) == ["Wrap", "Hello", "The talk"]
    response = http.post(reverse("segment_move", args=[template.pk, 0]), {"direction": "up"})
    assert response.status_code == 302
    assert names(template) == ["Wrap", "Hello", "The talk"]
    http.post(reverse("segment_move", args=[template.pk, 0]), {"to": "99"})
    assert names(template) == ["Hello", "The talk", "Wrap"]


def test_it_moving_a_used_version_makes_the_next_one(world, template):
    services.template_version_mark_used(version=template.latest_version())
    response = world.login(world.coach).post(
        reverse("segment_move", args=[template.pk, 2]),
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    # The notice above the list is refreshed too: the page now edits version 2.
    assert "You are editing version 2." in response.content.decode()
    first, second = template.versions.order_by("number")
    assert [s["name"] for s in first.segments] == ["Hello", "The talk", "Wrap"]
    assert [s["name"] for s in second.segments] == ["Hello", "Wrap", "The talk"]


def test_it_deletes_a_segment(world, template):
    http = world.login(world.coach)
    http.post(reverse("segment_delete", args=[template.pk, 1]))
    assert names(template) == ["Hello", "Wrap"]
    assert http.post(reverse("segment_delete", args=[template.pk, 5])).status_code == 404


def test_it_warns_when_segments_do_not_fit_the_planned_length(world, template):
    http = world.login(world.coach)
    http.post(reverse("segment_delete", args=[template.pk, 1]))
    for url in (
        reverse("template_edit", args=[template.pk]),
        reverse("program_detail", args=[template.program_id]),
    ):
        html = http.get(url).content.decode()
        assert "Does not fit:" in html
        assert "segments add up to 10 minutes, but the session is planned for 30–35" in html


# Preview


def test_it_previews_both_emails_with_a_sample_client(world, template):
    html = world.login(world.coach).get(reverse("template_preview", args=[template.pk]))
    html = html.content.decode()
    assert "See you on Tuesday 3 March 2026" in html
    assert "Hi Jordan," in html
    assert "Thanks, Jordan" in html
    assert "{{ client_first_name }}" in html  # the list of variables
    assert "The client&#x27;s first name." in html


def test_it_deletes_an_unused_template_and_retires_a_used_one(world, draft, template):
    http = world.login(world.coach)
    data = template_post(template, code="S2", title="Two")
    http.post(reverse("template_create", args=[draft.pk]), data)
    unused = draft.templates.get(code="S2")
    response = http.post(reverse("template_delete", args=[unused.pk]))
    assert response["Location"] == reverse("program_detail", args=[draft.pk])
    assert not SessionTemplate.objects.filter(pk=unused.pk).exists()

    version = template.latest_version()
    services.template_version_mark_used(version=version)
    http.post(reverse("template_delete", args=[template.pk]))
    template.refresh_from_db()
    assert template.retired and TemplateVersion.objects.filter(pk=version.pk).exists()
    page = http.get(reverse("program_detail", args=[draft.pk]))
    assert page.context["rows"] == []
    # Its history is still readable; it can no longer be edited, and its code stays taken.
    assert http.get(reverse("template_history", args=[template.pk])).status_code == 200
    assert http.get(reverse("template_edit", args=[template.pk])).status_code == 403
    before = snapshot()
    response = http.post(reverse("template_create", args=[draft.pk]), template_post(template))
    assert "removed from this program" in " ".join(response.context["form"].errors["code"])
    assert snapshot() == before


def test_it_sums_up_the_errors_at_the_top_with_links_to_their_fields(world, template):
    data = template_post(template, pre_email_days="99", title="")
    response = world.login(world.coach).post(reverse("template_edit", args=[template.pk]), data)
    html = response.content.decode()
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert "these 2 things" in summary
    assert 'href="#id_title"' in summary and 'href="#id_pre_email_days"' in summary
    # The summary comes before the segments and the form.
    assert html.index('id="error-summary"') < html.index('id="segments"')


def test_it_marks_the_segment_just_saved_where_the_page_lands(world, template):
    http = world.login(world.coach)
    segment = template.latest_version().segments[0]
    response = http.post(
        reverse("segment_edit", args=[template.pk, 0]), segment_post(segment, name="Hi there")
    )
    assert response["Location"].endswith("?saved=0#segment-0")
    html = http.get(response["Location"]).content.decode()
    landing = html.split('id="segment-0"')[1].split("</li>")[0]
    assert 'role="status">Saved</span>' in landing
