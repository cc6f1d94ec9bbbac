from django.urls import include, path

from flowcoach.lib import headers

urlpatterns = [
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
