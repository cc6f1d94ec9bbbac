from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "flowcoach.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from flowcoach.lib import generations

        from .audit import on_user_logged_in

        # Django's own sign-in event (allauth fires it too): a new device goes in the audit
        # log. The handler only records; it never changes how signing in works.
        user_logged_in.connect(on_user_logged_in, dispatch_uid="flowcoach_audit_sign_in")
        # Every committed write changes its organisation's data generation, which retires the
        # pages kept for its people (accounts/page_cache.py).
        generations.install()
        from .models import Invitation, Membership, Organisation, User

        generations.shared_across_organisations(
            *(model._meta.db_table for model in (Invitation, Membership, Organisation, User))
        )
