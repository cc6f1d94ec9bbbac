from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from flowcoach.clients import csv_import
from tests.authz.matrix import Route

STAFF_ONLY = {"admin": 200, "other_org_admin": 200, "coach": 200, "other_coach": 200}
# world.client's record: their coach and the organisation's admin manage it; another coach
# and another organisation's admin must not learn it exists; clients cannot use staff pages.
CLIENT_RECORD = {"other_org_admin": 404, "other_coach": 404, "client": 403, "other_client": 403}


def own(world):
    return [world.client.pk]


def doomed(world):
    return [world.extras["doomed_client"].pk]


IMPORT_CSV = b"full_name,email\nIvy Imported,ivy@imported.test\n"


def _import_file(world):
    return {"file": SimpleUploadedFile("clients.csv", IMPORT_CSV, "text/csv")}


def _import_confirmation(world):
    """The signed preview world.coach was shown: only they may confirm it; it means nothing
    to anyone else (the signature names the person and the organisation)."""
    rows = csv_import.read_rows(IMPORT_CSV)
    actor = SimpleNamespace(user=world.coach, organisation=world.org)
    return {"payload": csv_import.sign(rows, default_coach_id=None, actor=actor)}


ROUTES = [
    Route("client_list", expect=STAFF_ONLY, default=403),
    Route("client_create", expect=STAFF_ONLY, default=403),
    Route(
        "client_create",
        method="POST",
        label="POST client_create (invalid)",
        expect=STAFF_ONLY,
        default=403,
    ),
    Route("client_import", expect=STAFF_ONLY, default=403),
    # The upload only previews: nobody's request writes anything yet.
    Route(
        "client_import",
        method="POST",
        data=_import_file,
        label="POST client_import (preview)",
        expect=STAFF_ONLY,
        default=403,
        writes=(),
    ),
    Route(
        "client_import",
        method="POST",
        data=_import_confirmation,
        label="POST client_import (confirm)",
        expect={**STAFF_ONLY, "coach": 302},
        default=403,
        writes=("coach",),
    ),
    Route("client_import_example", expect=STAFF_ONLY, default=403),
    Route("client_detail", args=own, expect={"admin": 200, "coach": 200, **CLIENT_RECORD}),
    Route("client_edit", args=own, expect={"admin": 200, "coach": 200, **CLIENT_RECORD}),
    Route(
        "client_edit",
        args=own,
        method="POST",
        data=lambda w: {
            "full_name": "Cliff Renamed",
            "email": "client@harbour.test",
            "time_zone": "Europe/Paris",
        },
        label="POST client_edit",
        expect={"admin": 302, "coach": 302, **CLIENT_RECORD},
        writes=("admin", "coach", "admin_coach"),
    ),
    Route(
        "client_archive",
        args=own,
        method="POST",
        expect={"admin": 302, "coach": 302, **CLIENT_RECORD},
    ),
    Route(
        "client_restore",
        args=own,
        method="POST",
        expect={"admin": 302, "coach": 302, **CLIENT_RECORD},
    ),
    Route(
        "client_invite",
        args=own,
        method="POST",
        expect={"admin": 302, "coach": 302, **CLIENT_RECORD},
    ),
    # Choosing a client's coach is the admin's alone: for coaches the page does not exist.
    Route("client_reassign", args=own, expect={"admin": 200, "coach": 404, **CLIENT_RECORD}),
    Route(
        "client_reassign",
        args=own,
        method="POST",
        data=lambda world: {"coach": world.other_coach.pk},
        label="POST client_reassign",
        expect={"admin": 302, "coach": 404, **CLIENT_RECORD},
    ),
    Route("client_delete", args=doomed, expect={"admin": 200, "coach": 200, **CLIENT_RECORD}),
    Route(
        "client_delete",
        args=doomed,
        method="POST",
        data=lambda world: {"confirm_name": world.extras["doomed_client"].full_name},
        label="POST client_delete",
        expect={"admin": 302, "coach": 302, **CLIENT_RECORD},
    ),
    Route("portal", expect={"client": 200, "other_client": 200}, default=403),
]
