"""The client API (/api/v1/): a client's own records, answered in JSON for every role. Not
signed in is 401 (an app cannot follow a redirect to a sign-in page), staff are 403 (a
client's view is the client's alone), and another client's session is 404."""

from tests.authz.matrix import Route

CLIENTS = {"anonymous": 401, "client": 200, "other_client": 200}


def _session(world):
    return [world.extras["run_session"].pk]


ROUTES = [
    Route("api_v1_me", expect=CLIENTS, default=403),
    Route("api_v1_sessions", expect=CLIENTS, default=403),
    Route("api_v1_commitments", expect=CLIENTS, default=403),
    Route(
        "api_v1_session",
        args=_session,
        expect={"anonymous": 401, "client": 200, "other_client": 404},
        default=403,
    ),
    # Read-only: nothing under /api/v1/ accepts a write, whoever asks.
    Route(
        "api_v1_commitments",
        method="POST",
        data=lambda w: {"text": "A new commitment"},
        expect={"anonymous": 405},
        default=405,
        label="POST api_v1_commitments is refused",
    ),
    Route(
        "api_v1_not_found",
        args=lambda w: ["nothing/here/"],
        expect={"anonymous": 404},
        default=404,
    ),
]
