from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "krijt.schools"
    label = "schools"

    def ready(self) -> None:
        from krijt.core import readahead
        from krijt.schools import signals  # noqa: F401  (cached calendars follow every write)
        from krijt.schools.middleware import read_ahead_keys

        readahead.provider(read_ahead_keys)
