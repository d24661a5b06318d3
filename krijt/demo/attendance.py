"""The demo school's registers: the last weeks of lessons in the focus classes, taken at the start of each
lesson by the course's teacher through the same service as the page, with the usual pattern of a school's
days: a few children ill (most reported by a parent that morning, one until further notice), some late,
an occasional lesson missed without a word, and one student who stays away in the mornings without a reason.
The next morning the secretariat codes what was reported (and an illness whose note came in late); the
mornings without a reason become problematic (B) after a call home, which opens a task to contact the parents
and, at the fifth, a care case. The last days' unexplained absences are left for the mentor and the office to
look into, as on a real Monday.

Part of krijt.demo.activity's replay: each step runs with the clock at its moment.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from krijt.accounts.models import ParentLink, User
from krijt.attendance import services as attendance
from krijt.attendance.selectors import absences_on
from krijt.core.roles import Role
from krijt.schools.models import ClassGroup, TimetableSlot

if TYPE_CHECKING:
    from krijt.demo.activity import _Replay
    from krijt.demo.selectors import DemoAccounts

TEACHER = frozenset({Role.TEACHER.value})
PARENT = frozenset({Role.PARENT.value})
ADMIN = frozenset({Role.ADMIN.value})

ILL = 0.025  # a child ill on a given day
REPORTED = 0.8  # of them, reported by a parent that morning
LATE = 0.02  # late for the first lesson
SKIPPED = 0.003  # a lesson missed without a word


def registers(replay: _Replay, rng: random.Random, *, groups: list[ClassGroup], focus: set[int],
              students_by_class: dict[int, list[User]], past: list[dt.date], today: dt.date,
              family: DemoAccounts) -> None:
    """Every lesson of the focus classes in `past` and today (up to now), and the office's coding."""
    from krijt.demo.activity import _quiet_refusals

    school = replay.school
    classes = [g for g in groups if g.pk in focus]
    slots: dict[tuple[int, int], list[TimetableSlot]] = defaultdict(list)
    for slot in (TimetableSlot.objects.filter(school=school, course__class_group__in=classes)
                 .select_related("lesson_period", "course", "course__teacher").order_by("lesson_period__number")):
        slots[(slot.course.class_group_id, slot.weekday)].append(slot)
    parent_of = {link.student_id: link.parent for link in ParentLink.objects.filter(school=school)
                 .select_related("parent").order_by("pk")}
    days = [*past, today]
    ill_until: dict[int, dt.date] = {}
    lingering = None  # one child ill since yesterday, until further notice
    truant = None  # one student who stays away in the mornings
    for group in classes:
        kids = [s for s in students_by_class.get(group.pk, []) if s.pk != family.student.pk]
        if kids and lingering is None and len(days) > 1:
            lingering = kids[len(kids) // 2]
        elif kids and truant is None:
            truant = kids[len(kids) // 3]
    mornings = {days[-n] for n in (13, 11, 9, 6, 4) if len(days) > n}
    for day in days:
        for group in classes:
            lessons = slots.get((group.pk, day.isoweekday()), [])
            if not lessons:
                continue
            marks: dict[int, list[attendance.MarkIn]] = defaultdict(list)  # period -> marks
            for student in students_by_class.get(group.pk, []):
                if student == truant and day in mornings:
                    for slot in lessons:
                        if slot.lesson_period.starts_at < dt.time(12, 0):
                            marks[slot.lesson_period.number].append(attendance.MarkIn(student.pk, "absent"))
                    continue
                _day_of(replay, rng, student=student, day=day, lessons=lessons, marks=marks, ill_until=ill_until,
                        parent=parent_of.get(student.pk), lingering=lingering, days=days, family=family)
            for slot in lessons:
                teacher: User | None = slot.course.teacher or group.mentor
                if teacher is None:
                    continue
                start = slot.lesson_period.starts_at
                moment = (dt.datetime.combine(day, start) + dt.timedelta(minutes=rng.randint(2, 9))).time()

                def take(slot: TimetableSlot = slot, teacher: User = teacher, day: dt.date = day,  # type: ignore[assignment]
                         marks: list[attendance.MarkIn] = marks[slot.lesson_period.number]) -> None:
                    with _quiet_refusals("a register"):
                        attendance.register_take(school=school, actor=teacher, roles=TEACHER,
                                                 course_id=slot.course_id, day=day,
                                                 period=slot.lesson_period.number, marks=marks,
                                                 client_key=f"demo-{slot.pk}-{day.isoformat()}")
                        replay.summary.counts["registers"] += 1

                replay.at(day, moment, take)
    # The morning after, the secretariat codes the reported illnesses; most unexplained ones wait for a talk.
    for number, day in enumerate(past):
        following = days[number + 1]
        recent = number >= len(past) - 2  # the last two days' notes have not come in yet
        replay.at(following, dt.time(9, 40), _coding(replay, day=day, family=family, truant=truant, recent=recent))


def _day_of(replay: _Replay, rng: random.Random, *, student: User, day: dt.date, lessons: list[TimetableSlot],
            marks: dict[int, list[attendance.MarkIn]], ill_until: dict[int, dt.date], parent: User | None,
            lingering: User | None, days: list[dt.date], family: DemoAccounts) -> None:
    from krijt.demo.activity import _quiet_refusals

    school = replay.school
    periods = [s.lesson_period.number for s in lessons]
    ill = ill_until.get(student.pk, dt.date.min) >= day
    if student == lingering and day >= days[-2]:
        ill = True
        if day == days[-2] and parent is not None:
            def report_open(student: User = student, parent: User = parent, day: dt.date = day) -> None:  # type: ignore[assignment]
                with _quiet_refusals("a report until further notice"):
                    attendance.absence_report_create(school=school, actor=parent, roles=PARENT, student_id=student.pk,
                                                     starts_on=day, ends_on=None, reason="illness",
                                                     note="Koorts sinds gisterenavond. We houden u op de hoogte.")
                    replay.summary.counts["reports"] += 1

            replay.at(day, dt.time(7, 35), report_open)
    elif student == family.student:
        ill = day == days[-7] if len(days) > 7 else False
        if ill and parent is not None:
            note = "Buikgriep; morgen weer op school."
            replay.at(day, dt.time(7, 20), _report(replay, student, parent, day, day, note))
        if len(days) > 4 and day == days[-4]:
            marks[periods[0]].append(attendance.MarkIn(student.pk, "late", 6))
    elif not ill and rng.random() < ILL:
        length = rng.choice((1, 1, 1, 2, 3))
        last = days[min(days.index(day) + length - 1, len(days) - 1)]
        ill_until[student.pk] = last
        ill = True
        if parent is not None and rng.random() < REPORTED:
            replay.at(day, dt.time(7, rng.randint(5, 55)), _report(replay, student, parent, day, last, ""))
    if ill:
        for period in periods:
            marks[period].append(attendance.MarkIn(student.pk, "absent"))
        return
    if student != family.student and rng.random() < LATE:
        marks[periods[0]].append(attendance.MarkIn(student.pk, "late", rng.choice((3, 5, 5, 8, 12, 20))))
    if len(periods) > 2 and rng.random() < SKIPPED:
        marks[rng.choice(periods[1:])].append(attendance.MarkIn(student.pk, "absent"))


def _report(replay: _Replay, student: User, parent: User, first: dt.date, last: dt.date, note: str) -> Any:
    from krijt.demo.activity import _quiet_refusals

    def run() -> None:
        with _quiet_refusals("a reported absence"):
            attendance.absence_report_create(school=replay.school, actor=parent, roles=PARENT, student_id=student.pk,
                                             starts_on=first, ends_on=last, reason="illness", note=note)
            replay.summary.counts["reports"] += 1

    return run


def _coding(replay: _Replay, *, day: dt.date, family: DemoAccounts, truant: User | None, recent: bool) -> Any:
    return lambda: _code_day(replay, day=day, family=family, truant=truant, recent=recent)


def _code_day(replay: _Replay, *, day: dt.date, family: DemoAccounts, truant: User | None, recent: bool) -> None:
    """The office codes the absent half days of `day`: illness reported by the parents as Z on their statement
    (left for a certificate beyond the limit), and an illness whose note came in the next morning; the truant's
    mornings become B after a call home. Lessons missed without a word are left to be looked into."""
    from krijt.demo.activity import _quiet_refusals

    school = replay.school
    found = absences_on(school=school, day=day, uncoded_only=True)
    by_student: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    reported: dict[int, bool] = {}
    whole_day: dict[int, bool] = {}
    for f in found:
        by_student[f.student.pk].append((f.day, f.half.half))
        reported[f.student.pk] = reported.get(f.student.pk, True) and f.half.reported
        whole_day[f.student.pk] = all(lesson.state in {"absent", "reported"} for lesson in f.lessons)
    for student_id, halves in by_student.items():
        if truant is not None and student_id == truant.pk:
            with _quiet_refusals("coding a problematic absence"):
                attendance.half_days_code(school=school, actor=family.admin, roles=ADMIN, student_id=student_id,
                                          halves=halves, code="B", why="")
                replay.summary.counts["coded"] += len(halves)
        elif reported[student_id] or (whole_day[student_id] and not recent):
            with _quiet_refusals("coding an illness"):
                attendance.half_days_code(school=school, actor=family.admin, roles=ADMIN, student_id=student_id,
                                          halves=halves, code="Z", basis="parents")
                replay.summary.counts["coded"] += len(halves)

