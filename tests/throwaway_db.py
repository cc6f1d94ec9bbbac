"""A database of its own for a server or worker the test starts as a separate process: on
PostgreSQL when the suite runs there (DATABASE_URL), so those tests cover PostgreSQL too,
otherwise a SQLite file in the test's folder."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


@contextmanager
def throwaway_database(folder: Path):
    """The URL of a database for the server process alone, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not is_postgres(url):
        yield f"sqlite:///{folder / 'server.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"flowcoach_sub_{uuid.uuid4().hex[:12]}"
    # The maintenance database always exists; the URL's own one may not (pytest-django
    # creates test_<name> beside it).
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        # FORCE: a killed server's connections may not be gone yet.
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
