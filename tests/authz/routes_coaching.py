from tests.authz.matrix import Route

# Engagements are coaching material: the client's coach only; other roles of the same
# organisation get 403 from the role gate (not coaches) or 404 (a coach of other clients).
COACH_ONLY = {"coach": 200, "other_coach": 404}

ROUTES = [
    Route("engagement_enrol", args=lambda w: [w.client.pk], expect=COACH_ONLY, default=403),
    Route(
        "engagement_enrol",
        method="POST",
        args=lambda w: [w.client.pk],
        data=lambda w: {
            "program": w.extras["org_program"].pk,
            "cadence": "none",
            "first_session": "",
            "time_zone": "UTC",
        },
        expect={"coach": 302, "other_coach": 404},
        default=403,
        writes=("coach",),
    ),
    Route(
        "engagement_detail",
        args=lambda w: [w.extras["engagement"].pk],
        expect=COACH_ONLY,
        default=403,
    ),
    Route(
        "engagement_stop",
        method="POST",
        args=lambda w: [w.extras["engagement"].pk],
        expect={"coach": 302, "other_coach": 404},
        default=403,
    ),
]
