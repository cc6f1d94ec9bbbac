from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "flowcoach.outbox"
    label = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from flowcoach.accounts import hooks
        from flowcoach.lib import planner

        from . import essential, periodic

        hooks.register(hooks.INVITATION_SENT, essential.invitation_sent)
        # SQLite has no autovacuum to keep the planner's statistics as the practice grows.
        periodic.register_daily("planner_statistics", lambda now: planner.refresh_statistics())
