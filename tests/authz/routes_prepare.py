"""Preparation writes. The coach's ticks and the topic are coaching material: the session's
coach only (the role gate stops admins and clients with 403, another coach gets 404). The
client's checklist is the client's own: only they tick it (404 for another client, 403 for
every other role); the coach reads it on the preparation view."""

from tests.authz.matrix import Route


def _session(world):
    return [world.extras["prep_session"].pk]


ROUTES = [
    Route(
        "runner_prepare_ticks",
        method="POST",
        args=_session,
        data=lambda w: {"done": ["0"]},
        expect={"coach": 302, "other_coach": 404},
        default=403,
    ),
    Route(
        "session_topic",
        method="POST",
        args=_session,
        data=lambda w: {"topic": "__other__", "other": "Matrix topic"},
        expect={"coach": 302, "other_coach": 404},
        default=403,
    ),
    Route(
        "portal_preparation",
        method="POST",
        args=_session,
        data=lambda w: {"done": ["0"]},
        expect={"client": 302, "other_client": 404},
        default=403,
    ),
]
