"""Conditional GET for answers that programs fetch again and again (calendar apps, API
clients): an ETag, and "304 Not Modified" when the caller already holds this exact answer.

The ETag is a digest of WHO asked (the user and the organisation, passed as `scope`) and
of WHAT was answered (the body: the data's version is the data itself). So a tag another
person received, or the same person in another organisation, never matches, even when the
two bodies happen to be identical: a 304 can only confirm a copy the same caller was given.
The body is still built on every request; what a 304 saves is sending it.

Pages stay `no-store` (lib/headers.py): browsers keep no copy of them, so they never ask
"has it changed?"; HTML pages also carry a fresh CSP nonce and CSRF token, so no two are
alike. Only the few answers programs re-fetch get a tag (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response


def etag(scope: Iterable[object], body: bytes) -> str:
    digest = hashlib.sha256()
    for part in scope:
        # Each part's length first, so ("1", "23") and ("12", "3") differ.
        text = str(part).encode()
        digest.update(b"%d:" % len(text) + text)
    digest.update(b"|")
    digest.update(body)
    return f'"{digest.hexdigest()[:40]}"'


def answer(
    request: HttpRequest,
    response: HttpResponse,
    scope: Iterable[object],
    versioned: bytes | None = None,
) -> HttpResponse:
    """`response` with its ETag, or a 304 in its place when the caller sent that tag.
    `versioned` is the body to tag when it differs from what is sent only in parts that are
    not data (a timestamp of the moment of answering)."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    tag = etag(scope, response.content if versioned is None else versioned)
    response["ETag"] = tag
    return get_conditional_response(request, etag=tag, response=response) or response
