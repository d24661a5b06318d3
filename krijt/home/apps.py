from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "krijt.home"
    label = "home"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.core.roles import Role

        nav.register("home", _("Home"), "home", {r.value for r in Role}, order=0, icon="home")
