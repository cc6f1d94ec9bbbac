"""Every server error logged during a test fails it (issue #11). Plain Python, no Django
import, so tests/test_server_error_hook.py can load it into a separate pytest run."""

from __future__ import annotations

import logging

import pytest


class ServerErrors(logging.Handler):
    """Collects what Django logs at ERROR on `django.request`: every unhandled exception and
    every 5xx answer, from the test client and from the live server's thread alike."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def server_errors(request):
    """Any server error logged during a test fails it, even when the test never looked at
    the status code, so a new unhandled input cannot pass unnoticed. A test that means to
    provoke one clears `server_errors.records` after checking it."""
    handler = ServerErrors()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    if handler.records:
        pytest.fail(
            "The server logged errors during this test:\n"
            + "\n".join(
                f"{r.getMessage()} ({r.exc_info[1]!r})" if r.exc_info else r.getMessage()
                for r in handler.records
            ),
            pytrace=False,
        )
