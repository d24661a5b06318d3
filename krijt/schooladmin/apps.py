from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchooladminConfig(AppConfig):
    name = "krijt.schooladmin"
    label = "schooladmin"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.schooladmin.permissions import VIEW_ROLES

        nav.register("schooladmin", _("School administration"), "schooladmin:overview", VIEW_ROLES, order=90,
                     icon="settings")
