from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "krijt.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from krijt.core import worker
        from krijt.notifications import signals  # noqa: F401  (connects the receivers)
        from krijt.notifications.dispatch import dispatch_once

        # The demo's in-process worker sends due e-mails and pushes on every round.
        worker.register_runner("notifications", lambda: dispatch_once().claimed)
