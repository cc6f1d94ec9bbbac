"""Shared personas and real parts (SMTP server, browser) for the whole suite."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

import pytest
from django.test import Client as HttpClient

from flowcoach.accounts import services as account_services
from flowcoach.accounts.models import Membership, Organisation, Role, User
from flowcoach.clients.models import Client
from tests.support.server_errors import server_errors  # noqa: F401 (an autouse fixture)

PASSWORD = "a-Str0ng-test-passphrase"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; the suite creates hundreds. Security of hashes is
    # Django's own, tested there.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_page_cache(settings):
    # Kept pages and data generations live where every process of an install sees them (files
    # or Redis). The suite's parallel workers are separate installs (each its own database)
    # and each runs in one process, so each keeps them in its own memory: one worker's
    # writes or culling cannot retire another's copies in the middle of a test.
    memory = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
    settings.CACHES = {
        **settings.CACHES,
        "pages": {**memory, "LOCATION": "pages"},
        "generations": {**memory, "LOCATION": "generations"},
    }


@pytest.fixture
def pages_rendered(settings):
    """For tests that count what rendering a page costs: every page is rendered, none served
    from a kept copy (whose own cost, the floor, tests/test_page_cache.py counts)."""
    settings.FLOWCOACH_PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _no_checkin_rhythm(settings):
    # The worker's sweep would otherwise open check-in weeks in any test that runs it on the
    # weekday a default schedule opens; tests of the rhythm turn it back on.
    settings.FLOWCOACH_CHECKIN_RHYTHM = False
    settings.FLOWCOACH_DAILY_JOBS = False


def make_user(email: str, name: str, tz: str = "Europe/London") -> User:
    return account_services.user_create(
        email=email, full_name=name, password=PASSWORD, time_zone=tz
    )


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    admin: User
    other_admin: User
    coach: User
    other_coach: User
    client_user: User
    other_client_user: User
    client: Client
    other_client: Client
    extras: dict = field(default_factory=dict)

    def login(self, user: User | None) -> HttpClient:
        http = HttpClient()
        if user is not None:
            http.force_login(user)
        return http


@pytest.fixture
def world(db) -> World:
    """An admin, two coaches, one client of each, and a second organisation with its admin."""
    org, admin = account_services.organisation_create(
        name="Harbour Practice",
        admin_email="admin@harbour.test",
        admin_full_name="Ada Admin",
        admin_password=PASSWORD,
        time_zone="Europe/London",
    )
    other_org, other_admin = account_services.organisation_create(
        name="Elsewhere Sales",
        admin_email="admin@elsewhere.test",
        admin_full_name="Otto Other",
        admin_password=PASSWORD,
    )
    coach = make_user("coach@harbour.test", "Cora Coach")
    other_coach = make_user("coach2@harbour.test", "Cole Second", "America/New_York")
    client_user = make_user("client@harbour.test", "Cliff Client")
    other_client_user = make_user("client2@harbour.test", "Clara Second")
    for user, role in [
        (coach, Role.COACH),
        (other_coach, Role.COACH),
        (client_user, Role.CLIENT),
        (other_client_user, Role.CLIENT),
    ]:
        Membership.objects.create(user=user, organisation=org, role=role)
    client = Client.objects.create(
        organisation=org,
        coach=coach,
        user=client_user,
        full_name="Cliff Client",
        email="client@harbour.test",
        company="Acme Ltd",
        time_zone="Europe/Paris",
    )
    other_client = Client.objects.create(
        organisation=org,
        coach=other_coach,
        user=other_client_user,
        full_name="Clara Second",
        email="client2@harbour.test",
        company="Bolt Inc",
    )
    return World(
        org=org,
        other_org=other_org,
        admin=admin,
        other_admin=other_admin,
        coach=coach,
        other_coach=other_coach,
        client_user=client_user,
        other_client_user=other_client_user,
        client=client,
        other_client=other_client,
    )


@pytest.fixture
def private_storage(settings, tmp_path):
    """Private storage (uploads, prepared exports) in this test's own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    return tmp_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """Collects what a real SMTP server (aiosmtpd) received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django sends to it for this test."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield mailbox
    finally:
        controller.stop()


CHROMIUM = os.environ.get("FLOWCOACH_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("FLOWCOACH_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests run on a file, as the app does (WAL, immediate transactions, a busy
    timeout), not on a shared in-memory database: there, two connections writing at once fail
    with "table is locked" at once instead of queueing, so simultaneous requests could not be
    tested at all. pytest-xdist workers each get their own file."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("sqlite")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
