from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "krijt.announcements"
    label = "announcements"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from krijt.announcements import kinds
        from krijt.announcements.permissions import READ_ROLES
        from krijt.core import housekeeping, nav

        kinds.register_kinds()
        nav.register("announcements", _("News"), "announcements:home", READ_ROLES, order=12, icon="megaphone")

        from krijt.announcements.services import resume_stalled_fanouts

        housekeeping.register("announcements.resume_stalled_fanouts", resume_stalled_fanouts, every_seconds=60)
