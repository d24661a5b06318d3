from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "krijt.documents"
    label = "documents"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from krijt.core import nav
        from krijt.documents.permissions import READ_ROLES

        nav.register("documents", _("Documents"), "documents:home", READ_ROLES, order=22, icon="folder")
