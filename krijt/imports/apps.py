from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "krijt.imports"
    label = "imports"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.imports.permissions import MANAGE_IMPORTS

        nav.register("imports", _("Imports"), "imports:job_list", MANAGE_IMPORTS, order=90, icon="upload")

        from krijt.core import housekeeping
        from krijt.imports.services import import_jobs_tidy

        housekeeping.register("imports.tidy", import_jobs_tidy, every_seconds=300)
