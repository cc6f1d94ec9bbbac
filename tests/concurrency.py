"""Simultaneous requests, each on its own thread and so its own database connection, as
separate workers would send them. Used with `transactional_db`: the rows the threads write
must be committed for the others to see them."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def simultaneous(count: int, send: Callable[[int], object]) -> list[object]:
    """Runs send(0..count-1) at once; returns the answers, or the exception a thread raised."""
    barrier = threading.Barrier(count)
    answers: list[object] = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[n] = send(n)
        except Exception as error:  # reported to the test, which fails on it
            answers[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers
