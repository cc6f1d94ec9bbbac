from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from flowcoach.lib import headers


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers and tools still ask for /favicon.ico; point them at the real icon instead of
    # filling the log with 404s.
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", include("flowcoach.accounts.urls")),
    path("", include("flowcoach.home.urls")),
    path("", include("flowcoach.clients.urls")),
    path("", include("flowcoach.programs.urls")),
    path("", include("flowcoach.coaching.urls")),
    path("", include("flowcoach.portal.urls")),
    path("", include("flowcoach.checkins.urls")),
    path("organisation/", include("flowcoach.insights.urls")),
    path("", include("flowcoach.insights.client_urls")),
    path("", include("flowcoach.outbox.urls")),
    path("", include("flowcoach.transcripts.urls")),
    path("api/", include("flowcoach.api.urls")),
    path("accounts/", include("allauth.urls")),
    path(headers.REPORT_PATH.strip("/") + "/", headers.csp_report, name="csp_report"),
]

handler403 = "flowcoach.errors.forbidden"
handler404 = "flowcoach.errors.not_found"
handler500 = "flowcoach.errors.server_error"
