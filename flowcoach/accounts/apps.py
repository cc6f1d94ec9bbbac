from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "flowcoach.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"
