"""A page with an inline script's nonce, kept like any other: the product's kept pages carry
none today, and the proof that a kept copy names its own nonce must not wait for one."""

from django.http import HttpResponse
from django.urls import path

from flowcoach.accounts import page_cache, policy


@policy.role_required(*policy.COACH)
@page_cache.cached_page
def nonce_page(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}">window.x = 1;</script>')


urlpatterns = [path("nonce/", nonce_page)]
