from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "flowcoach.clients"
    label = "clients"
    verbose_name = "Clients and motivation profiles"

    def ready(self) -> None:
        from flowcoach.accounts import hooks

        from . import catalogs, services

        hooks.register(hooks.invitation_accepted("client"), services.client_invitation_accepted)
        hooks.register(hooks.ORGANISATION_CREATED, catalogs.install_shipped_catalogs)
        hooks.register(hooks.MEMBERSHIP_SUSPENDING, services.coach_suspension_objection)
