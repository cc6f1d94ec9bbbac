from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "flowcoach.outbox"
    label = "outbox"
    verbose_name = "Outbox"
