from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "flowcoach.coaching"
    label = "coaching"
    verbose_name = "Engagements and sessions"

    def ready(self) -> None:
        from flowcoach.accounts import hooks, retention
        from flowcoach.outbox import periodic

        from .handover import client_coaching_hand_over, client_reassign_objection
        from .privacy import client_traces_purge
        from .retention import SESSION_NOTES

        hooks.register(hooks.CLIENT_DELETING, client_traces_purge)
        hooks.register(hooks.CLIENT_REASSIGN_OBJECTIONS, client_reassign_objection)
        hooks.register(hooks.CLIENT_REASSIGNING, client_coaching_hand_over)
        retention.register(SESSION_NOTES)
        # Every organisation's keeping times, applied by the worker once a day.
        periodic.register_daily("retention", lambda now: retention.apply_all(now=now))
