from django.urls import path

from . import views

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
]
