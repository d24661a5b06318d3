from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "krijt.messaging"
    label = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.messaging.nav import MessagesLabel
        from krijt.messaging.permissions import USE_MESSAGES

        nav.register("messages", MessagesLabel(), "messaging:inbox", USE_MESSAGES, order=20, icon="mail")
        from krijt.messaging import kinds

        kinds.register_kind()

        from krijt.core import housekeeping
        from krijt.messaging.services import resume_stalled_fanouts

        housekeeping.register("messaging.resume_stalled_fanouts", resume_stalled_fanouts, every_seconds=60)
