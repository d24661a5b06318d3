from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "krijt.schools"
    label = "schools"

    def ready(self) -> None:
        from krijt.schools import signals  # noqa: F401  (cached calendars follow every write)
