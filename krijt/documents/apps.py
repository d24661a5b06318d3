from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "krijt.documents"
    label = "documents"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from krijt.core import housekeeping, nav
        from krijt.documents.permissions import READ_ROLES
        from krijt.documents.scanning import rescan_pending
        from krijt.documents.services import forget_orphans

        nav.register("documents", _("Documents"), "documents:home", READ_ROLES, order=22, icon="folder")
        housekeeping.register("documents.rescan_pending", rescan_pending, every_seconds=300)
        housekeeping.register("documents.forget_orphans", forget_orphans, every_seconds=3600)
