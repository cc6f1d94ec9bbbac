"""The client API (/api/v1/): a client's own records, answered in JSON for every role. Not
signed in is 401 (an app cannot follow a redirect to a sign-in page), staff are 403 (a
client's view is the client's alone), and another client's session is 404. Ninja names its
URLs in the `api_v1` namespace. The schema and its docs page are for anyone signed in."""

from tests.authz.matrix import LOGIN, Route

CLIENTS = {"anonymous": 401, "client": 200, "other_client": 200}


def _session(world):
    return [world.extras["run_session"].pk]


ROUTES = [
    Route("api_v1:me", expect=CLIENTS, default=403),
    Route("api_v1:sessions", expect=CLIENTS, default=403),
    Route("api_v1:commitments", expect=CLIENTS, default=403),
    Route(
        "api_v1:session",
        args=_session,
        expect={"anonymous": 401, "client": 200, "other_client": 404},
        default=403,
    ),
    # Read-only: nothing under /api/v1/ accepts a write, whoever asks.
    Route(
        "api_v1:commitments",
        method="POST",
        data=lambda w: {"text": "A new commitment"},
        expect={"anonymous": 405},
        default=405,
        label="POST api_v1:commitments is refused",
    ),
    Route(
        "api_v1:not_found",
        args=lambda w: ["nothing/here/"],
        expect={"anonymous": 404},
        default=404,
    ),
    # Ninja's base path: nothing lives there, so a JSON 404 like any unknown address.
    Route("api_v1:api-root", expect={"anonymous": 404}, default=404),
    Route("api_v1:api-root", method="POST", expect={"anonymous": 404}, default=404, writes=()),
    Route(
        "api_v1:not_found",
        method="POST",
        args=lambda w: ["nothing/here/"],
        expect={"anonymous": 404},
        default=404,
        writes=(),
    ),
    # The schema and the page over it describe the API, not anyone's records: anyone
    # signed in may read them. The schema answers like the API (JSON 401); the page, like
    # every page, sends a stranger to sign in.
    Route("api_v1:openapi-json", expect={"anonymous": 401, "suspended_client": 200}, default=200),
    Route("api_docs", expect={"anonymous": LOGIN, "suspended_client": 200}, default=200),
]
