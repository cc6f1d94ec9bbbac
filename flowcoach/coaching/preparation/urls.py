from django.urls import path

from . import views

urlpatterns = [
    path("sessions/<int:pk>/prepare/", views.prepare, name="runner_prepare"),
    path("sessions/<int:pk>/prepare/ticks/", views.prepare_ticks, name="runner_prepare_ticks"),
    path("sessions/<int:pk>/topic/", views.session_topic, name="session_topic"),
]
