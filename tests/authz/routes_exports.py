"""Downloads. The summary PDF is the coach's copy (coach-only notes included): the session's
coach alone. "Download my records" is each client's own, from the portal."""

from tests.authz.matrix import Route

ROUTES = [
    Route(
        "runner_summary_pdf",
        args=lambda w: [w.extras["run_session"].pk],
        expect={"coach": 200, "other_coach": 404},
        default=403,
    ),
    Route("portal_my_records", expect={"client": 200, "other_client": 200}, default=403),
]
