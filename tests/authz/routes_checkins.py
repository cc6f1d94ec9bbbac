"""Check-ins. The emailed link needs no sign-in (its token is the secret) but refuses anyone
signed in as another person (403). Unsubscribe needs no sign-in and takes a mail client's
POST. The portal's check-in and commitment pages are the client's own (another client gets
404, other roles 403). The schedule and history are the engagement's coach's (another coach
404); an admin sees counts only, on the overview."""

import uuid

from tests.authz.matrix import LOGIN, ROLES, Route

EVERYONE = dict.fromkeys(ROLES, 200)
LINK_HOLDER = {**dict.fromkeys(ROLES, 403), "anonymous": 200, "client": 200}
LINK_HOLDER_POST = {**dict.fromkeys(ROLES, 403), "anonymous": 302, "client": 302}
OWN_CLIENT = {"client": 200, "other_client": 404}
OWN_CLIENT_POST = {"client": 302, "other_client": 404}
ANY_CLIENT = {"client": 200, "other_client": 200}
ANSWERS = {"more": "Matrix more", "energy": "5"}


def _token(world):
    return [world.extras["checkin_token"]]


def _week(world):
    return [world.extras["checkin"].pk]


def _commitment(world):
    return [world.extras["checkin_commitment"].uuid]


def _update(world):
    prefix = f"u-{world.extras['checkin_commitment'].uuid}"
    return {f"{prefix}-form_id": str(uuid.uuid4()), f"{prefix}-state": "kept"}


def _log(world):
    prefix = f"p-{world.extras['checkin_commitment'].uuid}"
    return {
        f"{prefix}-form_id": str(uuid.uuid4()),
        f"{prefix}-day": "2026-01-05",
        f"{prefix}-text": "Matrix progress",
    }


ROUTES = [
    Route("checkin_answer_link", args=_token, expect=LINK_HOLDER),
    Route(
        "checkin_answer_link",
        label="POST checkin_answer_link",
        method="POST",
        args=_token,
        data=lambda w: ANSWERS,
        expect=LINK_HOLDER_POST,
    ),
    Route(
        "checkin_answer_link",
        label="POST checkin_answer_link (tampered)",
        method="POST",
        args=lambda w: [w.extras["checkin_token"][:-2] + "xx"],
        data=lambda w: ANSWERS,
        expect=dict.fromkeys(ROLES, 400),
    ),
    Route("checkin_unsubscribe", args=lambda w: [w.extras["unsubscribe_token"]], expect=EVERYONE),
    Route(
        "checkin_unsubscribe",
        label="POST checkin_unsubscribe",
        method="POST",
        args=lambda w: [w.extras["unsubscribe_token"]],
        data=lambda w: {"List-Unsubscribe": "One-Click"},
        expect=EVERYONE,
    ),
    Route(
        "checkin_unsubscribe",
        label="POST checkin_unsubscribe (tampered)",
        method="POST",
        args=lambda w: [w.extras["unsubscribe_token"][:-2] + "xx"],
        expect=dict.fromkeys(ROLES, 400),
    ),
    Route(
        "checkin_overview",
        expect={"admin": 200, "other_org_admin": 200, "anonymous": LOGIN},
        default=403,
    ),
    Route("portal_checkin", args=_week, expect=OWN_CLIENT, default=403),
    Route(
        "portal_checkin",
        label="POST portal_checkin",
        method="POST",
        args=_week,
        data=lambda w: ANSWERS,
        expect=OWN_CLIENT_POST,
        default=403,
    ),
    Route("portal_commitments", expect=ANY_CLIENT, default=403),
    Route(
        "portal_commitment_update",
        method="POST",
        args=_commitment,
        data=_update,
        expect=OWN_CLIENT_POST,
        default=403,
    ),
    Route(
        "portal_progress_log",
        method="POST",
        args=_commitment,
        data=_log,
        expect=OWN_CLIENT_POST,
        default=403,
    ),
    Route("checkin_preferences", expect=ANY_CLIENT, default=403),
    Route(
        "checkin_preferences",
        label="POST checkin_preferences",
        method="POST",
        data=lambda w: {"checkin_reminders": "on"},
        expect={"client": 302, "other_client": 302},
        default=403,
    ),
    Route(
        "engagement_checkins",
        args=lambda w: [w.extras["engagement"].pk],
        expect={"coach": 200, "other_coach": 404},
        default=403,
    ),
    Route(
        "engagement_checkins",
        label="POST engagement_checkins",
        method="POST",
        args=lambda w: [w.extras["engagement"].pk],
        data=lambda w: {"enabled": "on", "weekday": "2", "local_time": "09:30"},
        expect={"coach": 302, "other_coach": 404},
        default=403,
    ),
]
