from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "krijt.exercises"
    label = "exercises"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from krijt.core import housekeeping, nav
        from krijt.exercises import hooks, kinds, partitions, services
        from krijt.exercises.permissions import READ_ROLES
        from krijt.planner import extensions as planner_extensions

        nav.register("exercises", _("Exercises"), "exercises:home", READ_ROLES, order=24, icon="puzzle")
        kinds.register_kinds()
        planner_extensions.register_item_link(hooks.item_link)
        planner_extensions.deadline_changed.connect(hooks.item_changed, dispatch_uid="exercises.item_moved")
        planner_extensions.item_cancelled.connect(hooks.item_changed, dispatch_uid="exercises.item_cancelled")
        housekeeping.register("exercises.summarize", services.summarize, every_seconds=20)
        housekeeping.register("exercises.partitions", partitions.maintain, every_seconds=3600)
