from django.urls import path

from . import views

urlpatterns = [
    path("figures/", views.organisation_figures, name="organisation_figures"),
    path("figures.csv", views.organisation_figures_csv, name="organisation_figures_csv"),
]
