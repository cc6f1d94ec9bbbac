from django.urls import path

from . import views

urlpatterns = [
    path("programs/", views.program_list, name="program_list"),
    path("programs/new/", views.program_create, name="program_create"),
    path("programs/import/", views.program_import, name="program_import"),
    path("programs/<int:pk>/", views.program_detail, name="program_detail"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("programs/<int:pk>/export.yaml", views.program_export, name="program_export"),
    path("programs/<int:pk>/copy/", views.program_copy, name="program_copy"),
    path("programs/<int:pk>/publish/", views.program_publish, name="program_publish"),
    path("programs/<int:pk>/archive/", views.program_archive, name="program_archive"),
    path("programs/<int:pk>/restore/", views.program_restore, name="program_restore"),
    path("programs/<int:pk>/templates/new/", views.template_create, name="template_create"),
    path("programs/templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("programs/templates/<int:pk>/move/", views.template_move, name="template_move"),
    path("programs/templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("programs/templates/<int:pk>/history/", views.template_history, name="template_history"),
    path("programs/templates/<int:pk>/diff/", views.template_diff, name="template_diff"),
    path("programs/templates/<int:pk>/preview/", views.template_preview, name="template_preview"),
    path("programs/templates/<int:pk>/segments/new/", views.segment_create, name="segment_create"),
    path(
        "programs/templates/<int:pk>/segments/<int:index>/edit/",
        views.segment_edit,
        name="segment_edit",
    ),
    path(
        "programs/templates/<int:pk>/segments/<int:index>/delete/",
        views.segment_delete,
        name="segment_delete",
    ),
    path(
        "programs/templates/<int:pk>/segments/<int:index>/move/",
        views.segment_move,
        name="segment_move",
    ),
]
