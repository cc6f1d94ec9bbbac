from django.urls import path

from . import views

urlpatterns = [
    path("sessions/<int:pk>/run/", views.runner, name="runner"),
    path("sessions/<int:pk>/run/notes/", views.runner_notes, name="runner_notes"),
    path("sessions/<int:pk>/run/record/", views.runner_record, name="runner_record"),
    path("sessions/<int:pk>/run/timing/", views.runner_timing, name="runner_timing"),
    path(
        "sessions/<int:pk>/run/commitments/",
        views.runner_commitments,
        name="runner_commitments",
    ),
    path("sessions/<int:pk>/run/complete/", views.runner_complete, name="runner_complete"),
    path("sessions/<int:pk>/summary/", views.summary, name="runner_summary"),
    path("sessions/<int:pk>/summary.md", views.summary_markdown, name="runner_summary_md"),
    path("sessions/<int:pk>/summary.pdf", views.summary_as_pdf, name="runner_summary_pdf"),
]
