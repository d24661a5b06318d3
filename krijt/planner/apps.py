from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "krijt.planner"
    label = "planner"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.core.roles import Role

        nav.register("planner", _("Planner"), "planner:home", {r.value for r in Role}, order=20, icon="calendar")
        from krijt.planner import kinds

        kinds.register_kind()
