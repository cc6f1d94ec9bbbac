from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "flowcoach.home"
    label = "home"
    verbose_name = "The coach's and the admin's home"

    def ready(self) -> None:
        from .timeline import register

        register()
