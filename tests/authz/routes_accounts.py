from flowcoach.accounts import services
from tests.authz.matrix import LOGIN, ROLES, Route
from tests.conftest import PASSWORD

# Everyone signed in is in an organisation; pages for admins answer 403 to other roles.
ADMIN_ONLY = {"admin": 200, "other_org_admin": 200}
ADMIN_WRITES = {"admin": 302, "other_org_admin": 302}
# Each admin acts on their own organisation, so another organisation's admin writes too.
ADMINS = ("admin", "other_org_admin", "admin_coach")
SIGNED_IN = tuple(role for role in ROLES if role != "anonymous")


def _accept_token(world):
    return [services.invitation_token(world.extras["coach_invitation"])]


ROUTES = [
    # A suspended member belongs to no organisation: home says so instead of redirecting.
    Route("home", expect={"anonymous": 302, "suspended_client": 200}, default=302),
    Route("healthz", expect={"anonymous": 200}, default=200),
    Route("favicon", expect={"anonymous": 301}, default=301),
    # An organisation already exists in every matrix world, so the first-run page is gone.
    Route("setup", expect={"anonymous": 404}, default=404),
    Route(
        "setup",
        method="POST",
        data=lambda w: {"organisation_name": "Second Start", "email": "second@start.test"},
        expect={"anonymous": 404},
        default=404,
        writes=(),
    ),
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
    # The invitation is for a new person: only someone signed out may take it; anyone signed
    # in is told it is for somebody else, and nothing is written.
    Route(
        "invitation_accept",
        method="POST",
        args=_accept_token,
        data=lambda w: {
            "full_name": "Nina New",
            "time_zone": "Europe/Berlin",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        expect={
            "anonymous": 302,
            **dict.fromkeys(("suspended_client", "outsider_coach", "outsider_client"), 200),
        },
        default=200,
        writes=("anonymous",),
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
        "people",
        method="POST",
        data=lambda w: {"full_name": "Nina New", "email": "nina@new.test", "role": "coach"},
        expect=ADMIN_WRITES,
        default=403,
        writes=ADMINS,
    ),
    Route(
        "membership_toggle",
        method="POST",
        args=lambda w: [w.extras["client_membership"].pk],
        expect={"admin": 302, "other_org_admin": 404},
        default=403,
    ),
    Route("organisation_settings", expect=ADMIN_ONLY, default=403),
    Route(
        "organisation_settings",
        method="POST",
        data=lambda w: {"name": "Renamed Practice", "time_zone": "Europe/Lisbon"},
        expect=ADMIN_WRITES,
        default=403,
        writes=ADMINS,
    ),
    Route("audit_log", expect=ADMIN_ONLY, default=403),
    Route("retention_settings", expect=ADMIN_ONLY, default=403),
    Route(
        "retention_settings",
        method="POST",
        data=lambda w: {"session_notes": "90", "preview": "1"},
        expect=ADMIN_ONLY,
        default=403,
        label="POST retention_settings (preview)",
        writes=(),
    ),
    Route(
        "retention_settings",
        method="POST",
        data=lambda w: {"session_notes": "90", "save": "1"},
        expect=ADMIN_WRITES,
        default=403,
        label="POST retention_settings (save)",
        writes=ADMINS,
    ),
    Route("personal_settings", expect={"suspended_client": 200}, default=200),
    # Everyone signed in changes their own name, even while suspended from an organisation.
    Route(
        "personal_settings",
        method="POST",
        data=lambda w: {"full_name": "Someone Renamed", "time_zone": "Asia/Tokyo"},
        expect={"anonymous": LOGIN, "suspended_client": 302},
        default=302,
        writes=SIGNED_IN,
    ),
]
