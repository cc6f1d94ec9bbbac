from django.urls import path

from . import recordings, views

urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path(
        "portal/sessions/<int:pk>/preparation/",
        views.portal_preparation,
        name="portal_preparation",
    ),
    path("portal/my-records.zip", views.my_records, name="portal_my_records"),
    path("portal/progress/", views.portal_progress, name="portal_progress"),
    path("portal/recordings/", recordings.portal_recordings, name="portal_recordings"),
    path(
        "portal/recordings/<int:pk>/withdraw/",
        recordings.portal_recording_withdraw,
        name="portal_recording_withdraw",
    ),
]
