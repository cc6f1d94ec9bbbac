from django.urls import path

from . import catalog_views, profile_views

urlpatterns = [
    path("clients/<int:pk>/profile/", profile_views.profile_detail, name="profile_detail"),
    path("clients/<int:pk>/profile/edit/", profile_views.profile_edit, name="profile_edit"),
    path("clients/<int:pk>/profile/share/", profile_views.profile_share, name="profile_share"),
    path(
        "clients/<int:pk>/profile/attachments/",
        profile_views.profile_attachment_upload,
        name="profile_attachment_upload",
    ),
    path(
        "attachments/<int:pk>/download/",
        profile_views.attachment_download,
        name="attachment_download",
    ),
    path("attachments/<int:pk>/delete/", profile_views.attachment_delete, name="attachment_delete"),
    path(
        "attachments/<int:pk>/visibility/",
        profile_views.attachment_visibility,
        name="attachment_visibility",
    ),
    path("catalogs/", catalog_views.catalog_list, name="catalog_list"),
    path("catalogs/import/", catalog_views.catalog_import, name="catalog_import"),
    path("catalogs/<int:pk>/", catalog_views.catalog_detail, name="catalog_detail"),
    path("catalogs/<int:pk>/export/", catalog_views.catalog_export, name="catalog_export"),
    path(
        "catalogs/<int:pk>/new-version/",
        catalog_views.catalog_new_version,
        name="catalog_new_version",
    ),
    path(
        "catalogs/<int:pk>/groups/add/", catalog_views.catalog_group_add, name="catalog_group_add"
    ),
    path(
        "catalogs/<int:pk>/themes/add/", catalog_views.catalog_theme_add, name="catalog_theme_add"
    ),
    path(
        "catalogs/<int:pk>/themes/<int:theme_pk>/rename/",
        catalog_views.catalog_theme_rename,
        name="catalog_theme_rename",
    ),
    path(
        "catalogs/<int:pk>/themes/<int:theme_pk>/remove/",
        catalog_views.catalog_theme_remove,
        name="catalog_theme_remove",
    ),
]
