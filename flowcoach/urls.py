from django.urls import include, path

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
]

handler403 = "flowcoach.errors.forbidden"
handler404 = "flowcoach.errors.not_found"
handler500 = "flowcoach.errors.server_error"
