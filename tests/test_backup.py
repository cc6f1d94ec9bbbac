"""Backup and restore of a SQLite install, as a self-hoster runs them: real `manage.py`
processes on real database files, the demo's data and private files, and a second process
saving notes while the backup runs. Whatever database the suite itself uses, these installs
are SQLite files of their own (the commands are for SQLite; PostgreSQL has pg_dump)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import time, uuid
from pathlib import Path
from flowcoach.coaching.models import CoachingSession, SessionNote
session = CoachingSession.objects.filter(notes__isnull=False).first()
author = session.notes.first().author
folder = Path({folder!r})
written = 0
while not (folder / "stop").exists():
    SessionNote.objects.create(
        session=session, author=author, uuid=uuid.uuid4(), body=f"saved while backing up {{written}}"
    )
    written += 1
    (folder / "written").write_text(str(written))
    time.sleep(0.005)
"""


def environment(folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'flowcoach.sqlite3'}",
        FLOWCOACH_VAR_DIR=str(folder),
        PRIVATE_MEDIA_ROOT=str(folder / "private"),
    )
    return env


def manage(folder: Path, *args: str, expect_ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if expect_ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def tables_of(path: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: sorted(repr(row) for row in db.execute(f'SELECT * FROM "{name}"'))
            for name in names
        }
    finally:
        db.close()


def files_of(folder: Path) -> dict[str, str]:
    root = folder / "private"
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("original")
    manage(folder, "migrate", "--noinput", "-v0")
    manage(folder, "seed_demo")
    assert files_of(folder), "the demo keeps at least one private file"
    return folder


@pytest.fixture(scope="module")
def archive_while_writing(original, tmp_path_factory) -> tuple[Path, int]:
    """A backup taken while another process saves notes; the number saved before it began."""
    work = tmp_path_factory.mktemp("writer")
    writer = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", WRITER.format(folder=str(work))],
        cwd=ROOT,
        env=environment(original),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (work / "written").exists() or int((work / "written").read_text() or 0) < 20:
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer never got going"
            time.sleep(0.05)
        before = int((work / "written").read_text())
        archive = work / "backup.tar.gz"
        done = manage(original, "backup", str(archive))
        assert "Backed up" in done.stdout
    finally:
        (work / "stop").write_text("")
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    after = int((work / "written").read_text())
    assert after > before, "the writer kept saving during the backup"
    return archive, before


def test_it_restores_a_backup_taken_while_saving_into_an_empty_install(
    original, archive_while_writing, tmp_path
):
    archive, saved_before = archive_while_writing
    done = manage(tmp_path, "restore", str(archive))
    assert "Restored" in done.stdout

    restored = tables_of(tmp_path / "flowcoach.sqlite3")
    source = tables_of(original / "flowcoach.sqlite3")
    with tarfile.open(archive) as opened:
        opened.extract("database.sqlite3", tmp_path / "snapshot", filter="data")
    snapshot = tables_of(tmp_path / "snapshot" / "database.sqlite3")

    # The restored install is the backup's snapshot, table for table, row for row.
    assert restored == snapshot
    # Every table but the one being written equals the original; the notes are the original's
    # up to the moment of the snapshot: none torn, none invented.
    notes = "coaching_sessionnote"
    for name, rows in source.items():
        if name != notes:
            assert restored[name] == rows, name
    assert set(restored[notes]) <= set(source[notes])
    written_in_backup = sum("saved while backing up" in row for row in restored[notes])
    assert written_in_backup >= saved_before
    # …and every private file, byte for byte.
    assert files_of(tmp_path) == files_of(original)
    # The restored install works: the app can read it.
    check = manage(
        tmp_path,
        "shell",
        "-c",
        "from flowcoach.accounts.models import User;print(User.objects.count())",
    )
    assert int(check.stdout.strip().splitlines()[-1]) > 0


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` with its manifest (or a file) changed by `change(name, bytes)`."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            data = change(member.name, data)
            member.size = len(data) if data is not None else 0
            copy.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


def test_it_refuses_a_backup_from_a_newer_version_and_changes_nothing(
    archive_while_writing, tmp_path
):
    archive, _ = archive_while_writing

    def from_the_future(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"].append(["coaching", "9999_from_the_future"])
        return json.dumps(manifest).encode()

    newer = _rewritten(archive, tmp_path / "newer.tar.gz", from_the_future)
    target = tmp_path / "install"
    target.mkdir()
    done = manage(target, "restore", str(newer), expect_ok=False)
    assert done.returncode != 0
    assert "newer version of flowcoach" in done.stderr
    assert "coaching.9999_from_the_future" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (target / "flowcoach.sqlite3").exists() or not tables_of(
        target / "flowcoach.sqlite3"
    ).get("accounts_user")
    assert not (target / "private").exists() or not files_of(target)


def test_it_refuses_a_damaged_file_and_a_full_install_without_replace(
    original, archive_while_writing, tmp_path
):
    archive, _ = archive_while_writing
    before = tables_of(original / "flowcoach.sqlite3")

    # Restoring over an install that has accounts needs --replace.
    done = manage(original, "restore", str(archive), expect_ok=False)
    assert done.returncode != 0 and "already has accounts" in done.stderr
    assert tables_of(original / "flowcoach.sqlite3") == before

    def damaged(name, data):
        return data + b"!" if name.startswith("files/") else data

    broken = _rewritten(archive, tmp_path / "broken.tar.gz", damaged)
    target = tmp_path / "install"
    target.mkdir()
    done = manage(target, "restore", str(broken), expect_ok=False)
    assert done.returncode != 0 and "damaged or missing" in done.stderr
    assert not (target / "private").exists()

    (tmp_path / "not-a-backup.tar.gz").write_bytes(b"hello")
    done = manage(target, "restore", str(tmp_path / "not-a-backup.tar.gz"), expect_ok=False)
    assert done.returncode != 0 and "not a flowcoach backup" in done.stderr


def test_it_points_a_postgresql_install_to_pg_dump(tmp_path):
    env = environment(tmp_path)
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/flowcoach_never_created"
    done = subprocess.run(
        [sys.executable, "manage.py", "backup", str(tmp_path / "x.tar.gz")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "pg_dump" in done.stderr and "docs/operations.md" in done.stderr
    assert not (tmp_path / "x.tar.gz").exists()


def test_it_drops_the_cached_copies_of_sessions_on_restore(archive_while_writing, tmp_path):
    archive, _ = archive_while_writing
    target = tmp_path / "install"
    target.mkdir()
    manage(
        target,
        "shell",
        "-c",
        "from django.core.cache import caches; caches['sessions'].set('before', {'a': 1})",
    )
    cached = target / "cache" / "sessions"
    assert list(cached.glob("*.djcache"))
    manage(target, "restore", str(archive), "--replace")
    assert not list(cached.glob("*.djcache"))
