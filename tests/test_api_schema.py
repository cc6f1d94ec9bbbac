"""The client API keeps the promises its OpenAPI schema makes. Schemathesis reads the schema
(the very one /api/v1/openapi.json serves, checked below) and calls every operation through
the project's WSGI app as a signed-in client with a completed session, checking each
answer's status, headers and body against it. A few derandomized examples per operation
keep it quick and the same on every run.

The schema is built in-process when this module loads, not fetched by a fixture:
schemathesis's fixture-loaded schemas (`from_fixture`) rename pytest's test items through
an attribute pytest 9.2 no longer has."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from flowcoach.api.v1 import api
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from tests.client_view_helpers import commitment, enrol_and_schedule, note

SCHEMA_PATH = "/api/v1/openapi.json"


@pytest.fixture
def completed(world):
    """A completed session with something shared in it, so the answers have content."""
    session = enrol_and_schedule(world)
    note(session, "You light up when you teach", shared=True, flow_stage="find_out", segment=0)
    runner.purpose_save(session=session, text="I sell to help buyers decide.")
    commitment(session, "Quote a price in every first call")
    runner_clock.session_complete(session=session)
    return session


# The signed-in client's session cookie for the running test (set by `session_cookie`).
SIGNED_IN: dict[str, str] = {}


@pytest.fixture
def session_cookie(world):
    http = world.login(world.client_user)
    SIGNED_IN["cookie"] = http.cookies[settings.SESSION_COOKIE_NAME].value
    yield
    SIGNED_IN.clear()


@pytest.fixture
def wsgi_app(db):
    """The project's WSGI app, in the test's database transaction. Django closes a connection
    it finds inside a transaction when a request starts; its test client stops that for its
    requests, and this fixture does the same, so the app sees the test's data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schema.app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
# Every call schemathesis makes, its own follow-up checks included, goes to the project's app.
schema.app = get_wsgi_application()


@schema.auth(refresh_interval=None, retry_on=[])
class ClientSessionCookie:
    """Signs each call in as the client. Told which part of a request is the sign-in,
    schemathesis also sends calls without it or with a made-up one, and expects a refusal."""

    def get(self, case, context):
        # None while pytest collects the tests, before any test signed in.
        return SIGNED_IN.get("cookie")

    def set(self, case, data, context):
        case.cookies = {**(case.cookies or {}), settings.SESSION_COOKIE_NAME: data}


def test_it_checks_the_schema_the_app_serves(world):
    served = world.login(world.client_user).get(SCHEMA_PATH)
    assert served.status_code == 200
    assert served.json() == schema.raw_schema


@schema.parametrize()
@hypothesis_settings(
    max_examples=8,
    derandomize=True,
    database=None,  # the same examples on every run, none replayed from earlier runs
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_every_operation_as_its_schema_says(case, wsgi_app, session_cookie, completed):
    case.call_and_validate()
    if "pk" in (case.path_parameters or {}):
        # Generated ids are nobody's or another client's (404); the client's own is 200.
        own = case.operation.Case(
            path_parameters={"pk": completed.pk},
            cookies={settings.SESSION_COOKIE_NAME: SIGNED_IN["cookie"]},
        )
        assert own.call_and_validate().status_code == 200
