"""The demo school's live lessons: the school uses Jitsi Meet's public server (meet.jit.si, no token: Krijt's
random room names), and in the family's class each school day's first lesson is also a weekly live lesson, so
the demo opens on a live lesson in today's timetable. On the last school days the teacher and most of the class
joined them, so "who joined" and the register's suggestion have something to show. All through the live lesson
services at the moments it happened.

Part of krijt.demo.activity's replay.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from krijt.core.roles import Role
from krijt.live import services as live
from krijt.live.models import Provider, VideoServer
from krijt.schools.models import Enrollment, TimetableSlot

if TYPE_CHECKING:
    from krijt.accounts.models import User
    from krijt.demo.activity import _Replay
    from krijt.demo.selectors import DemoAccounts

TEACHER = frozenset({Role.TEACHER.value})
STUDENT = frozenset({Role.STUDENT.value})
DEMO_JITSI = "https://meet.jit.si/"


def lessons(replay: _Replay, rng: random.Random, *, past: list[dt.date], family: DemoAccounts,
            students_by_class: dict[int, list[User]]) -> None:
    from krijt.demo.activity import _quiet_refusals

    school = replay.school
    place = Enrollment.objects.filter(school=school, student=family.student).select_related("class_group").first()
    if place is None or len(past) < 6:
        return
    VideoServer.objects.get_or_create(school=school, kind=Provider.JITSI, defaults={
        "name": "Jitsi Meet (meet.jit.si)", "url": DEMO_JITSI})
    slots = (TimetableSlot.objects.filter(school=school, course__class_group=place.class_group)
             .select_related("course", "course__teacher", "lesson_period").order_by("weekday", "lesson_period__number"))
    first_of_day: dict[int, TimetableSlot] = {}
    for slot in slots:
        if slot.course.teacher is not None:
            first_of_day.setdefault(slot.weekday, slot)
    made: dict[int, int] = {}

    def attach() -> None:
        for weekday, slot in sorted(first_of_day.items()):
            with _quiet_refusals("a live lesson"):
                lesson = live.lesson_attach(
                    school=school, actor=slot.course.teacher, roles=TEACHER,  # type: ignore[arg-type]
                    course_id=slot.course_id, data=live.LessonIn(
                        provider=Provider.JITSI, when=f"slot:{weekday}-{slot.lesson_period.number}"))
                made[weekday] = lesson.pk
                replay.summary.counts["live_lessons"] += 1

    replay.at(past[-6], dt.time(16, 40), attach)
    students = students_by_class.get(place.class_group_id, [])
    for day in past[-5:]:
        slot = first_of_day.get(day.isoweekday())
        if slot is None:
            continue
        starts = slot.lesson_period.starts_at
        teacher_at = (dt.datetime.combine(day, starts) - dt.timedelta(minutes=4)).time()

        def teacher_joins(day: dt.date = day, slot: TimetableSlot = slot) -> None:
            if slot.weekday in made:
                with _quiet_refusals("a teacher joining a live lesson"):
                    live.join(school=school, actor=slot.course.teacher, roles=TEACHER,  # type: ignore[arg-type]
                              lesson_id=made[slot.weekday], day=day)

        def class_joins(day: dt.date = day, slot: TimetableSlot = slot) -> None:
            if slot.weekday not in made:
                return
            for student in students:
                if rng.random() < 0.88:
                    with _quiet_refusals("a student joining a live lesson"):
                        live.join(school=school, actor=student, roles=STUDENT, lesson_id=made[slot.weekday], day=day)
                        replay.summary.counts["live_joins"] += 1

        replay.at(day, teacher_at, teacher_joins)
        replay.at(day, starts, class_joins)
