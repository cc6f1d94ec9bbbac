from tests.authz.matrix import Route

# Home is per role: a coach's home and the Sessions page for coaches (each sees only their
# own), the overview for admins (counts only). Other roles get 403 from the role gate.
COACHES = {"coach": 200, "other_coach": 200}
ADMINS = {"admin": 200, "other_org_admin": 200}

ROUTES = [
    Route("coach_home", expect=COACHES, default=403),
    # Any coach may post; only their own drafts are approved (another's ids are ignored, as
    # if unseen: tests/test_home.py proves nothing changes).
    Route(
        "home_approve",
        method="POST",
        data=lambda w: {"message": [w.extras["outbox_message"].pk]},
        expect={"coach": 302, "other_coach": 302},
        default=403,
    ),
    Route("admin_home", expect=ADMINS, default=403),
    Route("session_list", expect=COACHES, default=403),
]
