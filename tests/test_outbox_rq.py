"""The Redis task backend: FLOWCOACH_TASKS_BACKEND=rq, a real Redis and a real rq worker.

The install runs in a temporary folder (file-based SQLite) with the rq backend switched on;
`manage.py outbox_worker --batch` runs django-rq's worker in burst mode, with its scheduler
for messages approved ahead of their send time."""

from __future__ import annotations

import os
import sys
import time

import pytest

from tests.conftest import free_port
from tests.test_outbox_crash import Site, SlowMailbox, database_url  # noqa: F401 (fixtures)

REDIS = os.environ.get("FLOWCOACH_TEST_REDIS", "redis://127.0.0.1:6379")
LOCK = "flowcoach:outbox-test-lock"

SEED = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from datetime import timedelta
from django.utils import timezone
from flowcoach.accounts.models import Organisation
from flowcoach.outbox import services
org = Organisation.objects.create(name="Redis Practice", slug="redis", sending_email="hello@redis.test")
now = timezone.now()
for key, send_after in [("rq:now", now - timedelta(seconds=1)), ("rq:soon", now + timedelta(seconds=2))]:
    message = services.message_draft(
        organisation=org, key=key, kind="reminder", to_email="client@redis.test",
        subject=key, text_body="Sent through Redis.", send_after=send_after,
    )
    services.message_approve(message=message, user=None)
"""


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url():
    """A Redis database of our own: parallel runs (CI's SQLite and PostgreSQL jobs) would
    otherwise take each other's jobs from the shared "default" queue."""
    import redis

    if not redis_reachable():
        message = f"Redis is not reachable at {REDIS}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must test the Redis task backend.")
        sys.stderr.write(f"\n\n*** RQ BACKEND TEST SKIPPED: {message}. ***\n\n")
        pytest.skip(message)
    for number in range(15, 7, -1):
        url = f"{REDIS.rstrip('/')}/{number}"
        client = redis.Redis.from_url(url)
        if client.set(LOCK, "1", nx=True, ex=300):
            try:
                yield url
            finally:
                client.delete(LOCK)
            return
    pytest.fail("Redis databases 8 to 15 are all in use by other test runs.")


@pytest.fixture
def mailbox():
    from aiosmtpd.controller import Controller

    box = SlowMailbox(delay=0)
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def test_it_delivers_through_redis_with_a_real_rq_worker(
    tmp_path,
    redis_url,
    mailbox,
    database_url,  # noqa: F811 (a fixture)
):
    site = Site(
        tmp_path, mailbox.port, database_url, FLOWCOACH_TASKS_BACKEND="rq", REDIS_URL=redis_url
    )
    site.manage("shell", "-c", SEED)
    # The scheduled one waits in rq's scheduled registry until its time.
    time.sleep(2.5)
    site.manage("outbox_worker", "--batch", timeout=60)

    states = site.states()
    assert set(states.values()) == {"sent"}, states
    assert sorted(mailbox.message_ids) == sorted(states)
    # Nothing went through the database queue: the tasks travelled through Redis.
    assert site.query("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult") == [(0,)]
