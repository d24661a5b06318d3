from django.apps import AppConfig


class WebpushConfig(AppConfig):
    name = "krijt.webpush"
    label = "webpush"

    def ready(self) -> None:
        from krijt.webpush import checks  # noqa: F401  (registers the deployment check)
