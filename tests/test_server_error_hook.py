"""The suite-wide hook in tests/conftest.py: a server error logged in any test fails it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client as HttpClient

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.urls("tests.support.failing_urls")
@pytest.mark.parametrize("path", ["/broken/", "/unavailable/"])
def test_it_records_every_server_error_a_test_causes(db, server_errors, path):
    response = HttpClient(raise_request_exception=False).get(path)
    assert response.status_code in {500, 503}
    # Caught: without the next line, the hook would fail this test at teardown.
    assert len(server_errors.records) == 1
    server_errors.records.clear()


def test_it_fails_a_test_that_leaves_an_error_behind(pytester, monkeypatch):
    """Run in a separate pytest: a test that gets a 500 but asserts nothing about it fails."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("from tests.support.server_errors import server_errors  # noqa: F401\n")
    pytester.makepyfile(
        test_inner="""
import logging

def test_it_ignores_the_answer():
    logging.getLogger("django.request").error("Internal Server Error: /x/")
"""
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:django", "-p", "no:xdist", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*The server logged errors during this test*"])
