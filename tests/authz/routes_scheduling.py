"""Sessions are coaching material: the client's coach only (admins and clients are stopped
by the role gate, another coach gets 404). The calendar settings page is for anyone who has
sessions (coaches and clients). The feed and the email links need no sign-in: their token
is the secret, so every role gets the same answer."""

from tests.authz.matrix import ROLES, Route

COACH_ONLY = {"coach": 200, "other_coach": 404}
COACH_ONLY_POST = {"coach": 302, "other_coach": 404}
PEOPLE_WITH_SESSIONS = {
    "admin": 403,
    "other_org_admin": 403,
    "coach": 200,
    "other_coach": 200,
    "client": 200,
    "other_client": 200,
}
EVERYONE = dict.fromkeys(ROLES, 200)


def _session(world):
    return [world.extras["session"].pk]


ROUTES = [
    Route("session_detail", args=_session, expect=COACH_ONLY, default=403),
    Route("session_schedule", args=_session, expect=COACH_ONLY, default=403),
    Route(
        "session_schedule",
        label="POST session_schedule",
        method="POST",
        args=_session,
        data=lambda w: {
            "date": w.extras["session"].starts_at.date().isoformat(),
            "time": "16:00",
            "time_zone": "Europe/Paris",
            "duration_minutes": 60,
            "phone": "+44 20 7946 0000",
        },
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route(
        "session_cancel",
        method="POST",
        args=_session,
        data=lambda w: {"reason": "Matrix"},
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route(
        "session_mark",
        method="POST",
        args=_session,
        data=lambda w: {"status": "cancelled_late"},
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route(
        "session_move_to_now",
        method="POST",
        args=_session,
        expect=COACH_ONLY_POST,
        default=403,
    ),
    Route("calendar_settings", expect=PEOPLE_WITH_SESSIONS),
    Route(
        "calendar_regenerate",
        method="POST",
        expect={
            **PEOPLE_WITH_SESSIONS,
            **dict.fromkeys(("coach", "other_coach", "client", "other_client"), 302),
        },
    ),
    Route("calendar_feed", args=lambda w: [w.extras["coach_feed"].token], expect=EVERYONE),
    Route(
        "calendar_feed",
        label="GET calendar_feed (unknown token)",
        args=lambda w: ["not-a-real-token"],
        expect=dict.fromkeys(EVERYONE, 404),
    ),
    Route("session_link_confirm", args=lambda w: [w.extras["link_confirm"]], expect=EVERYONE),
    Route("session_link_reschedule", args=lambda w: [w.extras["link_reschedule"]], expect=EVERYONE),
    Route("session_link_cancel", args=lambda w: [w.extras["link_cancel"]], expect=EVERYONE),
    # Acting on a link needs no sign-in either: whoever holds it passes the request on.
    Route(
        "session_link_confirm",
        method="POST",
        args=lambda w: [w.extras["link_confirm"]],
        expect=EVERYONE,
        writes=ROLES,
    ),
    Route(
        "session_link_cancel",
        method="POST",
        args=lambda w: [w.extras["link_cancel"]],
        data=lambda w: {"message": "Something came up."},
        expect=EVERYONE,
        writes=ROLES,
    ),
    Route(
        "session_link_reschedule",
        method="POST",
        args=lambda w: [w.extras["link_reschedule"]],
        label="POST session_link_reschedule (no times)",
        expect=dict.fromkeys(ROLES, 400),
        writes=(),
    ),
    Route(
        "session_link_confirm",
        label="GET session_link_confirm (tampered)",
        args=lambda w: [w.extras["link_confirm"][:-2] + "xx"],
        expect=dict.fromkeys(EVERYONE, 400),
    ),
    Route("schedule_nudge", expect={"coach": 200, "other_coach": 200}, default=403),
    Route(
        "schedule_nudge",
        label="POST schedule_nudge",
        method="POST",
        data=lambda w: {"weekly_digest": "on"},
        expect={"coach": 302, "other_coach": 302},
        default=403,
    ),
]
