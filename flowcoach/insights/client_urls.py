from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/progress/", views.client_progress, name="client_progress"),
]
