from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandinConfig(AppConfig):
    name = "krijt.handin"
    label = "handin"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.handin import signals  # noqa: F401  (stored files leave with their rows)
        from krijt.handin.permissions import OVERVIEW_ROLES

        nav.register("handin", _("Hand-in"), "handin:overview", OVERVIEW_ROLES, order=25, icon="inbox")

        from krijt.handin import hooks, kinds

        kinds.register_kind()
        from krijt.planner import extensions

        extensions.deadline_changed.connect(hooks.recompute_late, dispatch_uid="handin.recompute_late")
        extensions.register_item_link(hooks.item_link)
