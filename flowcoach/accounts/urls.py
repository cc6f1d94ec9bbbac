from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("setup/", views.setup, name="setup"),
    path("organisations/switch/", views.organisation_switch, name="organisation_switch"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/toggle/", views.membership_toggle, name="membership_toggle"),
    path("organisation/settings/", views.organisation_settings, name="organisation_settings"),
    path("organisation/audit/", views.audit_log, name="audit_log"),
    path("organisation/retention/", views.retention_settings, name="retention_settings"),
    path("me/settings/", views.personal_settings, name="personal_settings"),
]
