"""Data generations: a token per organisation (and one for everything) that changes whenever
a write to the database is committed, so a copy of a page made under one token is never
served after the data under it changed (accounts/page_cache.py).

Every write is seen, however it is made: a wrapper on each database connection looks at each
statement (the ORM's, `QuerySet.update`, hand-written SQL in lib/rows.py and the outbox alike),
so no model, signal or service has to remember to say "I changed something". A statement that
inserted, updated or deleted rows marks its scope changed:

- the organisation of the signed-in person making the request and that person (`scope`):
  the access policy lets a request write only its own organisation's rows (the authorization
  matrix proves a refused write changes no table), and what is only that person's (their
  calendar feed, their choices) shows on their pages in any organisation, or
- everything, when there is no such organisation (the worker, commands, signing in, a client
  answering a check-in from a signed link), or when the table is one a request may write for
  another organisation (`shared_across_organisations`: people, memberships, invitations).

The token is replaced (not counted up: two processes replacing it at once still leave a new
value) at the first write of a transaction, so the same process never reads its own new data
under the old token, and again when the transaction commits, so a copy another process made
from the old data in between is left behind. A copy is also only ever kept for a minute (the page
cache puts the minute in its key), which bounds any write this cannot see: another machine's
process writing without a shared cache, or a crash between the commit and the second change.

Tables nobody renders are left out, or every request and every idle worker poll would
invalidate every page: Django's sessions, the database cache, and the task queue.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

CACHE_ALIAS = "generations"
EVERYTHING = "all"

# The generations a write made now changes besides everything's: the organisation the request
# acts in and the person making it. Empty outside a request or signed out: everything.
scope: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("data_scope", default=())

IGNORED_TABLES = frozenset(
    {"django_session", "flowcoach_cache", "django_tasks_database_dbtaskresult"}
)
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[`"]?(\w+)', re.IGNORECASE
)


def names_for(organisation_id: int, user_id: int) -> tuple[str, ...]:
    """The generations of a person working in an organisation."""
    return (f"organisation:{organisation_id}", f"person:{user_id}")


def _key(name: str) -> str:
    return f"generation:{name}"


def _token() -> int:
    # Random, not counted: two processes changing one generation at once still leave a new
    # value. Below 2**62 nanoseconds (the year 2116) so any file system stores it as a time.
    return secrets.randbits(62)


class _Files:
    """Generations as the modification times of empty files, one per name, under VAR_DIR:
    every process of the machine sees them, and changing one is one `utime` call (about
    10 µs), where a file cache's write pickles, writes and renames a file (0.3 ms; with
    two names per change it doubled the runner autosave's CPU time)."""

    def __init__(self, folder):
        self.folder = folder

    def _path(self, name: str):
        return self.folder / name.replace(":", "-")

    def read(self, names: list[str]) -> list[int]:
        tokens = []
        for name in names:
            try:
                tokens.append(self._path(name).stat().st_mtime_ns)
            except FileNotFoundError:
                tokens.append(self._make(name))
        return tokens

    def _make(self, name: str) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        try:
            with open(path, "x"):
                pass
        except FileExistsError:
            return path.stat().st_mtime_ns  # another process made it first
        token = _token()
        os.utime(path, ns=(token, token))
        return token

    def change(self, names: tuple[str, ...]) -> None:
        for name in names:
            token = _token()
            try:
                os.utime(self._path(name), ns=(token, token))
            except FileNotFoundError:
                self._make(name)


class _Cache:
    """Generations in a cache every process shares (Redis; memory in tests)."""

    def __init__(self, cache):
        self.cache = cache

    def read(self, names: list[str]) -> list[int]:
        found = self.cache.get_many([_key(name) for name in names])
        tokens = []
        for name in names:
            token = found.get(_key(name))
            if token is None:  # lost or new: made afresh, which only retires older copies
                self.cache.add(_key(name), _token(), timeout=None)
                token = self.cache.get(_key(name)) or 0
            tokens.append(token)
        return tokens

    def change(self, names: tuple[str, ...]) -> None:
        self.cache.set_many({_key(name): _token() for name in names}, timeout=None)


def _store():
    if CACHE_ALIAS in settings.CACHES:
        return _Cache(caches[CACHE_ALIAS])
    return _Files(settings.FLOWCOACH_GENERATIONS_DIR)


def current(names: tuple[str, ...]) -> tuple[int, ...]:
    """The tokens a copy made now belongs to: everything's, then those of `names`."""
    return tuple(_store().read([EVERYTHING, *names]))


def changed(names: tuple[str, ...]) -> None:
    """Leave every copy made under the current tokens of `names` (of everything when
    empty) behind."""
    if not settings.FLOWCOACH_PAGE_CACHE:
        return  # nothing is kept, so there is nothing to retire
    try:
        _store().change(names or (EVERYTHING,))
    except Exception:
        # A write must not fail because the store is unreachable (a full disk, Redis down);
        # a copy it cannot retire is a minute old at most, and unreadable while it is down.
        logger.exception("Could not change the data generations %s", names)


# Tables whose rows a request may write for another organisation than the one it acts in:
# people (a name shows in every organisation they belong to), memberships and invitations (an
# invitation accepted while working elsewhere). Registered by the app that owns them.
_SHARED_TABLES: set[str] = set()


def shared_across_organisations(*tables: str) -> None:
    """Writes to these tables change everything's generation, whoever makes them."""
    _SHARED_TABLES.update(table.lower() for table in tables)


def written_table(sql: str) -> str | None:
    """The table a statement writes to, or None for a read (or anything else)."""
    match = _WRITE.match(sql)
    return match.group(1).lower() if match else None


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    table = written_table(sql)
    if table is None or table in IGNORED_TABLES:
        return result
    if _matched_nothing(sql, context["cursor"]):
        return result
    connection = context["connection"]
    names = () if table in _SHARED_TABLES else scope.get()
    if not _in_transaction(connection):
        changed(names)  # this statement was its own commit
    elif not _pending(connection, names):
        # The first write of the transaction: change now (this process then never reads its
        # own writes under the old token) and again at commit. Later writes of the same
        # transaction need neither: each change is a cache write (two files, or Redis).
        changed(names)
        transaction.on_commit(_Change(names), using=connection.alias)
    return result


def _in_transaction(connection) -> bool:
    """Whether a transaction of the code's own is open. A test case's wrapping blocks do not
    count (Django marks them): they never commit, so a write inside them alone is as final
    as it will get, and the first write of each real transaction inside them still changes
    the generations at once."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _matched_nothing(sql: str, cursor) -> bool:
    """An UPDATE or DELETE that matched no row changed nothing (the worker's idle sweeps).
    Inserts always count, and so does anything with RETURNING: SQLite reports its row count
    only once the returned rows are read, which happens after this."""
    if sql.lstrip()[:6].upper() == "INSERT" or "RETURNING" in sql.upper():
        return False
    return getattr(cursor, "rowcount", -1) == 0


class _Change:
    """The commit-time change, told apart from other commit hooks by its type."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def __call__(self) -> None:
        changed(self.names)


def _pending(connection, names: tuple[str, ...]) -> bool:
    """Whether this transaction already holds a change that commits with this write: one
    registered in this savepoint or an enclosing one (a rolled-back savepoint drops its own
    hooks, so whatever is still listed under the current savepoints commits with us)."""
    current_savepoints = set(connection.savepoint_ids)
    return any(
        isinstance(hook, _Change) and hook.names == names and sids <= current_savepoints
        for sids, hook, _robust in connection.run_on_commit
    )


def _install(sender, connection, **kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install() -> None:
    """Watch every connection from now on (called once, when the apps are ready)."""
    connection_created.connect(_install, dispatch_uid="flowcoach_generations")
    for connection in connections.all(initialized_only=True):
        _install(None, connection)
