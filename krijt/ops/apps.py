from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "krijt.ops"
    label = "ops"

    def ready(self) -> None:
        from krijt.ops import signals

        signals.connect()
