"""Taking a register, parents' reports, codes and their history: the rules held by the services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from krijt.accounts.models import Membership, ParentLink
from krijt.attendance import selectors, services
from krijt.attendance.models import AbsenceReport, CodeChange, HalfDayCode, Mark, Register
from krijt.attendance.rules import HalfState, LessonState
from krijt.attendance.services import MarkIn
from krijt.attendance.tests.conftest import MONDAY, TZ
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.schools.models import Enrollment
from tests.scenario import Scenario, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_ten")]

TEACHER = frozenset({Role.TEACHER})
OFFICE = frozenset({Role.STAFF})
PARENT = frozenset({Role.PARENT})


def maths(s: Scenario) -> int:
    return s.courses[0].pk  # class 1A, teacher 1, lesson 1


def take(s: Scenario, marks: list[MarkIn], *, period: int = 1, key: str = "", course: int | None = None,
         actor: object = None, roles: frozenset[str] = TEACHER) -> services.Taken:
    return services.register_take(school=s.school, actor=actor or s.teacher, roles=roles,  # type: ignore[arg-type]
                                  course_id=course or maths(s), day=MONDAY, period=period, marks=marks, client_key=key)


def test_a_register_writes_one_row_and_rows_for_the_exceptions_only(scenario: Scenario) -> None:
    s = scenario
    taken = take(s, [MarkIn(s.students[0].pk, "absent"), MarkIn(s.students[1].pk, "late", 7),
                     MarkIn(s.students[2].pk, "present")])
    assert taken.changed
    assert Register.objects.filter(school=s.school).count() == 1
    marks = {m.student_id: (m.status, m.late_minutes) for m in Mark.objects.filter(register=taken.register)}
    assert marks == {s.students[0].pk: ("absent", None), s.students[1].pk: ("late", 7)}


def test_saving_the_same_marks_again_changes_nothing(scenario: Scenario) -> None:
    s = scenario
    first = take(s, [MarkIn(s.students[0].pk, "absent")], key="k1")
    before = Register.objects.get(pk=first.register.pk).taken_at
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 35, tzinfo=TZ), tick=False):
        again = take(s, [MarkIn(s.students[0].pk, "absent")], key="k2")  # a second tap, another key
        retried = take(s, [MarkIn(s.students[1].pk, "absent")], key="k1")  # a retry of the first request
    assert not again.changed
    assert not retried.changed
    assert Register.objects.get(pk=first.register.pk).taken_at == before
    assert list(Mark.objects.values_list("student_id", flat=True)) == [s.students[0].pk]


def test_a_new_save_replaces_the_exceptions(scenario: Scenario) -> None:
    s = scenario
    take(s, [MarkIn(s.students[0].pk, "absent"), MarkIn(s.students[1].pk, "absent")])
    take(s, [MarkIn(s.students[1].pk, "late", 5)], key="k2")
    assert {(m.student_id, m.status) for m in Mark.objects.all()} == {(s.students[1].pk, "late")}


def test_the_queries_of_a_save_do_not_grow_with_the_class(scenario: Scenario) -> None:
    s = scenario
    group = s.classes[0]
    take(s, [], key="warm")  # the calendar and the school's rules are cached after the first
    counts = []
    for size, key in ((0, "a"), (25, "b"), (0, "c")):
        for n in range(size):
            student = make_user(f"extra{n}", "Extra", f"Student{n}")
            Membership.objects.create(school=s.school, user=student, role=Role.STUDENT)
            Enrollment.objects.create(school=s.school, school_year=s.year, class_group=group, student=student)
        ids = list(Enrollment.objects.filter(class_group=group).values_list("student_id", flat=True))
        marks = [MarkIn(pk, "absent") for pk in ids[: 1 + size // 10]]  # one absent of 3, three of 28, one
        Register.objects.all().delete()
        with CaptureQueriesContext(connection) as seen:
            take(s, marks, key=key)
        counts.append(len(seen.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[1] <= 14, "\n".join(q["sql"][:150] for q in seen.captured_queries)


def test_marks_are_checked(scenario: Scenario, other_school: Scenario) -> None:
    s = scenario
    cases = [
        [MarkIn(s.students[0].pk, "late")],  # no minutes
        [MarkIn(s.students[0].pk, "late", 500)],
        [MarkIn(s.students[0].pk, "not_expected")],  # no reason
        [MarkIn(s.students[0].pk, "gone")],
        [MarkIn(s.students[3].pk, "absent")],  # class 2A
        [MarkIn(other_school.students[0].pk, "absent")],
        [MarkIn(s.students[0].pk, "absent"), MarkIn(s.students[0].pk, "late", 3)],
    ]
    for marks in cases:
        with pytest.raises(ValidationFailed):
            take(s, marks)
    assert not Register.objects.exists()


def test_only_the_courses_teacher_the_mentor_and_the_office_take_a_register(scenario: Scenario) -> None:
    s = scenario
    other = s.teachers[1]  # teaches Dutch in 1A, not maths, and mentors 2A
    with pytest.raises(NotFound):
        take(s, [], actor=other)
    with pytest.raises(NotFound):
        take(s, [], actor=s.student, roles=frozenset({Role.STUDENT}))
    assert take(s, [], actor=s.staff, roles=OFFICE).changed


def test_a_lesson_that_has_not_begun_or_is_not_in_the_timetable_is_refused(scenario: Scenario) -> None:
    s = scenario
    assert take(s, [], period=3, course=s.courses[1].pk, actor=s.teachers[1]).changed  # 10:20, begun at 10:30
    with pytest.raises(ValidationFailed, match="not begun"):
        take(s, [], period=4, course=s.courses[3].pk, actor=s.teachers[1])  # 2A Dutch at 11:10
    with pytest.raises(NotFound):
        take(s, [], period=2)  # maths of 1A is in lesson 1, not 2


def test_a_report_shows_in_the_register_and_links_the_mark(scenario: Scenario) -> None:
    s = scenario
    child = s.students[0]
    report = services.absence_report_create(school=s.school, actor=s.parents[0], roles=PARENT, student_id=child.pk,
                                            starts_on=MONDAY, ends_on=None, reason="illness", note="Koorts")
    lesson = selectors.register_for_user(school=s.school, user=s.teacher, roles=TEACHER, course_id=maths(s),
                                         day=MONDAY, period=1)
    row = next(r for r in lesson.rows if r.student.pk == child.pk)
    assert row.report == report
    take(s, [MarkIn(child.pk, "absent")])
    assert Mark.objects.get(student=child).report_id == report.pk
    line = selectors.days_of_students(school=s.school, student_ids=[child.pk], start=MONDAY, end=MONDAY)[child.pk][0]
    assert line.halves[0].state == HalfState.ABSENT
    assert line.halves[0].reported


def test_a_report_before_the_register_counts_as_an_explained_absence(scenario: Scenario) -> None:
    s = scenario
    child = s.students[0]
    services.absence_report_create(school=s.school, actor=s.parents[0], roles=PARENT, student_id=child.pk,
                                   starts_on=MONDAY, ends_on=MONDAY, reason="medical")
    line = selectors.days_of_students(school=s.school, student_ids=[child.pk], start=MONDAY, end=MONDAY)[child.pk][0]
    assert [lesson.state for lesson in line.lessons] == [LessonState.REPORTED, LessonState.REPORTED]
    assert line.halves[0].state == HalfState.ABSENT


def test_reports_are_checked(scenario: Scenario) -> None:
    s = scenario
    child = s.students[0]

    def report(**kwargs: object) -> AbsenceReport:
        data: dict[str, object] = {"school": s.school, "actor": s.parents[0], "roles": PARENT, "student_id": child.pk,
                                   "starts_on": MONDAY, "ends_on": MONDAY, "reason": "illness"}
        return services.absence_report_create(**{**data, **kwargs})  # type: ignore[arg-type]

    with pytest.raises(ValidationFailed):
        report(starts_on=MONDAY - dt.timedelta(days=1))  # parents report on the day or ahead
    with pytest.raises(ValidationFailed):
        report(ends_on=MONDAY - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        report(reason="bored")
    with pytest.raises(NotFound):
        report(actor=s.parents[1])  # not their child
    with pytest.raises(Forbidden):
        report(actor=child, roles=frozenset({Role.STUDENT}))  # a minor's parents report
    report()
    with pytest.raises(Conflict):
        report(ends_on=None)
    staff_report = report(actor=s.staff, roles=OFFICE, starts_on=MONDAY - dt.timedelta(days=7),
                          ends_on=MONDAY - dt.timedelta(days=7))
    assert staff_report.reported_by == s.staff  # a report by phone, recorded a week later by the office


def test_until_further_notice_ends_the_day_before_the_child_is_back(scenario: Scenario) -> None:
    s = scenario
    report = services.absence_report_create(school=s.school, actor=s.parents[0], roles=PARENT,
                                            student_id=s.students[0].pk, starts_on=MONDAY, ends_on=None,
                                            reason="illness")
    services.absence_report_end(school=s.school, actor=s.parents[0], roles=PARENT, report_id=report.pk,
                                back_on=MONDAY + dt.timedelta(days=3))
    report.refresh_from_db()
    assert report.ends_on == MONDAY + dt.timedelta(days=2)
    with pytest.raises(NotFound):
        services.absence_report_end(school=s.school, actor=s.parents[1], roles=PARENT, report_id=report.pk,
                                    back_on=MONDAY)


def test_an_adult_student_reports_for_themselves_and_decides_what_parents_see(scenario: Scenario) -> None:
    s = scenario
    adult = s.students[0]
    adult.birth_date = dt.date(2008, 1, 1)
    adult.save(update_fields=["birth_date"])
    services.absence_report_create(school=s.school, actor=adult, roles=frozenset({Role.STUDENT}),
                                   student_id=adult.pk, starts_on=MONDAY, ends_on=MONDAY, reason="medical")
    services.sharing_update(school=s.school, student=adult, parents_may_see=False)
    with pytest.raises(NotFound):
        selectors.student_for_user(school=s.school, user=s.parents[0], roles=PARENT, student_id=adult.pk)
    with pytest.raises(NotFound):
        services.absence_report_create(school=s.school, actor=s.parents[0], roles=PARENT, student_id=adult.pk,
                                       starts_on=MONDAY + dt.timedelta(days=1), ends_on=None, reason="illness")
    services.sharing_update(school=s.school, student=adult, parents_may_see=True)
    assert selectors.student_for_user(school=s.school, user=s.parents[0], roles=PARENT, student_id=adult.pk) == adult
    with pytest.raises(Forbidden):
        services.sharing_update(school=s.school, student=s.students[1], parents_may_see=False)  # a minor


# --- codes ---------------------------------------------------------------------------------------------


def absent_on(s: Scenario, day: dt.date, student_index: int = 0) -> None:
    with time_machine.travel(dt.datetime.combine(day, dt.time(10, 30), TZ), tick=False):
        services.register_take(school=s.school, actor=s.teacher, roles=TEACHER, course_id=maths(s), day=day,
                               period=1, marks=[MarkIn(s.students[student_index].pk, "absent")])


def code(s: Scenario, days: list[dt.date], value: str, basis: str = "", why: str = "",
         roles: frozenset[str] = OFFICE) -> services.Coded:
    return services.half_days_code(school=s.school, actor=s.staff, roles=roles, student_id=s.students[0].pk,
                                   halves=[(d, "am") for d in days], code=value, basis=basis, why=why)


def test_the_office_codes_an_absence_and_every_change_is_kept(scenario: Scenario) -> None:
    s = scenario
    absent_on(s, MONDAY)
    assert selectors.absences_on(school=s.school, day=MONDAY)[0].code is None
    assert code(s, [MONDAY], "Z", "parents").changed == 1
    with pytest.raises(ValidationFailed, match="why"):
        code(s, [MONDAY], "Z", "medical")
    code(s, [MONDAY], "Z", "medical", why="Certificate brought in")
    history = list(CodeChange.objects.values_list("old_code", "new_code", "old_basis", "new_basis", "why"))
    assert history == [("", "Z", "", "parents", ""), ("Z", "Z", "parents", "medical", "Certificate brought in")]
    assert selectors.absences_on(school=s.school, day=MONDAY)[0].code.basis == "medical"  # type: ignore[union-attr]
    code(s, [MONDAY], "", why="Entered on the wrong pupil")
    assert not HalfDayCode.objects.exists()
    assert CodeChange.objects.count() == 3


def test_only_absent_half_days_get_a_code_and_only_the_office_gives_them(scenario: Scenario) -> None:
    s = scenario
    take(s, [])  # everyone present
    with pytest.raises(ValidationFailed):
        code(s, [MONDAY], "B")
    absent_on(s, MONDAY)
    with pytest.raises(Forbidden):
        code(s, [MONDAY], "B", roles=TEACHER)
    with pytest.raises(ValidationFailed):
        code(s, [MONDAY], "Z")  # illness needs what it rests on


def test_the_parents_statement_beyond_three_days_needs_a_certificate(scenario: Scenario) -> None:
    s = scenario
    days = [MONDAY + dt.timedelta(days=n) for n in range(4)]  # Monday to Thursday
    for day in days:
        absent_on(s, day)
    with time_machine.travel(dt.datetime(2026, 10, 9, 10, 0, tzinfo=TZ), tick=False):
        code(s, days[:3], "Z", "parents")
        with pytest.raises(ValidationFailed, match="medical certificate"):
            code(s, days[3:], "Z", "parents")
        assert not HalfDayCode.objects.filter(day=days[3]).exists()  # nothing converted behind anyone's back
        code(s, days[3:], "Z", "medical")


def test_the_parents_statement_may_be_used_four_times_a_year(scenario: Scenario) -> None:
    s = scenario
    mondays = [MONDAY + dt.timedelta(weeks=w) for w in range(5)]
    for day in mondays:
        absent_on(s, day)
    with time_machine.travel(dt.datetime(2026, 11, 6, 10, 0, tzinfo=TZ), tick=False):
        for day in mondays[:4]:
            code(s, [day], "Z", "parents")
        with pytest.raises(ValidationFailed, match="4 times"):
            code(s, [mondays[4]], "Z", "parents")
        use = selectors.statement_use(school=s.school, student=s.students[0], day=mondays[4])
        assert use is not None
        assert (use.episodes, use.max_times) == (4, 4)


def test_a_parent_link_is_what_lets_a_parent_see_a_child(scenario: Scenario) -> None:
    s = scenario
    assert selectors.student_for_user(school=s.school, user=s.parents[0], roles=PARENT,
                                      student_id=s.students[0].pk) == s.students[0]
    ParentLink.objects.filter(parent=s.parents[0]).delete()
    with pytest.raises(NotFound):
        selectors.student_for_user(school=s.school, user=s.parents[0], roles=PARENT, student_id=s.students[0].pk)


def test_a_report_across_a_weekend_and_a_holiday_covers_only_school_days(scenario: Scenario) -> None:
    s = scenario
    child = s.students[0]
    friday, tuesday_after = dt.date(2026, 12, 18), dt.date(2027, 1, 5)  # the Christmas holiday in between
    with time_machine.travel(dt.datetime(2026, 12, 18, 7, 30, tzinfo=TZ), tick=False):
        services.absence_report_create(school=s.school, actor=s.parents[0], roles=PARENT, student_id=child.pk,
                                       starts_on=friday, ends_on=tuesday_after, reason="illness")
    lines = selectors.days_of_students(school=s.school, student_ids=[child.pk], start=friday,
                                       end=tuesday_after)[child.pk]
    assert [line.day for line in lines] == [friday, dt.date(2027, 1, 4), tuesday_after]
    assert all(line.halves[0].state == HalfState.ABSENT and line.halves[0].reported for line in lines)


def test_a_report_from_a_lesson_on_covers_only_the_later_lessons_of_its_first_day(scenario: Scenario) -> None:
    s = scenario
    child = s.students[0]  # 1A: maths in lesson 1, Dutch in lesson 3
    with time_machine.travel(dt.datetime(2026, 10, 5, 7, 30, tzinfo=TZ), tick=False):
        services.absence_report_create(school=s.school, actor=s.parents[0], roles=PARENT, student_id=child.pk,
                                       starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=1), reason="medical",
                                       from_period=3)
    first, second = selectors.days_of_students(school=s.school, student_ids=[child.pk], start=MONDAY,
                                               end=MONDAY + dt.timedelta(days=1))[child.pk]
    assert [lesson.state for lesson in first.lessons] == [LessonState.NOT_TAKEN, LessonState.REPORTED]
    assert first.halves[0].state == HalfState.PENDING  # the first lesson decides the morning
    assert [lesson.state for lesson in second.lessons] == [LessonState.REPORTED, LessonState.REPORTED]
