from django.urls import path

from . import export_views, views

urlpatterns = [
    path("clients/<int:pk>/progress/", views.client_progress, name="client_progress"),
    path(
        "clients/<int:pk>/export/<slug:table>.csv",
        views.client_export_csv,
        name="client_export_csv",
    ),
    path("clients/<int:pk>/export.json", views.client_export_json, name="client_export_json"),
    path("exports/", views.practice_exports, name="practice_exports"),
    path("exports/<slug:table>.csv", views.practice_export_csv, name="practice_export_csv"),
    path("exports/practice.json", views.practice_export_json, name="practice_export_json"),
    path("exports/prepare/", export_views.practice_export_start, name="practice_export_start"),
    path("exports/<int:pk>/", export_views.practice_export_job, name="practice_export_job"),
    path(
        "exports/<int:pk>/download/",
        export_views.practice_export_download,
        name="practice_export_download",
    ),
    path(
        "exports/<int:pk>/retry/", export_views.practice_export_retry, name="practice_export_retry"
    ),
]
