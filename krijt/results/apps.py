from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "krijt.results"
    label = "results"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.results import kinds
        from krijt.results.permissions import RESULTS_ROLES

        nav.register("results", _("Results"), "results:home", RESULTS_ROLES, order=30, icon="chart")
        kinds.register_kind()

        from krijt.care.extensions import register_timeline_source
        from krijt.results.hooks import care_timeline

        register_timeline_source("results", care_timeline)
