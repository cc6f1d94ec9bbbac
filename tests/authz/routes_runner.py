"""The live runner and its summary are coaching material: the session's coach only. Admins
and clients are stopped by the role gate (403), another coach gets 404. The autosave
endpoints take a form body too, which is what these rows send."""

import uuid

from tests.authz.matrix import Route

COACH_ONLY = {"coach": 200, "other_coach": 404}


def _session(world):
    return [world.extras["run_session"].pk]


ROUTES = [
    Route("runner_prepare", args=_session, expect=COACH_ONLY, default=403),
    Route("runner", args=_session, expect=COACH_ONLY, default=403),
    Route(
        "runner_notes",
        method="POST",
        args=_session,
        data=lambda w: {"uuid": str(uuid.uuid4()), "body": "A new note"},
        expect=COACH_ONLY,
        default=403,
    ),
    Route(
        "runner_commitments",
        method="POST",
        args=_session,
        data=lambda w: {
            "uuid": str(w.extras["run_commitment"].uuid),
            "base_version": "1",
            "state": "kept",
        },
        expect=COACH_ONLY,
        default=403,
    ),
    Route(
        "runner_record",
        method="POST",
        args=_session,
        data=lambda w: {"purpose": "I sell to help people decide well."},
        expect=COACH_ONLY,
        default=403,
    ),
    Route(
        "runner_timing",
        method="POST",
        args=_session,
        data=lambda w: {"event": "start"},
        expect=COACH_ONLY,
        default=403,
    ),
    Route(
        "runner_complete",
        method="POST",
        args=_session,
        expect={"coach": 302, "other_coach": 404},
        default=403,
    ),
    Route("runner_summary", args=_session, expect=COACH_ONLY, default=403),
    Route("runner_summary_md", args=_session, expect=COACH_ONLY, default=403),
]
