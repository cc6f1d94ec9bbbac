"""Every URL of ours, for every role: who gets in, who is sent to sign in, who gets 403/404.

A URL pattern without a row in some `tests/authz/routes_*.py` makes this test fail, so a new
page cannot ship without a decision about who may see it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.authz
from flowcoach.accounts import services as account_services
from flowcoach.accounts.models import Membership, Role
from flowcoach.clients.models import Client
from tests.authz.matrix import LOGIN, ROLES, Route
from tests.authz.snapshot import changed_tables, database_rows
from tests.conftest import make_user

# Third-party URL trees we mount but do not own; allauth's pages carry their own tests.
FOREIGN_PREFIXES = ("accounts/",)


def all_routes() -> list[Route]:
    routes = []
    for module in pkgutil.iter_modules(tests.authz.__path__):
        if module.name.startswith("routes_"):
            routes += importlib.import_module(f"tests.authz.{module.name}").ROUTES
    return routes


def our_url_names() -> set[str]:
    names = set()

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                # A namespaced tree (django-ninja's API) is covered by qualified names, as
                # `reverse` takes them: "api_v1:me".
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and not route.startswith(FOREIGN_PREFIXES):
                assert pattern.name, f"URL {route!r} has no name, so the matrix cannot cover it"
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_it_has_a_row_for_every_url_we_serve():
    covered = {route.name for route in all_routes()}
    missing = our_url_names() - covered
    assert not missing, f"URLs with no row in the authorization matrix: {sorted(missing)}"


# Who tries a POST on a URL that has only GET rows: the first role the row lets in.
PROBE_ORDER = ("coach", "admin", "client", "anonymous", *ROLES)


def urls_taking_post_without_a_row(world, routes: list[Route]) -> list[str]:
    """URL names that answer a POST with anything but 405 and have no POST row.

    Reading the views cannot be trusted (a function view reads request.POST, a form posts to
    its own page), so each URL is asked: a POST from someone the GET row lets in, with an
    empty body. 405 means the view refuses POST; any other answer means it takes POST, and
    then who may write there must be decided in a POST row."""
    with_post_row = {route.name for route in routes if route.method == "POST"}
    found = set()
    for route in routes:
        if route.method != "GET" or route.name in with_post_row or route.name in found:
            continue
        role = next(
            (
                r
                for r in PROBE_ORDER
                if isinstance(route.expected(r), int) and route.expected(r) < 400
            ),
            "coach",
        )
        response = world.login(actor_for(world, role)).post(
            reverse(route.name, args=route.args(world)), {}
        )
        if response.status_code != 405:
            found.add(route.name)
    return sorted(found)


def test_it_has_a_post_row_for_every_url_that_takes_a_post(matrix_world):
    missing = urls_taking_post_without_a_row(matrix_world, all_routes())
    assert not missing, f"URLs that take a POST but have no POST row in the matrix: {missing}"


def test_it_reports_a_url_whose_post_row_is_missing(matrix_world):
    # The check above must be able to fail: without the row that invites a coach, the
    # people page still takes a POST, and is reported.
    routes = [r for r in all_routes() if not (r.name == "people" and r.method == "POST")]
    assert urls_taking_post_without_a_row(matrix_world, routes) == ["people"]


def assert_protective_headers(response, *, signed_in: bool) -> None:
    """Every answer carries the Content-Security-Policy (no inline script), and none given to
    a signed-in person may be stored by a browser or proxy (issue #11, finding 8)."""
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy, policy
    if signed_in:
        assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")


def actor_for(world, role: str):
    return {
        "anonymous": None,
        "admin": world.admin,
        "other_org_admin": world.other_admin,
        "coach": world.coach,
        "other_coach": world.other_coach,
        "client": world.client_user,
        "other_client": world.other_client_user,
        **world.extras["matrix_people"],
    }[role]


@pytest.fixture
def matrix_world(world):
    """The shared world plus the extra objects some routes act upon."""
    return build_extras(world)


def add_matrix_people(world) -> None:
    """The roles an attacker's probe added: a suspended client, an admin who also coaches, and
    a coach and a client of another organisation."""
    suspended = make_user("suspended@harbour.test", "Sid Suspended")
    Membership.objects.create(
        user=suspended, organisation=world.org, role=Role.CLIENT, is_active=False
    )
    Client.objects.create(
        organisation=world.org,
        coach=world.coach,
        user=suspended,
        full_name="Sid Suspended",
        email="suspended@harbour.test",
    )
    admin_coach = make_user("boss@harbour.test", "Bea Boss")
    for role in (Role.ADMIN, Role.COACH):
        Membership.objects.create(user=admin_coach, organisation=world.org, role=role)
    outsider_coach = make_user("coach@elsewhere.test", "Oren Outside")
    Membership.objects.create(user=outsider_coach, organisation=world.other_org, role=Role.COACH)
    outsider_client = make_user("client@elsewhere.test", "Olga Outside")
    Membership.objects.create(user=outsider_client, organisation=world.other_org, role=Role.CLIENT)
    Client.objects.create(
        organisation=world.other_org,
        coach=outsider_coach,
        user=outsider_client,
        full_name="Olga Outside",
        email="client@elsewhere.test",
    )
    world.extras["matrix_people"] = {
        "suspended_client": suspended,
        "admin_coach": admin_coach,
        "outsider_coach": outsider_coach,
        "outsider_client": outsider_client,
    }


def build_extras(world):
    add_matrix_people(world)
    world.extras["coach_invitation"] = account_services.invitation_create(
        organisation=world.org,
        invited_by=world.admin,
        email="new.coach@harbour.test",
        role=Role.COACH,
    )
    world.extras["client_membership"] = Membership.objects.get(
        user=world.other_client_user, organisation=world.org, role=Role.CLIENT
    )
    # Each app adds the objects its routes act upon in tests/authz/fixtures_<app>.py.
    for module in pkgutil.iter_modules(tests.authz.__path__):
        if module.name.startswith("fixtures_"):
            importlib.import_module(f"tests.authz.{module.name}").add_extras(world)
    return world


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", all_routes(), ids=lambda r: r.label or f"{r.method} {r.name}")
def test_it_answers_each_role_as_the_matrix_says(matrix_world, route: Route, role: str):
    world = matrix_world
    http = world.login(actor_for(world, role))
    url = reverse(route.name, args=route.args(world))
    must_write = route.must_write(role)
    before = database_rows() if must_write is not None else None
    if route.method == "POST":
        response = http.post(url, route.data(world))
    else:
        response = http.get(url)
    expected = route.expected(role)
    assert_protective_headers(response, signed_in=role != "anonymous")
    if expected == LOGIN:
        assert response.status_code == 302, f"{role} {route.method} {url}: {response.status_code}"
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, (
            f"{role} {route.method} {url}: got {response.status_code}, expected {expected}"
        )
    if must_write is not None:
        changed = changed_tables(before, database_rows())
        if must_write:
            assert changed, f"{role} {route.method} {url}: the database did not change"
        else:
            assert not changed, f"{role} {route.method} {url}: refused, yet changed {changed}"
