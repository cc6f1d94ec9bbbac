from django.urls import path

from . import views

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/new/", views.message_new, name="outbox_new"),
    path("outbox/settings/", views.email_settings, name="outbox_settings"),
    path("outbox/<int:pk>/", views.message_detail, name="outbox_message"),
    path("outbox/<int:pk>/approve/", views.message_approve, name="outbox_approve"),
    path("outbox/<int:pk>/send-now/", views.message_send_now, name="outbox_send_now"),
    path("outbox/<int:pk>/cancel/", views.message_cancel, name="outbox_cancel"),
    path("outbox/<int:pk>/retry/", views.message_retry, name="outbox_retry"),
    path("outbox/<int:pk>/arrived/", views.message_arrived, name="outbox_arrived"),
    path("outbox/<int:pk>/resend/", views.message_resend, name="outbox_resend"),
]
