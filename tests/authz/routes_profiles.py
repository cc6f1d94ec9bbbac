"""Profiles are coaching content: only the client's coach reads or changes them (admins and
other coaches get 404, as if the client had no profile). Clients read their own shared
attachments. Catalogs are read by admins and coaches (coaches may add a missing theme);
only admins rename, remove, add groups, start versions and import."""

from django.core.files.uploadedfile import SimpleUploadedFile

from flowcoach.clients.access import profile_of
from tests.authz.matrix import Route

COACH_ONLY = {
    "admin": 404,
    "other_org_admin": 404,
    "coach": 200,
    "other_coach": 404,
    "client": 403,
    "other_client": 403,
}
COACH_ONLY_POST = {**COACH_ONLY, "coach": 302}
STAFF_READ = {
    "admin": 200,
    "other_org_admin": 404,
    "coach": 200,
    "other_coach": 200,
    "client": 403,
    "other_client": 403,
}
ADMIN_WRITE = {**STAFF_READ, "admin": 302, "coach": 403, "other_coach": 403}


def _catalog(world):
    return [world.extras["catalog"].pk]


def _theme(world):
    return [world.extras["catalog"].pk, world.extras["free_theme"].pk]


def _attachment(world):
    return [world.extras["attachment"].pk]


def _catalog_file(world):
    text = "key: matrix-import\nname: Matrix import\ngroups:\n  - name: One\n"
    return {"file": SimpleUploadedFile("c.yaml", text.encode(), "application/yaml")}


def _profile_form(world):
    # The profile form's own helper, so this row posts what a browser posts.
    from tests.test_profile_edit import form_data

    return form_data(profile_of(world.client), blind_spots="Seen in the matrix")


ROUTES = [
    Route("profile_detail", expect=COACH_ONLY, args=lambda w: [w.client.pk]),
    Route("profile_edit", expect=COACH_ONLY, args=lambda w: [w.client.pk]),
    Route(
        "profile_edit",
        expect=COACH_ONLY_POST,
        args=lambda w: [w.client.pk],
        method="POST",
        data=_profile_form,
        writes=("coach",),
    ),
    Route(
        "profile_share",
        expect=COACH_ONLY_POST,
        args=lambda w: [w.client.pk],
        method="POST",
        data=lambda w: {"parts": ["blind_spots"]},
    ),
    Route(
        "profile_attachment_upload",
        # A file that fails the checks: the coach is let in (400 with the message) and
        # nothing is written to disk on every run of the matrix.
        expect={**COACH_ONLY, "coach": 400},
        args=lambda w: [w.client.pk],
        method="POST",
        data=lambda w: {
            "kind": "assessment_report",
            "visibility": "coach_only",
            "file": SimpleUploadedFile("h.pdf", b"not a pdf", "application/pdf"),
        },
    ),
    Route(
        "attachment_download",
        expect={**COACH_ONLY, "client": 200, "other_client": 404},
        args=_attachment,
    ),
    Route(
        "attachment_delete",
        expect=COACH_ONLY_POST,
        args=_attachment,
        method="POST",
    ),
    Route(
        "attachment_visibility",
        expect=COACH_ONLY_POST,
        args=_attachment,
        method="POST",
        data=lambda w: {"visibility": "coach_only"},
    ),
    Route("catalog_list", expect={**STAFF_READ, "other_org_admin": 200}),
    Route("catalog_detail", expect=STAFF_READ, args=_catalog),
    Route("catalog_export", expect=STAFF_READ, args=_catalog),
    Route(
        "catalog_theme_add",
        expect={**STAFF_READ, "admin": 302, "coach": 302, "other_coach": 302},
        args=_catalog,
        method="POST",
        data=lambda w: {"name": "Brand New Theme"},
    ),
    Route(
        "catalog_theme_rename",
        expect=ADMIN_WRITE,
        args=_theme,
        method="POST",
        data=lambda w: {"name": "Renamed Theme"},
    ),
    Route("catalog_theme_remove", expect=ADMIN_WRITE, args=_theme, method="POST"),
    Route(
        "catalog_group_add",
        expect=ADMIN_WRITE,
        args=_catalog,
        method="POST",
        data=lambda w: {"name": "New Group"},
    ),
    Route("catalog_new_version", expect=ADMIN_WRITE, args=_catalog, method="POST"),
    Route(
        "catalog_import",
        expect={**ADMIN_WRITE, "other_org_admin": 302},
        method="POST",
        data=_catalog_file,
    ),
]
