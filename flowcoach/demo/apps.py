from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo practice. It sits above every other app, so the demo can show all of them."""

    name = "flowcoach.demo"
    label = "demo"
    verbose_name = "Demo data"
