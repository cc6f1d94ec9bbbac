"""Response headers that protect every page: a Content-Security-Policy with no inline script,
and `Cache-Control: no-store` on everything the app renders.

Django 5.2 has no CSP of its own (6.0 will); this is the few lines flowcoach needs rather
than a dependency (docs/decisions.md). Each response gets a fresh nonce, exposed to templates
as `csp_nonce`, for the one inline script that must stay inline: the runner's import map,
which browsers cannot load from a file. Everything else is a static file. Browsers report
violations to /csp-report/, which logs them.
"""

from __future__ import annotations

import logging
import secrets

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import safe_parse

logger = logging.getLogger("flowcoach.csp")

REPORT_PATH = "/csp-report/"
MAX_REPORT_BYTES = 16 * 1024


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            # Swagger UI on the API docs page draws its icons as data: images.
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            f"report-uri {REPORT_PATH}",
        ]
    )


class SecurityHeadersMiddleware:
    """Sits after WhiteNoise, so static files (public, cacheable) never reach it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce
        response = self.get_response(request)
        # The request's nonce, unless a kept copy of a page brought back the one in its body
        # (accounts/page_cache.py).
        response.setdefault("Content-Security-Policy", policy(request.csp_nonce))
        # Pages carry personal data (and forms carry CSRF tokens); downloads are private
        # files. No browser, proxy or shared computer may keep a copy.
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response


def csp_nonce(request: HttpRequest) -> dict:
    """Template context: `{{ csp_nonce }}` for the rare inline script (and django-htmx)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers post a JSON description of each blocked script or style. Logged as a warning
    (never an error page): a report is a sign of a template bug or of an injection attempt."""
    try:
        report = safe_parse.load_json(request.body, max_bytes=MAX_REPORT_BYTES)
    except safe_parse.ParseError:
        report = {}
    report = report.get("csp-report") if isinstance(report, dict) else None
    if not isinstance(report, dict):
        report = {}
    logger.warning(
        "CSP violation: %s blocked %s on %s",
        str(report.get("violated-directive", "?"))[:200],
        str(report.get("blocked-uri", "?"))[:200],
        str(report.get("document-uri", "?"))[:200],
    )
    return HttpResponse(status=204)
