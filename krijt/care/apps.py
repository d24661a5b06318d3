from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "krijt.care"
    label = "care"

    def ready(self) -> None:
        from krijt.care import kinds

        kinds.register_kinds()
