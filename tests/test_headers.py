"""Content-Security-Policy and Cache-Control (issue #11, finding 8). The authorization matrix
checks both headers on every URL for every role; the browser tests fail on any violation the
browser reports (tests/e2e/conftest.py). Here: the policy itself, the templates it depends
on, private downloads, and the report endpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.authz.fixtures_profiles import add_extras as add_profile_extras

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted(
    (ROOT / "flowcoach").rglob("templates/**/*.html")
)


def test_it_sends_a_policy_with_no_inline_script_and_a_fresh_nonce_each_time(client, db):
    first = client.get(reverse("account_login"))
    second = client.get(reverse("account_login"))
    policy = first["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert nonce not in second["Content-Security-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_keeps_scripts_styles_and_handlers_out_of_templates(template):
    """What the policy would block: inline scripts (except data and the nonced import map),
    style attributes and blocks, event-handler attributes and javascript: links."""
    text = template.read_text("utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag or "nonce=" in tag, (
            f"inline script: {tag}"
        )
    assert not re.search(r"\sstyle\s*=", text), "style attribute"
    assert "<style" not in text, "style block"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), "event-handler attribute"
    assert "javascript:" not in text.lower()


def test_it_never_lets_a_private_download_be_stored(world):
    add_profile_extras(world)
    attachment = world.extras["attachment"]
    response = world.login(world.coach).get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    records = world.login(world.client_user).get(reverse("portal_my_records"))
    assert records.status_code == 200 and "no-store" in records["Cache-Control"]


def test_it_never_lets_a_calendar_feed_be_stored(world):
    from flowcoach.coaching.services import calendar_feed_of

    token = calendar_feed_of(world.coach).token
    response = world.login(None).get(reverse("calendar_feed", args=[token]))
    assert "no-store" in response["Cache-Control"]


def test_it_logs_violation_reports_and_shrugs_off_junk(client, db, caplog):
    report = {
        "csp-report": {
            "document-uri": "http://testserver/clients/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
        }
    }
    with caplog.at_level("WARNING", logger="flowcoach.csp"):
        response = client.post(
            reverse("csp_report"), json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert "script-src-elem blocked inline on http://testserver/clients/" in caplog.text
    for junk in [b"", b"[]", b"{" * 10_000, b"\xff\xfe", b'{"csp-report": 5}']:
        assert (
            client.post(reverse("csp_report"), junk, content_type="application/json").status_code
            == 204
        )
    assert client.get(reverse("csp_report")).status_code == 405
