from tests.authz.matrix import Route

# A coach sees the messages they own and nobody else's; admins see counts and the approval
# settings, never a message; clients have no outbox.
STAFF = {"admin": 200, "other_org_admin": 200, "coach": 200, "other_coach": 200}
OWNER_ONLY = {"coach": 200, "other_coach": 404}
OWNER_ACTS = {"coach": 302, "other_coach": 404}
ADMINS = {"admin": 200, "other_org_admin": 200}


def message(world):
    return [world.extras["outbox_message"].pk]


ROUTES = [
    Route("outbox", expect=STAFF, default=403),
    Route("outbox_message", args=message, expect=OWNER_ONLY, default=403),
    Route(
        "outbox_message",
        method="POST",
        args=message,
        data=lambda w: {"subject": "Thanks again", "text_body": "Here it is."},
        expect=OWNER_ACTS,
        default=403,
        label="POST outbox_message (edit)",
    ),
    *[
        Route(name, method="POST", args=message, expect=OWNER_ACTS, default=403)
        for name in (
            "outbox_approve",
            "outbox_send_now",
            "outbox_cancel",
            "outbox_retry",
            "outbox_arrived",
            "outbox_resend",
        )
    ],
    Route("outbox_new", expect={"coach": 200, "other_coach": 200}, default=403),
    Route(
        "outbox_new",
        method="POST",
        data=lambda w: {
            "to_name": "Pat Prospect",
            "to_email": "pat@example.test",
            "subject": "Good to meet you",
            "text_body": "Shall we talk next week?",
            "key": "0" * 32,
            "action": "draft",
        },
        expect={"coach": 302, "other_coach": 302},
        default=403,
        label="POST outbox_new",
    ),
    Route("outbox_settings", expect=ADMINS, default=403),
    Route(
        "outbox_settings",
        method="POST",
        data=lambda w: {"auto_approve_kinds": ["reminder"]},
        expect={"admin": 302, "other_org_admin": 302},
        default=403,
        label="POST outbox_settings",
    ),
]
