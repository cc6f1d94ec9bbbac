"""Query counts measured at two sizes: a page or answer that runs one query per row shows a
different count once the data grows, which a ceiling ("at most 20") can hide."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def assert_same_queries_at_two_sizes(call: Callable[[], object], grow: Callable[[], object]) -> int:
    """Runs call() once to warm sessions and caches, counts its queries, grows the data with
    grow(), and counts again: the two must be equal. Returns the count."""
    call()
    small = queries_of(call)
    grow()
    large = queries_of(call)
    assert small == large, f"{small} queries before the data grew, {large} after: one per row?"
    return small


# What every signed-in request pays before its view: the actor (the user with their
# memberships and organisations, one query; the session comes from the shared cache once
# read): the queries of a signed-in address that has no view (a 404).
# Page counts are written as FLOOR + the page's own, so a cheaper floor moves them all at once.
FLOOR = 1
