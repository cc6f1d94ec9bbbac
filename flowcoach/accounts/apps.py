from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "flowcoach.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .audit import on_user_logged_in

        # Django's own sign-in event (allauth fires it too): a new device goes in the audit
        # log. The handler only records; it never changes how signing in works.
        user_logged_in.connect(on_user_logged_in, dispatch_uid="flowcoach_audit_sign_in")
