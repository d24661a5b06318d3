from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "krijt.accounts"
    label = "accounts"
