"""Load benchmark: the server's own ceiling, then the pages people use, in one run.

    apt-get install wrk                                        # once (Debian's package)
    .venv/bin/python bench/load.py                             # a mid-size practice, SQLite
    .venv/bin/python bench/load.py --large                     # 200 coaches, 10,000 clients
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flowcoach_bench .venv/bin/python bench/load.py

What it does:

1. makes a throwaway install in a temporary folder (file-based SQLite, or the PostgreSQL
   database named by DATABASE_URL: use one you can throw away), migrates it and seeds the
   large practice (`seed_large`) and the demo (`seed_demo`);
2. signs a coach and a client in with real Django sessions (the coach with the most
   history, the client with a portal);
3. starts gunicorn with the production profile (`DEBUG` off, 2 sync workers) and
   `FLOWCOACH_BENCH_CEILING=1`, which answers `/__ceiling__` in the WSGI entry point itself:
   no middleware, no database, no template. That is the **ceiling**: what this server can
   answer at all on this machine at this moment;
4. runs wrk against the ceiling and each path for `--seconds` with `--connections`, and
   reports requests per second, p50 and p99, and each path's ratio to the ceiling, as a
   Markdown table for `bench/README.md`. Any answer other than 200 is counted and reported:
   a fast error page is not a fast page. A page served from a kept copy (accounts/
   page_cache.py, asked twice to find out) is measured twice: as wrk asks for it (the
   same person reloading it, so the kept copy), and rendered afresh on every request
   (`Cache-Control: no-cache`, what a hard reload sends).

Run it on a quiet machine: the ratios hold up under some load, the absolute figures do not.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIGN_IN = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.middleware.csrf import _get_new_csrf_string
from flowcoach.accounts.models import User
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession

store = import_module(settings.SESSION_ENGINE).SessionStore

def session_for(user):
    s = store()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.save()
    return s.session_key

coach = User.objects.get(email="coach0@large.test")
client = Client.objects.filter(coach=coach, user__isnull=False).order_by("pk").first()
held = CoachingSession.objects.filter(engagement__coach=coach, status="held").order_by("-starts_at").first()
coming = CoachingSession.objects.filter(engagement__coach=coach, status="scheduled").order_by("starts_at").first()
print(json.dumps({
    "coach": session_for(coach),
    "client": session_for(client.user),
    "client_id": client.pk,
    "held": held.pk,
    "coming": coming.pk,
}))
"""

# (label, path, who) — `{held}`, `{coming}` and `{client_id}` are filled in.
PATHS = [
    ("ceiling", "/__ceiling__", None),
    ("healthz", "/healthz", "coach"),
    ("home", "/", "coach"),
    ("client list, search", "/clients/?q=Chen", "coach"),
    ("client page", "/clients/{client_id}/", "coach"),
    ("motivation profile", "/clients/{client_id}/profile/", "coach"),
    ("client progress", "/clients/{client_id}/progress/", "coach"),
    ("preparation", "/sessions/{coming}/prepare/", "coach"),
    ("runner page", "/sessions/{coming}/run/", "coach"),
    ("summary", "/sessions/{held}/summary/", "coach"),
    ("outbox", "/outbox/", "coach"),
    ("portal", "/portal/", "client"),
    ("client API: sessions", "/api/v1/sessions/", "client"),
]
# Last, so the notes it adds do not change the runner page measured above.
AUTOSAVE = ("runner autosave, new note (POST)", "/sessions/{coming}/run/notes/", "coach")
HIT_HEADER = "X-Flowcoach-Page"  # accounts/page_cache.py


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def status(port: int, path: str, cookie: str | None) -> int | None:
    return answer(port, path, cookie)[0]


def answer(port: int, path: str, cookie: str | None) -> tuple[int | None, str, bool]:
    """Status, redirect target, and whether the page came from a kept copy."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        kept = response.getheader(HIT_HEADER) is not None
        return response.status, response.getheader("Location") or "", kept
    except OSError:
        return None, "", False
    finally:
        connection.close()


def wrk(
    url: str,
    cookie: str | None,
    seconds: int,
    connections: int,
    script: str | None,
    fresh: bool = False,
):
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    if fresh:  # what a hard reload asks for: the page rendered, not a kept copy
        command[1:1] = ["-H", "Cache-Control: no-cache"]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for percent, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        scale = {"us": 0.001, "ms": 1, "s": 1000}[unit]
        latency[percent] = float(value) * scale
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return (
        rate,
        latency.get("50", 0.0),
        latency.get("99", 0.0),
        int(errors.group(1)) if errors else 0,
    )


def autosave(port: int, ids: dict, cookie: str, args) -> tuple:
    """The runner's autosave through wrk: a CSRF token as the runner's script sends it (the
    cookie and the X-CSRFToken header), a new note per request (bench/autosave.lua)."""
    label, path, _who = AUTOSAVE
    path = path.format(**ids)
    token = secrets.token_hex(16)  # 32 characters, like Django's own CSRF secret
    origin = f"http://127.0.0.1:{port}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps(
        {"uuid": str(uuid.uuid4()), "base_version": None, "body": "First.", "segment": 0}
    )
    headers = {
        "Cookie": f"{cookie}; csrftoken={token}",
        "X-CSRFToken": token,
        "Origin": origin,
        "Content-Type": "application/json",
    }
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    if response.status != 200:  # a refused save would measure the wrong thing
        sys.exit(f"{label}: {path} answered {response.status}: {response.read()[:200]!r}")
    connection.close()
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    lua = (ROOT / "bench/autosave.lua").read_text()
    script.write_text(lua.replace("CSRF_TOKEN", token).replace("ORIGIN", origin))
    try:
        rate, p50, p99, errors = wrk(
            origin + path,
            f"{cookie}; csrftoken={token}",
            args.seconds,
            args.connections,
            str(script),
        )
    finally:
        script.unlink()
    return (label, path, rate, p50, p99, errors)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--large", action="store_true", help="200 coaches, 10,000 clients, 1M notes"
    )
    parser.add_argument("--small", action="store_true", help="5 coaches, 200 clients: a smoke run")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")

    folder = Path(tempfile.mkdtemp(prefix="flowcoach-load-"))
    env = {**os.environ, "FLOWCOACH_VAR_DIR": str(folder), "PRIVATE_MEDIA_ROOT": str(folder / "p")}
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    sizes = (
        ["--coaches", "200", "--clients", "10000", "--sessions", "100000", "--notes", "1000000"]
        if args.large
        else ["--coaches", "5", "--clients", "200", "--sessions", "2000", "--notes", "20000"]
        if args.small
        else ["--coaches", "20", "--clients", "1000", "--sessions", "10000", "--notes", "100000"]
    )
    # One secret for the sign-ins made below and the server that reads them.
    env["SECRET_KEY"] = secrets.token_urlsafe(40)
    started = time.monotonic()
    run(env, "migrate", "--noinput", "-v0")
    run(env, "seed_large", *sizes, "--replace", "--quiet")
    run(env, "seed_demo")
    print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
    ids = json.loads(run(env, "shell", "-c", SIGN_IN).strip().splitlines()[-1])

    port = free_port()
    server_env = {
        **env,
        "FLOWCOACH_PROFILE": "production",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "FLOWCOACH_BENCH_CEILING": "1",
        "LOG_LEVEL": "WARNING",
    }
    run(server_env, "collectstatic", "--noinput", "-v0")  # the production profile's manifest
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "flowcoach.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
        start_new_session=True,
    )
    try:
        cookies = {"coach": f"sessionid={ids['coach']}", "client": f"sessionid={ids['client']}"}
        deadline = time.monotonic() + 120
        while status(port, "/healthz", None) != 200:
            if time.monotonic() > deadline:
                sys.exit("The server did not start.")
            time.sleep(0.2)
        paths = []
        for label, path, who in PATHS:
            path = path.format(**ids)
            code, location, _kept = answer(port, path, cookies.get(who))
            if code in (301, 302) and location.startswith("/") and "login" not in location:
                path = location  # "/" sends a signed-in person to their landing page
                code, location, _kept = answer(port, path, cookies.get(who))
            # A redirect to the sign-in page or an error would measure the wrong thing.
            if code != 200:
                sys.exit(f"{label}: {path} answered {code} {location}, not 200.")
            # Asked again at once: does this page come from a kept copy?
            kept = answer(port, path, cookies.get(who))[2]
            paths.append((label, path, who, kept))
        rows = []
        ceiling = None
        for label, path, who, kept in paths:
            url = f"http://127.0.0.1:{port}" + path
            cookie = cookies.get(who)
            measured = wrk(url, cookie, args.seconds, args.connections, None)
            ceiling = ceiling or measured[0]
            # Pages that can be kept are also measured rendered afresh on every request.
            rendered = (
                wrk(url, cookie, args.seconds, args.connections, None, fresh=True) if kept else None
            )
            rows.append((label, path, measured, rendered))
            print(f"{label}: {measured[0]:.0f}/s", file=sys.stderr)
        label, path, *measured = autosave(port, ids, cookies["coach"], args)
        rows.append((label, path, tuple(measured), None))
        print(f"{label}: {measured[0]:.0f}/s", file=sys.stderr)
        size = "large" if args.large else "small" if args.small else "mid-size"
        database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(
            f"\n{database}, {size} practice, {args.workers} "
            f"sync workers, {args.connections} connections, {args.seconds} s per path\n"
        )
        print(
            "| path | requests/s | share of ceiling | p50 ms | p99 ms "
            "| rendered: requests/s | share | p50 ms | p99 ms | non-2xx |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for label, path, (rate, p50, p99, errors), rendered in rows:
            line = (
                f"| {label} (`{path}`) | {rate:,.0f} | {rate / ceiling:.2f} | {p50:.1f} | {p99:.1f}"
            )
            if rendered:
                r_rate, r_p50, r_p99, r_errors = rendered
                errors += r_errors
                line += f" | {r_rate:,.0f} | {r_rate / ceiling:.2f} | {r_p50:.1f} | {r_p99:.1f}"
            else:
                line += " | – | – | – | –"
            print(f"{line} | {errors} |")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
