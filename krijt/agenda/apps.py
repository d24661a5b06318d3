from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "krijt.agenda"
    label = "agenda"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from krijt.agenda import feed
        from krijt.agenda.permissions import READ_ROLES
        from krijt.core import nav

        nav.register("agenda", _("Calendar"), "agenda:home", READ_ROLES, order=13, icon="event")
        feed.register()
