"""Backup and restore of a SQLite install: the database and the private files, in one archive.

The database is copied with SQLite's online backup API, which reads one consistent snapshot
while the app goes on writing (WAL mode lets writers continue). The files are copied after the
snapshot, so every file a snapshot row points at already exists; a file written in between is
an orphan in the archive, never a missing one. The archive says which migrations its
database had, so a restore can refuse a backup from a newer version instead of handing the
app a schema it does not know.

PostgreSQL installs use `pg_dump`/`pg_restore` (docs/operations.md): they are the right tools
there, and a second, home-made format would only be a worse copy.

This module knows settings and the database connection, and no app."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.utils import timezone

from . import generations

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
FILES = "files"


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a reason fit to show a person."""


@dataclass(frozen=True)
class Summary:
    path: Path
    tables: int
    rows: int
    files: int
    migrations: int


def _sqlite_path() -> Path:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        raise BackupError(
            "This install runs on PostgreSQL: back it up with pg_dump and restore it with "
            "pg_restore, as docs/operations.md describes. The backup command is for SQLite."
        )
    name = str(db["NAME"])
    if name in (":memory:", "") or name.startswith("file:"):
        raise BackupError("This database lives in memory; there is no file to back up.")
    return Path(name)


def _files_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _applied_migrations(db: sqlite3.Connection) -> list[list[str]]:
    try:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    except sqlite3.DatabaseError:
        return []
    return [[app, name] for app, name in rows]


def _counts(db: sqlite3.Connection) -> tuple[int, int]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    rows = sum(db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables)
    return len(tables), rows


def backup(destination: Path) -> Summary:
    """Write one archive at `destination` (written beside it first, then renamed into place,
    so a backup cut short never leaves a file that looks complete)."""
    source_path = _sqlite_path()
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path} yet; run migrate first.")
    destination = destination.expanduser().resolve()
    if destination.is_dir():
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        destination = destination / f"flowcoach-backup-{stamp}.tar.gz"
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    with tempfile.TemporaryDirectory(prefix="flowcoach-backup-") as work:
        snapshot = Path(work) / DATABASE
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(snapshot)
        try:
            # One step (pages=-1): a consistent snapshot under a single read transaction.
            source.backup(target, pages=-1)
        finally:
            source.close()
        try:
            migrations = _applied_migrations(target)
            tables, rows = _counts(target)
        finally:
            target.close()
        root = _files_root()
        files = {}
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    files[path.relative_to(root).as_posix()] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": "sqlite",
            "migrations": migrations,
            "tables": tables,
            "rows": rows,
            "files": files,
        }
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(snapshot, arcname=DATABASE)
            for relative in files:
                archive.add(root / relative, arcname=f"{FILES}/{relative}")
        partial.replace(destination)
    return Summary(destination, tables, rows, len(files), len(migrations))


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, AttributeError, ValueError):
        raise BackupError("This file is not a flowcoach backup (it has no manifest).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This backup was written in a format this version cannot read.")
    if manifest.get("engine") != "sqlite":
        raise BackupError("This backup is not of a SQLite install.")
    return manifest


def unknown_migrations(applied: list[list[str]]) -> list[str]:
    """Migrations the backup's database had that this code does not know: a newer schema."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in applied if (app, name) not in known)


def _install_is_empty(path: Path) -> bool:
    if not path.exists():
        return True
    db = sqlite3.connect(path)
    try:
        has_users = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts_user'"
        ).fetchone()
        return not has_users or not db.execute("SELECT 1 FROM accounts_user LIMIT 1").fetchone()
    finally:
        db.close()


def restore(source: Path, *, replace: bool = False) -> Summary:
    """Put a backup's database and files in place. Everything is checked first (format, schema
    version, every file's checksum); nothing on disk changes until all of it passed."""
    target_path = _sqlite_path()
    source = source.expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"There is no file at {source}.")
    try:
        archive = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError):
        raise BackupError("This file is not a flowcoach backup (it cannot be opened).") from None
    with archive, tempfile.TemporaryDirectory(prefix="flowcoach-restore-") as work:
        manifest = _read_manifest(archive)
        newer = unknown_migrations(manifest.get("migrations") or [])
        if newer:
            shown = ", ".join(newer[:5]) + (" and more" if len(newer) > 5 else "")
            raise BackupError(
                "This backup comes from a newer version of flowcoach: its database has "
                f"changes this version does not know ({shown}). Upgrade flowcoach, then "
                "restore again. Nothing was changed."
            )
        if not replace and not _install_is_empty(target_path):
            raise BackupError(
                "This install already has accounts. Restore into an empty install, or add "
                "--replace to overwrite everything here with the backup. Nothing was changed."
            )
        # The filter refuses absolute paths, links and `..` in member names.
        archive.extractall(work, filter="data")
        snapshot = Path(work) / DATABASE
        if not snapshot.is_file():
            raise BackupError("This backup has no database in it. Nothing was changed.")
        files = manifest.get("files") or {}
        for relative, digest in files.items():
            extracted = Path(work) / FILES / relative
            if not extracted.is_file() or _sha256(extracted) != digest:
                raise BackupError(
                    f"The file {relative} in this backup is damaged or missing. Nothing was "
                    "changed."
                )
        connection.close()
        target_path.parent.mkdir(parents=True, exist_ok=True)
        origin = sqlite3.connect(snapshot)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            # Page by page into the live file, under its write lock: readers see the old
            # database or the new one, never a mix, and the WAL stays consistent.
            origin.backup(target, pages=-1)
            tables, rows = _counts(target)
        finally:
            origin.close()
            target.close()
        root = _files_root()
        if replace and root.is_dir():
            shutil.rmtree(root)
        for relative in files:
            destination = root / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(work) / FILES / relative, destination)
    # Sessions are now the restored database's: drop the cached copies of those from before
    # (settings: SESSION_ENGINE). A copy left behind could only sign in someone whose account
    # and password are the same in the backup, but it should not outlive the restore. Only
    # the file cache is cleared: clearing Redis would empty the whole database it points at.
    sessions = caches[settings.SESSION_CACHE_ALIAS]
    if isinstance(sessions, FileBasedCache):
        sessions.clear()
    # A restore may replace the database's file without a statement the generations see:
    # every kept page is of the data before it.
    generations.changed(())
    return Summary(target_path, tables, rows, len(files), len(manifest.get("migrations") or []))
