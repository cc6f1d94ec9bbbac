from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "flowcoach.outbox"
    label = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from flowcoach.accounts import hooks

        from . import essential

        hooks.register(hooks.INVITATION_SENT, essential.invitation_sent)
