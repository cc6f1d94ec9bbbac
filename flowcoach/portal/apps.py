from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "flowcoach.portal"
    label = "portal"
    verbose_name = "The client's own space"
