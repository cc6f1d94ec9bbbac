from django.urls import path

from . import views

urlpatterns = [
    path("sessions/<int:pk>/transcript/", views.transcript_upload, name="transcript_upload"),
    path("transcripts/trends/", views.transcript_trends, name="transcript_trends"),
    path("transcripts/settings/", views.transcript_settings, name="transcript_settings"),
    path("transcripts/<int:pk>/", views.transcript_report, name="transcript_report"),
    path("transcripts/<int:pk>/speakers/", views.transcript_speakers, name="transcript_speakers"),
    path(
        "transcripts/<int:pk>/commitments/",
        views.transcript_commitment,
        name="transcript_commitment",
    ),
    path("transcripts/<int:pk>/keep/", views.transcript_keep, name="transcript_keep"),
    path("transcripts/<int:pk>/delete/", views.transcript_delete, name="transcript_delete"),
]
