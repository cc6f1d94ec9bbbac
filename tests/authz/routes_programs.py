"""Programs: admins and coaches only (clients get 403 from the role gate). Built-ins are
visible to every organisation's staff and read-only; another organisation's programs and
another coach's draft answer 404."""

from flowcoach.programs.forms import SegmentForm, TemplateForm
from tests.authz.matrix import Route

CLIENTS = {"client": 403, "other_client": 403}
STAFF = {"admin": 200, "other_org_admin": 200, "coach": 200, "other_coach": 200, **CLIENTS}
# A program of world.org: its staff, not another organisation's admin.
ORG = {"admin": 200, "coach": 200, "other_coach": 200, "other_org_admin": 404, **CLIENTS}
# world.coach's private draft: nobody else learns it exists.
DRAFT = {"coach": 200, "admin": 404, "other_coach": 404, "other_org_admin": 404, **CLIENTS}
# A built-in exists for every staff member, and nobody may change it.
READ_ONLY = {"admin": 403, "other_org_admin": 403, "coach": 403, "other_coach": 403, **CLIENTS}


def redirected(expect: dict) -> dict:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


def obj(key):
    return lambda world: [world.extras[key].pk]


def segment(key):
    return lambda world: [world.extras[key].pk, 0]


DOWN = {"direction": "down"}
# Who may change a program of world.org: its staff (an admin who also coaches included).
ORG_WRITERS = ("admin", "coach", "other_coach", "admin_coach")


def _template_form(world, **changes) -> dict:
    """The template form as a browser posts it, from the published program's first talk."""
    template = world.extras["org_template"]
    data = {k: v for k, v in TemplateForm.initial_from(template).items() if v is not None}
    return {**data, **changes}


def _segment_form(world, **changes) -> dict:
    segment = world.extras["org_template"].latest_version().segments[0]
    data = {k: v for k, v in SegmentForm.initial_from(segment).items() if v not in (None, False)}
    return {**data, **changes}


ROUTES = [
    Route("program_list", expect=STAFF),
    Route("program_create", expect=STAFF),
    Route("program_create", method="POST", label="POST program_create (invalid)", expect=STAFF),
    Route("program_import", expect=STAFF),
    Route("program_import", method="POST", label="POST program_import (no file)", expect=STAFF),
    Route("program_detail", args=obj("builtin_program"), label="builtin detail", expect=STAFF),
    Route("program_detail", args=obj("org_program"), label="org detail", expect=ORG),
    Route("program_detail", args=obj("coach_draft"), label="draft detail", expect=DRAFT),
    Route("program_edit", args=obj("org_program"), label="org edit", expect=ORG),
    Route("program_edit", args=obj("coach_draft"), label="draft edit", expect=DRAFT),
    Route("program_edit", args=obj("builtin_program"), label="builtin edit", expect=READ_ONLY),
    Route(
        "program_edit",
        method="POST",
        args=obj("org_program"),
        data=lambda w: {"title": "Renamed in the matrix"},
        label="POST org edit",
        expect=redirected(ORG),
        writes=ORG_WRITERS,
    ),
    Route(
        "program_edit",
        method="POST",
        args=obj("builtin_program"),
        data=lambda w: {"title": "Renamed in the matrix"},
        label="POST builtin edit",
        expect=READ_ONLY,
        writes=(),
    ),
    Route(
        "program_edit",
        args=obj("archived_program"),
        label="archived edit",
        # Refused to this organisation's people; another's never learns it exists.
        expect={**ORG, "admin": 403, "coach": 403, "other_coach": 403, "outsider_coach": 404},
    ),
    Route("program_export", args=obj("builtin_program"), label="builtin export", expect=STAFF),
    Route("program_export", args=obj("org_program"), label="org export", expect=ORG),
    Route(
        "program_copy",
        method="POST",
        args=obj("builtin_program"),
        label="POST copy builtin",
        expect=redirected(STAFF),
    ),
    Route(
        "program_copy",
        method="POST",
        args=obj("coach_draft"),
        label="POST copy draft",
        expect=redirected(DRAFT),
    ),
    Route(
        "program_publish",
        method="POST",
        args=obj("coach_draft"),
        label="POST publish draft",
        expect=redirected(DRAFT),
    ),
    Route(
        "program_publish",
        method="POST",
        args=obj("org_program"),
        label="POST publish published",
        # Refused to this organisation's people; another's never learns it exists.
        expect={**ORG, "admin": 403, "coach": 403, "other_coach": 403, "outsider_coach": 404},
    ),
    Route(
        "program_archive",
        method="POST",
        args=obj("org_program"),
        label="POST archive org",
        expect=redirected(ORG),
    ),
    Route(
        "program_archive",
        method="POST",
        args=obj("builtin_program"),
        label="POST archive builtin",
        expect=READ_ONLY,
    ),
    Route(
        "program_restore",
        method="POST",
        args=obj("archived_program"),
        label="POST restore archived",
        expect=redirected(ORG),
    ),
    Route("template_create", args=obj("org_program"), label="org template_create", expect=ORG),
    Route(
        "template_create",
        method="POST",
        args=obj("org_program"),
        data=lambda w: _template_form(w, code="S99", title="A matrix talk"),
        label="POST org template_create",
        expect=redirected(ORG),
        writes=ORG_WRITERS,
    ),
    Route(
        "template_create",
        args=obj("builtin_program"),
        label="builtin template_create",
        expect=READ_ONLY,
    ),
    Route("template_edit", args=obj("org_template"), label="org template_edit", expect=ORG),
    Route(
        "template_edit",
        method="POST",
        args=obj("org_template"),
        data=lambda w: _template_form(w, title="Retitled in the matrix"),
        label="POST org template_edit",
        expect=redirected(ORG),
        writes=ORG_WRITERS,
    ),
    Route("template_edit", args=obj("draft_template"), label="draft template_edit", expect=DRAFT),
    Route(
        "template_edit",
        args=obj("builtin_template"),
        label="builtin template_edit",
        expect=READ_ONLY,
    ),
    Route(
        "template_move",
        method="POST",
        args=obj("org_template"),
        data=lambda world: DOWN,
        label="POST template_move",
        expect=redirected(ORG),
    ),
    Route(
        "template_delete",
        method="POST",
        args=obj("org_template"),
        label="POST template_delete",
        expect=redirected(ORG),
    ),
    Route(
        "template_delete",
        method="POST",
        args=obj("builtin_template"),
        label="POST template_delete builtin",
        expect=READ_ONLY,
    ),
    Route(
        "template_history",
        args=obj("builtin_template"),
        label="builtin history",
        expect=STAFF,
    ),
    Route("template_history", args=obj("draft_template"), label="draft history", expect=DRAFT),
    Route("template_diff", args=obj("builtin_template"), label="builtin diff", expect=STAFF),
    Route("template_diff", args=obj("org_template"), label="org diff", expect=ORG),
    Route("template_preview", args=obj("builtin_template"), label="builtin preview", expect=STAFF),
    Route("template_preview", args=obj("draft_template"), label="draft preview", expect=DRAFT),
    Route("segment_create", args=obj("org_template"), label="org segment_create", expect=ORG),
    Route(
        "segment_create",
        method="POST",
        args=obj("org_template"),
        # A segment of no length: the published talk's segments already fill its time.
        data=lambda w: {"name": "Matrix step", "kind": "topic", "minutes_min": 0, "minutes_max": 0},
        label="POST org segment_create",
        expect=redirected(ORG),
        writes=ORG_WRITERS,
    ),
    Route(
        "segment_create",
        args=obj("builtin_template"),
        label="builtin segment_create",
        expect=READ_ONLY,
    ),
    Route("segment_edit", args=segment("org_template"), label="org segment_edit", expect=ORG),
    Route(
        "segment_edit",
        method="POST",
        args=segment("org_template"),
        data=lambda w: _segment_form(w, name="Renamed in the matrix"),
        label="POST org segment_edit",
        expect=redirected(ORG),
        writes=ORG_WRITERS,
    ),
    Route("segment_edit", args=segment("draft_template"), label="draft segment_edit", expect=DRAFT),
    Route(
        "segment_delete",
        method="POST",
        args=segment("org_template"),
        label="POST segment_delete",
        expect=redirected(ORG),
    ),
    Route(
        "segment_delete",
        method="POST",
        args=segment("builtin_template"),
        label="POST segment_delete builtin",
        expect=READ_ONLY,
    ),
    Route(
        "segment_move",
        method="POST",
        args=segment("org_template"),
        data=lambda world: DOWN,
        label="POST segment_move",
        expect=redirected(ORG),
    ),
]
