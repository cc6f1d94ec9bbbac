"""The logs a self-hoster reads: a refused request is one line without a traceback, the
icon browsers ask for exists, and static files stay out of the access log."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.test import Client as HttpClient
from django.urls import reverse

from flowcoach.lib.logs import OneLineForClientErrors


def test_it_logs_a_403_once_and_without_a_traceback(world):
    # The configured console handler, written to a buffer instead of the terminal.
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    try:
        response = world.login(world.client_user).get(reverse("people"))
    finally:
        console.setStream(previous)
    assert response.status_code == 403
    err = buffer.getvalue()
    assert err.count("Forbidden") == 1, err
    assert "Traceback" not in err


def test_it_keeps_the_traceback_of_a_server_error():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", 40, "x", 1, "Error", (), sys.exc_info())
    record.status_code = 500
    OneLineForClientErrors().filter(record)
    assert record.exc_info is not None


def test_it_serves_an_icon_instead_of_404s(db):
    response = HttpClient().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    page = HttpClient().get(reverse("account_login")).content.decode()
    assert 'rel="icon"' in page


def test_it_leaves_static_files_out_of_the_access_log(tmp_path):
    # The real gunicorn, started as scripts/serve.sh starts it.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "access.log"
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "flowcoach.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log)]
        + ["--logger-class", "flowcoach.lib.logs.QuietStaticLogger"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Up to a minute: a loaded machine starts gunicorn slowly.
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for path in ("/static/css/flowcoach.css", "/favicon.ico", "/no-such-page/"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60)
            except urllib.error.HTTPError:
                pass
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text()
    assert "/no-such-page/" in text
    assert "/static/" not in text and "favicon" not in text
