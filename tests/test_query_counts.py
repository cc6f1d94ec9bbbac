"""The two-size query check (tests/query_counts.py) against a deliberately broken copy: a
list that runs one query per row must fail it, the same list done right must pass."""

from __future__ import annotations

import pytest

from flowcoach.clients.models import Client
from tests.query_counts import assert_same_queries_at_two_sizes


def _add(world, count: int):
    def grow() -> None:
        for n in range(count):
            Client.objects.create(
                organisation=world.org, coach=world.coach, full_name=f"N{n}", email=f"n{n}@q.test"
            )

    return grow


def test_it_catches_a_query_per_row(world):
    def broken() -> list[str]:
        return [client.coach.email for client in Client.objects.all()]  # one query per client

    with pytest.raises(AssertionError, match="one per row"):
        assert_same_queries_at_two_sizes(broken, _add(world, 5))


def test_it_passes_a_list_built_in_fixed_queries(world):
    def fixed() -> list[str]:
        return [client.coach.email for client in Client.objects.select_related("coach")]

    assert assert_same_queries_at_two_sizes(fixed, _add(world, 5)) == 1
