"""Version 1 of the client API, mounted at /api/v1/. A later version gets its own module and
prefix; v1 keeps answering as documented in docs/api.md."""

from django.urls import path

from . import v1

urlpatterns = [
    path("me/", v1.me, name="api_v1_me"),
    path("sessions/", v1.sessions, name="api_v1_sessions"),
    path("sessions/<int:pk>/", v1.session_detail, name="api_v1_session"),
    path("commitments/", v1.commitments, name="api_v1_commitments"),
    # Anything else under /api/v1/ answers a JSON 404, not the HTML error page.
    path("<path:rest>", v1.not_found, name="api_v1_not_found"),
]
