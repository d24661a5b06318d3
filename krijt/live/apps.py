from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "krijt.live"
    label = "live"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from krijt.attendance import extensions as attendance_extensions
        from krijt.core import housekeeping, nav
        from krijt.live import hooks, services
        from krijt.live.permissions import READ_ROLES
        from krijt.ops import health
        from krijt.planner import extensions as planner_extensions

        nav.register("live", _("Live lessons"), "live:home", READ_ROLES, order=23, icon="video")
        planner_extensions.register_item_link(hooks.item_link)
        planner_extensions.deadline_changed.connect(hooks.item_changed, dispatch_uid="live.item_moved")
        planner_extensions.item_cancelled.connect(hooks.item_changed, dispatch_uid="live.item_cancelled")
        attendance_extensions.register_suggestion(hooks.register_suggestion)
        health.register_component(hooks.STATUS)
        housekeeping.register("live.precreate", services.precreate_due, every_seconds=60)
        housekeeping.register("live.probe", services.probe_servers, every_seconds=60)
