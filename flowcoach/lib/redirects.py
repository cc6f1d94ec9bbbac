"""Where to go after a form: a `next` value from the browser is followed only when it is a
path on this site. Anything else (another host, `//host`, a `javascript:` or `data:` URL, a
backslash trick) is ignored and the fallback used, so no link to our site can bounce a person
to someone else's."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(url: str, request: HttpRequest) -> bool:
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ch in url for ch in "\\\r\n\t\x00"):
        return False
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def next_or(request: HttpRequest, fallback: str, *args) -> str:
    """The POSTed (or queried) `next` when it is a path on this site, otherwise `fallback`
    (a URL name with its args, or a path)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if is_local_path(target, request):
        return target
    return resolve_url(fallback, *args)
