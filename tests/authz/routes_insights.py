from tests.authz.matrix import Route

# Counts and rates of the whole organisation: its admins only.
ADMIN_ONLY = {"admin": 200, "other_org_admin": 200}

# A client's progress reads their coaching: their coach only (an admin gets a 404 like on
# the profile); the portal version is the client's own.
COACH_ONLY = {"coach": 200, "other_coach": 404, "admin": 404, "other_org_admin": 404}

ROUTES = [
    Route("client_progress", expect=COACH_ONLY, args=lambda w: [w.client.pk], default=403),
    Route("portal_progress", expect={"client": 200, "other_client": 200}, default=403),
    Route(
        "client_export_csv",
        expect=COACH_ONLY,
        args=lambda w: [w.client.pk, "sessions"],
        default=403,
    ),
    Route("client_export_json", expect=COACH_ONLY, args=lambda w: [w.client.pk], default=403),
    Route("practice_exports", expect={"coach": 200, "other_coach": 200}, default=403),
    Route(
        "practice_export_csv",
        expect={"coach": 200, "other_coach": 200},
        args=lambda w: ["commitments"],
        default=403,
    ),
    Route("practice_export_json", expect={"coach": 200, "other_coach": 200}, default=403),
    # Background exports: any coach may prepare their own practice's files; a prepared file
    # is its coach's alone (another coach gets a 404, as if it did not exist).
    Route(
        "practice_export_start",
        method="POST",
        data=lambda w: {"format": "json"},
        expect={"coach": 302, "other_coach": 302},
        default=403,
    ),
    Route(
        "practice_export_job",
        args=lambda w: [w.extras["export_ready"].pk],
        expect={"coach": 302, "other_coach": 404},
        default=403,
    ),
    Route(
        "practice_export_download",
        args=lambda w: [w.extras["export_ready"].pk],
        expect={"coach": 200, "other_coach": 404},
        default=403,
    ),
    Route(
        "practice_export_retry",
        method="POST",
        args=lambda w: [w.extras["export_failed"].pk],
        expect={"coach": 302, "other_coach": 404},
        default=403,
    ),
    Route("organisation_figures", expect=ADMIN_ONLY, default=403),
    Route("organisation_figures_csv", expect=ADMIN_ONLY, default=403),
]
