"""Attendance as cached parts for the hot pages (krijt.core.parts): which of a teacher's lessons of a day
have their register taken. Saving a register bumps the scope of the course's teacher for that day."""

from __future__ import annotations

import datetime as dt

from krijt.attendance.models import Register
from krijt.core import parts
from krijt.schools.models import School


def taken_scope(school_id: int, teacher_id: int, day: dt.date) -> str:
    return parts.scope(school_id, "registers-taken", teacher_id, day.isoformat())


def taken_by_teacher(school: School, teacher_id: int, day: dt.date) -> parts.Part:
    """[[course_id, period], ...] of the teacher's courses whose register is taken on `day`."""

    def build() -> list[list[int]]:
        return [[c, p] for c, p in Register.objects.filter(school=school, day=day, course__teacher_id=teacher_id)
                .values_list("course_id", "period")]

    return parts.Part(parts.key(school.pk, "registers-taken", teacher_id, day.isoformat()),
                      (taken_scope(school.pk, teacher_id, day),), build)
