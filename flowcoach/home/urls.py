from django.urls import path

from . import views

urlpatterns = [
    path("home/", views.coach_home, name="coach_home"),
    path("home/approve/", views.home_approve, name="home_approve"),
    path("overview/", views.admin_home, name="admin_home"),
    path("sessions/", views.session_list, name="session_list"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
]
