from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "flowcoach.coaching"
    label = "coaching"
    verbose_name = "Engagements and sessions"

    def ready(self) -> None:
        from flowcoach.accounts import hooks, retention

        from .handover import client_coaching_hand_over, client_reassign_objection
        from .privacy import client_traces_purge
        from .retention import SESSION_NOTES

        hooks.register(hooks.CLIENT_DELETING, client_traces_purge)
        hooks.register(hooks.CLIENT_REASSIGN_OBJECTIONS, client_reassign_objection)
        hooks.register(hooks.CLIENT_REASSIGNING, client_coaching_hand_over)
        retention.register(SESSION_NOTES)
