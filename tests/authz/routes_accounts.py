from tests.authz.matrix import LOGIN, Route

# Everyone signed in is in an organisation; pages for admins answer 403 to other roles.
ADMIN_ONLY = {"admin": 200, "other_org_admin": 200}

ROUTES = [
    # A suspended member belongs to no organisation: home says so instead of redirecting.
    Route("home", expect={"anonymous": 302, "suspended_client": 200}, default=302),
    Route("healthz", expect={"anonymous": 200}, default=200),
    Route("favicon", expect={"anonymous": 301}, default=301),
    # An organisation already exists in every matrix world, so the first-run page is gone.
    Route("setup", expect={"anonymous": 404}, default=404),
    Route(
        "organisation_switch",
        method="POST",
        data=lambda w: {"organisation": w.other_org.pk},
        # Members of the other organisation may switch to it; nobody else.
        expect={
            "anonymous": LOGIN,
            "other_org_admin": 302,
            "outsider_coach": 302,
            "outsider_client": 302,
            "suspended_client": 404,
        },
        default=404,
    ),
    Route(
        "invitation_accept",
        args=lambda w: ["not-a-real-token"],
        expect={"anonymous": 410},
        default=410,
    ),
    Route(
        "invitation_revoke",
        method="POST",
        args=lambda w: [w.extras["coach_invitation"].pk],
        expect={"admin": 302, "coach": 404, "other_coach": 404, "other_org_admin": 404},
        default=403,
    ),
    Route(
        "invitation_resend",
        method="POST",
        args=lambda w: [w.extras["coach_invitation"].pk],
        expect={"admin": 302, "coach": 404, "other_coach": 404, "other_org_admin": 404},
        default=403,
    ),
    Route("people", expect=ADMIN_ONLY, default=403),
    Route(
        "membership_toggle",
        method="POST",
        args=lambda w: [w.extras["client_membership"].pk],
        expect={"admin": 302, "other_org_admin": 404},
        default=403,
    ),
    Route("organisation_settings", expect=ADMIN_ONLY, default=403),
    Route("audit_log", expect=ADMIN_ONLY, default=403),
    Route("retention_settings", expect=ADMIN_ONLY, default=403),
    Route(
        "retention_settings",
        method="POST",
        data=lambda w: {"session_notes": "90", "preview": "1"},
        expect=ADMIN_ONLY,
        default=403,
    ),
    Route("personal_settings", expect={"suspended_client": 200}, default=200),
]
