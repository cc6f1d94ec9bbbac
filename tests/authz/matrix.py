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


def _no_args(world) -> list:
    return []


@dataclass
class Route:
    """One request to make as every role.

    name: the URL name; args: builds the URL arguments from the `world` fixture.
    expect: status per role (an int, or LOGIN); roles left out use `default`.
    data: POST body (built from the world) for method POST.
    writes: for a POST, every role whose request must change the database (each other role
    must leave it exactly as it was). Left as None, only the roles refused (a sign-in
    redirect or a status of 400 or more) are checked, and must change nothing.
    """

    name: str
    expect: dict[str, int | str] = field(default_factory=dict)
    default: int | str | None = None
    args: Callable = field(default=_no_args)
    method: str = "GET"
    data: Callable = field(default=lambda world: {})
    label: str = ""
    writes: tuple[str, ...] | None = None

    def expected(self, role: str) -> int | str:
        if role in self.expect:
            return self.expect[role]
        if role in ("outsider_coach", "outsider_client"):
            # Another organisation's coach or client stands where a coach or client here
            # with no tie to the objects stands for pages without objects; every object of
            # this organisation answers them 404 (its existence never shows), except what
            # needs no sign-in, which answers as it does to anyone.
            like = self.expected("other_coach" if role == "outsider_coach" else "other_client")
            owner = "coach" if role == "outsider_coach" else "client"
            # Built-in programs are shared by every organisation; some URLs take arguments
            # that are not objects (a kind of export).
            shared = "builtin" in self.label or self.name.startswith("practice_export")
            if self.args is _no_args or shared or like == self.expected("anonymous"):
                return like
            # A page their role may not use at all is refused first (403).
            if like == 405 or (like == 403 and self.expected(owner) == 403):
                return like
            return 404
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
            return 403 if as_anonymous in (LOGIN, 401) else as_anonymous
        if role == "anonymous":
            return LOGIN
        if self.default is None:
            raise AssertionError(f"{self.name}: no expectation for {role}")
        return self.default

    def must_write(self, role: str) -> bool | None:
        """True: the request must change the database; False: it must change nothing;
        None: not checked (a POST row with no `writes` that lets the role in)."""
        if self.method != "POST":
            return None
        if self.writes is not None:
            return role in self.writes
        expected = self.expected(role)
        if expected == LOGIN or (isinstance(expected, int) and expected >= 400):
            return False
        return None
