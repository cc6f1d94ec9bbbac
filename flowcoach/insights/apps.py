from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "flowcoach.insights"
    label = "insights"
    verbose_name = "Figures and progress"

    def ready(self) -> None:
        from flowcoach.outbox import periodic

        from . import export_jobs

        # Prepared export files are deleted once their days are up, checked once a day.
        periodic.register_daily("export_expiry", lambda now: export_jobs.exports_expire(now))
