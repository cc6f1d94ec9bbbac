"""The authorization matrix's vocabulary. Each app's routes live in `routes_<app>.py`
beside this file as a list named ROUTES; `test_authorization_matrix.py` walks them all for
every role and fails when a URL pattern of ours has no row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "admin",
    "other_org_admin",  # an admin of another organisation
    "coach",  # the coach of world.client
    "other_coach",  # a coach in the same organisation who does not coach world.client
    "client",  # world.client's own sign-in
    "other_client",  # another coach's client (world.other_client)
    # Added after an attacker's probe (issue #11). Unless a route says otherwise, each
    # expects what the role it resembles gets (see Route.expected):
    "suspended_client",  # a client of the organisation whose membership is suspended
    "admin_coach",  # an admin who also coaches (nobody the routes act upon)
    "outsider_coach",  # a coach of another organisation
    "outsider_client",  # a client of another organisation
)

LOGIN = "login"  # expected: redirected to the sign-in page


@dataclass
class Route:
    """One request to make as every role.

    name: the URL name; args: builds the URL arguments from the `world` fixture.
    expect: status per role (an int, or LOGIN); roles left out use `default`.
    data: POST body (built from the world) for method POST.
    """

    name: str
    expect: dict[str, int | str] = field(default_factory=dict)
    default: int | str | None = None
    args: Callable = field(default=lambda world: [])
    method: str = "GET"
    data: Callable = field(default=lambda world: {})
    label: str = ""

    def expected(self, role: str) -> int | str:
        if role in self.expect:
            return self.expect[role]
        if role == "outsider_coach":
            # Another organisation's coach has the same standing as a coach here who does
            # not coach the client: their own pages, nobody else's objects.
            return self.expected("other_coach")
        if role == "outsider_client":
            return self.expected("other_client")
        if role == "admin_coach":
            # Whatever the admin may do, plus the pages of a coach with no clients here.
            as_admin = self.expected("admin")
            if isinstance(as_admin, int) and as_admin < 400:
                return as_admin
            return self.expected("other_coach")
        if role == "suspended_client":
            # Signed in, but a member of no organisation: pages of a role are refused;
            # what needs no sign-in answers as it does to anyone.
            as_anonymous = self.expected("anonymous")
            return 403 if as_anonymous == LOGIN else as_anonymous
        if role == "anonymous":
            return LOGIN
        if self.default is None:
            raise AssertionError(f"{self.name}: no expectation for {role}")
        return self.default
