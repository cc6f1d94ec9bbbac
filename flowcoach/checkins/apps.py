from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "flowcoach.checkins"
    label = "checkins"
    verbose_name = "Weekly check-ins"

    def ready(self) -> None:
        from . import hooks

        hooks.register_all()
