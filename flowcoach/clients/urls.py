from django.urls import include, path

from . import views

urlpatterns = [
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/import/", views.client_import, name="client_import"),
    path("clients/import/example.csv", views.client_import_example, name="client_import_example"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/archive/", views.client_archive, name="client_archive"),
    path("clients/<int:pk>/restore/", views.client_restore, name="client_restore"),
    path("clients/<int:pk>/reassign/", views.client_reassign, name="client_reassign"),
    path("clients/<int:pk>/invite/", views.client_invite, name="client_invite"),
    path("clients/<int:pk>/delete/", views.client_delete, name="client_delete"),
    # Motivation profiles, attachments and theme catalogs.
    path("", include("flowcoach.clients.profile_urls")),
]
