from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "krijt.accounts"
    label = "accounts"

    def ready(self) -> None:
        from krijt.accounts import signals  # noqa: F401  (cached roles follow every membership change)
        from krijt.accounts.session_backend import read_ahead_keys
        from krijt.core import readahead

        readahead.provider(read_ahead_keys)
