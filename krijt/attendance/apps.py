from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "krijt.attendance"
    label = "attendance"

    def ready(self) -> None:
        from krijt.attendance.permissions import ATTENDANCE_ROLES
        from krijt.core import nav

        nav.register("attendance", _("Attendance"), "attendance:home", ATTENDANCE_ROLES, order=27, icon="check")

        from krijt.attendance import kinds

        kinds.register_kinds()
        from krijt.attendance.services import attendance_retention
        from krijt.core import housekeeping

        housekeeping.register("attendance.retention", attendance_retention, every_seconds=6 * 3600)

        from krijt.attendance.hooks import care_timeline
        from krijt.care.extensions import register_timeline_source

        register_timeline_source("attendance", care_timeline)
