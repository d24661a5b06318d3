from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "krijt.care"
    label = "care"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from krijt.care import kinds
        from krijt.care.permissions import READ_ROLES
        from krijt.core import nav

        kinds.register_kinds()
        nav.register("care", _("Follow-up"), "care:home", READ_ROLES, order=28, icon="user")

        from krijt.care.services import records_sweep
        from krijt.core import housekeeping

        housekeeping.register("care.leavers", records_sweep, every_seconds=6 * 3600)
