from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportCardsConfig(AppConfig):
    name = "krijt.reportcards"
    label = "reportcards"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.reportcards import kinds
        from krijt.reportcards.permissions import HOME_ROLES

        nav.register("reportcards", _("Report cards"), "reportcards:home", HOME_ROLES, order=32, icon="file")
        kinds.register_kind()
