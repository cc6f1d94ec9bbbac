from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "flowcoach.insights"
    label = "insights"
    verbose_name = "Figures and progress"
