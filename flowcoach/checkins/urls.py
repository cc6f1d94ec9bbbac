from django.urls import path

from . import views

urlpatterns = [
    path("checkins/answer/<str:token>/", views.answer_by_link, name="checkin_answer_link"),
    path("checkins/unsubscribe/<str:token>/", views.unsubscribe, name="checkin_unsubscribe"),
    path("checkins/overview/", views.organisation_overview, name="checkin_overview"),
    path("portal/checkins/<int:pk>/", views.portal_checkin, name="portal_checkin"),
    path("portal/commitments/", views.portal_commitments, name="portal_commitments"),
    path(
        "portal/commitments/<uuid:commitment_uuid>/update/",
        views.portal_commitment_update,
        name="portal_commitment_update",
    ),
    path(
        "portal/commitments/<uuid:commitment_uuid>/progress/",
        views.portal_progress_log,
        name="portal_progress_log",
    ),
    path("portal/emails/", views.preferences, name="checkin_preferences"),
    path("engagements/<int:pk>/checkins/", views.engagement_checkins, name="engagement_checkins"),
]
