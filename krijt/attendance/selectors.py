"""Reads of attendance. Each takes the school explicitly; those ending in `_for_user` check who asks.

Every read here costs a fixed number of queries, whatever the size of the class or the span of days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from krijt.accounts.models import ParentLink, User
from krijt.accounts.selectors import adults_keeping_private
from krijt.attendance import permissions, rules
from krijt.attendance.models import (
    AbsenceReport,
    AttendanceSettings,
    AttendanceSharing,
    CodeChange,
    FollowUp,
    HalfDayCode,
    LocalCode,
    Mark,
    Proof,
    Register,
    Review,
    Status,
)
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.schools.calendar import SchoolCalendar
from krijt.schools.models import (
    ClassGroup,
    Course,
    Enrollment,
    LessonPeriod,
    Period,
    School,
    SchoolYear,
    TimetableSlot,
)
from krijt.schools.selectors import school_calendar, school_year_on, students_of_class

# The longest span one read covers (a school year and a bit): a longer ask is cut, never refused.
MAX_SPAN_DAYS = 400


def settings_for(*, school: School) -> AttendanceSettings:
    """The school's attendance rules, or the defaults when it never changed them (not saved)."""
    return AttendanceSettings.objects.filter(school=school).first() or AttendanceSettings(school=school)


# --- a lesson's register ------------------------------------------------------------------------------


@dataclass
class Row:
    """One student in a lesson's register."""

    student: User
    mark: Mark | None = None
    report: AbsenceReport | None = None  # a parent's report covering this lesson
    earlier: list[Mark] = field(default_factory=list)  # the student's marks in earlier lessons that day

    @property
    def status(self) -> str:
        if self.mark is not None:
            return self.mark.status
        return "present"


@dataclass
class LessonRegister:
    course: Course
    class_group: ClassGroup
    day: dt.date
    lesson_period: LessonPeriod
    room: str
    register: Register | None
    rows: list[Row]
    may_save: bool  # false for a lesson that has not begun yet

    @property
    def taken(self) -> bool:
        return self.register is not None

    @property
    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counted[row.status] += 1
        return dict(counted)


def lesson_slot(*, school: School, course: Course, day: dt.date, period: int,
                calendar: SchoolCalendar | None = None) -> TimetableSlot:
    """The timetable slot of a course's lesson on a day, or NotFound (no such lesson, no school that day)."""
    calendar = calendar or school_calendar(school=school)
    if not calendar.is_school_day(day):
        raise NotFound()
    slot = (
        TimetableSlot.objects.filter(
            school=school, course=course, school_year_id=course.school_year_id, weekday=day.isoweekday(),
            lesson_period__number=period, school_year__starts_on__lte=day, school_year__ends_on__gte=day,
        )
        .select_related("lesson_period")
        .first()
    )
    if slot is None:
        raise NotFound()
    return slot


def course_for_register(*, school: School, user: User, roles: frozenset[str], course_id: int) -> Course:
    course = Course.objects.filter(school=school, pk=course_id).select_related("class_group").first()
    if course is None or not permissions.can_take_register(user=user, roles=roles, course=course):
        raise NotFound()
    return course


def lesson_begun(*, school: School, day: dt.date, starts: dt.time) -> bool:
    return clock.now() >= clock.aware(day, starts, school.time_zone) - dt.timedelta(minutes=15)


def register_for_user(
    *, school: School, user: User, roles: frozenset[str], course_id: int, day: dt.date, period: int
) -> LessonRegister:
    """A lesson's register with each student's mark, a parent's report covering the lesson and the marks of
    earlier lessons that day. Seven queries, whatever the size of the class."""
    course = course_for_register(school=school, user=user, roles=roles, course_id=course_id)
    slot = lesson_slot(school=school, course=course, day=day, period=period)
    group = course.class_group
    students = list(students_of_class(school=school, class_group=group))
    ids = [s.pk for s in students]
    register = Register.objects.filter(school=school, course=course, day=day, period=period).first()
    marks = list(Mark.objects.filter(school=school, student_id__in=ids, day=day).order_by("period"))
    reports = reports_covering(school=school, student_ids=ids, start=day, end=day)
    rows = []
    for student in students:
        row = Row(student=student)
        for mark in marks:
            if mark.student_id != student.pk:
                continue
            if register is not None and mark.register_id == register.pk:
                row.mark = mark
            elif mark.period < period:
                row.earlier.append(mark)
        row.report = report_covering(reports.get(student.pk, ()), day, period)
        rows.append(row)
    return LessonRegister(
        course=course, class_group=group, day=day, lesson_period=slot.lesson_period, room=slot.room,
        register=register, rows=rows,
        may_save=day < clock.local_today(school.time_zone)
        or lesson_begun(school=school, day=day, starts=slot.lesson_period.starts_at),
    )


def report_covering(reports: Iterable[AbsenceReport], day: dt.date, period: int) -> AbsenceReport | None:
    for report in reports:
        whole_day = report.from_period is None or report.starts_on < day
        if report.covers(day) and (whole_day or period >= (report.from_period or 0)):
            return report
    return None


def reports_covering(
    *, school: School, student_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[AbsenceReport]]:
    found: dict[int, list[AbsenceReport]] = defaultdict(list)
    for report in AbsenceReport.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start),
        school=school, student_id__in=list(student_ids), starts_on__lte=end, withdrawn_at__isnull=True,
    ).order_by("starts_on", "pk"):
        found[report.student_id].append(report)
    return found


# --- a student's register over days ------------------------------------------------------------------


@dataclass
class LessonLine:
    period: int
    starts: dt.time
    ends: dt.time
    course: str
    state: rules.LessonState
    late_minutes: int | None = None
    reason: str = ""
    reported: bool = False


@dataclass
class DayLine:
    day: dt.date
    lessons: list[LessonLine]
    halves: tuple[rules.HalfDay, rules.HalfDay]
    codes: dict[str, HalfDayCode]

    @property
    def eventful(self) -> bool:
        """Anything other than present everywhere (or nothing yet)."""
        return any(line.state not in (rules.LessonState.PRESENT, rules.LessonState.NOT_TAKEN)
                   for line in self.lessons)


def days_of_students(
    *, school: School, student_ids: Iterable[int], start: dt.date, end: dt.date,
    settings: AttendanceSettings | None = None, calendar: SchoolCalendar | None = None,
) -> dict[int, list[DayLine]]:
    """Each student's days from `start` to `end` (school days only): lessons with their state, the two
    half days and their codes. Seven queries, whatever the number of students or days."""
    ids = sorted(set(student_ids))
    end = min(end, start + dt.timedelta(days=MAX_SPAN_DAYS))
    if not ids or end < start:
        return {}
    settings = settings or settings_for(school=school)
    calendar = calendar or school_calendar(school=school)
    years = list(SchoolYear.objects.filter(school=school, starts_on__lte=end, ends_on__gte=start))
    enrolled: dict[tuple[int, int], int] = {
        (e.student_id, e.school_year_id): e.class_group_id
        for e in Enrollment.objects.filter(school=school, student_id__in=ids, school_year__in=years)
    }
    class_ids = set(enrolled.values())
    slots: dict[int, list[TimetableSlot]] = defaultdict(list)
    for slot in (TimetableSlot.objects.filter(school=school, course__class_group_id__in=class_ids)
                 .select_related("lesson_period", "course").order_by("lesson_period__number")):
        slots[slot.course.class_group_id].append(slot)
    taken = set(Register.objects.filter(school=school, class_group_id__in=class_ids, day__gte=start, day__lte=end)
                .values_list("course_id", "day", "period"))
    marks = {(m.student_id, m.day, m.period): m
             for m in Mark.objects.filter(school=school, student_id__in=ids, day__gte=start, day__lte=end)}
    reports = reports_covering(school=school, student_ids=ids, start=start, end=end)
    codes: dict[tuple[int, dt.date], dict[str, HalfDayCode]] = defaultdict(dict)
    for code in HalfDayCode.objects.filter(school=school, student_id__in=ids, day__gte=start, day__lte=end):
        codes[(code.student_id, code.day)][code.half] = code
    result: dict[int, list[DayLine]] = {}
    for student_id in ids:
        lines = []
        day = start
        while day <= end:
            year = next((y for y in years if y.starts_on <= day <= y.ends_on), None)
            group = enrolled.get((student_id, year.pk)) if year is not None else None
            if group is not None and calendar.is_school_day(day):
                lines.append(_day_line(
                    day, [s for s in slots[group] if s.weekday == day.isoweekday() and s.school_year_id == year.pk],  # type: ignore[union-attr]
                    student_id=student_id, taken=taken, marks=marks, reports=reports.get(student_id, ()),
                    codes=codes.get((student_id, day), {}), settings=settings,
                ))
            day += dt.timedelta(days=1)
        result[student_id] = lines
    return result


def _day_line(day: dt.date, slots: list[TimetableSlot], *, student_id: int, taken: set[tuple[int, dt.date, int]],
              marks: dict[tuple[int, dt.date, int], Mark], reports: Iterable[AbsenceReport],
              codes: dict[str, HalfDayCode], settings: AttendanceSettings) -> DayLine:
    lessons, states, reasons, reported = [], {}, {}, set()
    for slot in slots:
        period = slot.lesson_period.number
        mark = marks.get((student_id, day, period))
        report = report_covering(reports, day, period)
        state = rules.lesson_state(mark_status=mark.status if mark else None,
                                   register_taken=(slot.course_id, day, period) in taken, reported=report is not None)
        explained = report is not None and state in (rules.LessonState.ABSENT, rules.LessonState.REPORTED)
        if explained:
            reported.add(period)
        states[period] = state
        reasons[period] = mark.reason if mark else ""
        lessons.append(LessonLine(
            period=period, starts=slot.lesson_period.starts_at, ends=slot.lesson_period.ends_at,
            course=slot.course.name, state=state, late_minutes=mark.late_minutes if mark else None,
            reason=mark.reason if mark else "", reported=explained,
        ))
    halves = rules.half_day_status(
        is_school_day=True, lessons=[rules.Lesson(line.period, line.starts) for line in lessons], states=states,
        afternoon_from=settings.afternoon_from, counting_periods=settings.counting_periods or (), reasons=reasons,
        reported=reported,
    )
    return DayLine(day=day, lessons=lessons, halves=halves, codes=codes)


# --- who may see a student's register ----------------------------------------------------------------


def parents_may_see(*, school: School, student: User, today: dt.date | None = None) -> bool:
    """Parents see a student's attendance unless the student is an adult who said no."""
    today = today or clock.local_today(school.time_zone)
    if not student.is_adult_on(today):
        return True
    return student.pk not in adults_keeping_private(AttendanceSharing, school=school, student_ids={student.pk},
                                                    today=today)


def hidden_from_parents(school: School, student_ids: set[int]) -> set[int]:
    """Of `student_ids`, the adult students who keep their attendance from their parents. One query."""
    return adults_keeping_private(AttendanceSharing, school=school, student_ids=student_ids,
                                  today=clock.local_today(school.time_zone))


def sharing_of(*, school: School, student: User) -> bool:
    row = AttendanceSharing.objects.filter(school=school, student=student).first()
    return True if row is None else row.parents_may_see


def student_for_user(*, school: School, user: User, roles: frozenset[str], student_id: int) -> User:
    """A student whose register the asker may read: themselves, their child (unless an adult child said
    no), a student of a class they mentor or teach, or anyone for staff. Anyone else: not found."""
    if Role.STUDENT in roles and student_id == user.pk:
        return user
    enrollment = (Enrollment.objects.filter(school=school, student_id=student_id)
                  .select_related("student", "class_group").order_by("-school_year__starts_on").first())
    if enrollment is None:
        raise NotFound()
    student = enrollment.student
    if roles & permissions.OFFICE_ROLES:
        return student
    if Role.TEACHER in roles and (
        enrollment.class_group.mentor_id == user.pk
        or Course.objects.filter(school=school, class_group=enrollment.class_group, teacher=user).exists()
    ):
        return student
    if (Role.PARENT in roles and ParentLink.objects.filter(school=school, parent=user, student=student).exists()
            and parents_may_see(school=school, student=student)):
        return student
    raise NotFound()


def children_for_parent(*, school: School, parent: User) -> list[User]:
    return [link.student for link in ParentLink.objects.filter(school=school, parent=parent)
            .select_related("student").order_by("student__first_name", "student__last_name", "pk")]


def reports_of(*, school: School, student: User, since: dt.date | None = None) -> list[AbsenceReport]:
    qs = AbsenceReport.objects.filter(school=school, student=student, withdrawn_at__isnull=True)
    if since is not None:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=since))
    return list(qs.select_related("reported_by").order_by("-starts_on", "-pk")[:50])


def report_for_user(*, school: School, user: User, roles: frozenset[str], report_id: int) -> AbsenceReport:
    report = AbsenceReport.objects.filter(school=school, pk=report_id).select_related("student").first()
    if report is None:
        raise NotFound()
    student_for_user(school=school, user=user, roles=roles, student_id=report.student_id)
    return report


# --- the secretariat ---------------------------------------------------------------------------------


@dataclass
class OpenHalfDay:
    student: User
    class_name: str
    day: dt.date
    half: rules.HalfDay
    code: HalfDayCode | None
    lessons: list[LessonLine]


def absences_on(*, school: School, day: dt.date, uncoded_only: bool = False) -> list[OpenHalfDay]:
    """Every absent half day on `day` across the school, with its code if one was given: what the
    secretariat codes. A fixed number of queries."""
    marked = set(Mark.objects.filter(school=school, day=day, status=Status.ABSENT).values_list("student_id", flat=True))
    covered = set(AbsenceReport.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day), school=school, starts_on__lte=day, withdrawn_at__isnull=True,
    ).values_list("student_id", flat=True))
    ids = marked | covered
    if not ids:
        return []
    year = school_year_on(school=school, day=day)
    names = {}
    if year is not None:
        names = {e.student_id: (e.student, e.class_group.name) for e in Enrollment.objects.filter(
            school=school, school_year=year, student_id__in=ids).select_related("student", "class_group")}
    lines = days_of_students(school=school, student_ids=names.keys(), start=day, end=day)
    found = []
    for student_id, (student, class_name) in names.items():
        for line in lines.get(student_id, ()):
            for half in line.halves:
                if half.state != rules.HalfState.ABSENT:
                    continue
                code = line.codes.get(half.half)
                if uncoded_only and code is not None:
                    continue
                found.append(OpenHalfDay(student=student, class_name=class_name, day=day, half=half, code=code,
                                         lessons=line.lessons))
    found.sort(key=lambda o: (o.class_name, o.student.last_name, o.student.first_name, o.student.pk, o.half.half))
    return found


def code_history(*, school: School, student: User, day: dt.date) -> list[CodeChange]:
    return list(CodeChange.objects.filter(school=school, student=student, day=day).select_related("changed_by"))


def local_codes(*, school: School) -> list[LocalCode]:
    return list(LocalCode.objects.filter(school=school, active=True))


def parent_statement_days(*, school: School, student: User, year: SchoolYear) -> list[dt.date]:
    """The days already coded as illness on the parents' statement in a school year."""
    return sorted(set(HalfDayCode.objects.filter(
        school=school, student=student, code="Z", basis="parents", day__gte=year.starts_on, day__lte=year.ends_on,
    ).values_list("day", flat=True)))


def proofs_of(*, school: School, student: User) -> list[Proof]:
    return list(Proof.objects.filter(school=school, student=student).order_by("-uploaded_at")[:20])


def taken_lessons(*, school: School, day: dt.date, course_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(course, period) of the lessons of these courses whose register is taken on `day`. One query."""
    ids = list(course_ids)
    if not ids:
        return set()
    return set(Register.objects.filter(school=school, day=day, course_id__in=ids).values_list("course_id", "period"))


@dataclass(frozen=True)
class Summary:
    absent_halves: int
    unexplained_halves: int  # absent without a report and without a code
    late: int
    by_code: dict[str, int]


def summary(lines: Iterable[DayLine]) -> Summary:
    absent = unexplained = late = 0
    by_code: dict[str, int] = defaultdict(int)
    for line in lines:
        late += sum(1 for lesson in line.lessons if lesson.state == rules.LessonState.LATE)
        for half in line.halves:
            if half.state != rules.HalfState.ABSENT:
                continue
            absent += 1
            code = line.codes.get(half.half)
            if code is not None:
                by_code[code.code] += 1
            elif not half.reported:
                unexplained += 1
    return Summary(absent, unexplained, late, dict(sorted(by_code.items())))


def code_history_between(*, school: School, student: User, start: dt.date, end: dt.date) -> list[CodeChange]:
    return list(CodeChange.objects.filter(school=school, student=student, day__gte=start, day__lte=end)
                .select_related("changed_by").order_by("-changed_at", "-pk")[:50])


@dataclass(frozen=True)
class StatementUse:
    """How often a student's illness rested on the parents' statement this school year, against the limit."""

    episodes: int
    max_times: int
    max_days: int


def statement_use(*, school: School, student: User, day: dt.date) -> StatementUse | None:
    year = school_year_on(school=school, day=day)
    if year is None:
        return None
    settings = settings_for(school=school)
    calendar = school_calendar(school=school)
    episodes = rules.illness_episodes(parent_statement_days(school=school, student=student, year=year),
                                      is_school_day=calendar.is_school_day)
    return StatementUse(len(episodes), settings.parent_statement_times, settings.parent_statement_days)


# --- reviews and follow-ups ----------------------------------------------------------------------------


def _reviewable_classes(*, school: School, user: User, roles: frozenset[str]) -> Q | None:
    """None: every class (the office); else the classes the person mentors."""
    if roles & permissions.OFFICE_ROLES:
        return None
    return Q(class_group__mentor=user)


def open_reviews(*, school: School, user: User, roles: frozenset[str], limit: int = 200) -> list[Review]:
    """Unexplained absences still to look into, the oldest due first: every class for the office, the
    classes they mentor for a teacher. One query."""
    if not roles & (permissions.OFFICE_ROLES | {Role.TEACHER}):
        return []
    qs = Review.objects.filter(school=school, closed_at__isnull=True)
    scope = _reviewable_classes(school=school, user=user, roles=roles)
    if scope is not None:
        qs = qs.filter(scope)
    return list(qs.select_related("student", "class_group").order_by("due_on", "day", "pk")[:limit])


def review_for_user(*, school: School, user: User, roles: frozenset[str], review_id: int) -> Review:
    review = Review.objects.filter(school=school, pk=review_id).select_related("class_group", "student").first()
    if review is None or not permissions.can_review_class(user=user, roles=roles, class_group=review.class_group):
        raise NotFound()
    return review


def follow_ups_for(*, school: School, user: User, roles: frozenset[str]) -> list[FollowUp]:
    """Open follow-ups: all for the office, those of their classes' students for a mentor. Two queries."""
    qs = FollowUp.objects.filter(school=school, closed_at__isnull=True).select_related("student")
    if not roles & permissions.OFFICE_ROLES:
        if Role.TEACHER not in roles:
            return []
        mentored = Enrollment.objects.filter(school=school, class_group__mentor=user).values("student_id")
        qs = qs.filter(student_id__in=mentored)
    return list(qs.order_by("created_at", "pk")[:200])


def follow_up_for_user(*, school: School, user: User, roles: frozenset[str], follow_up_id: int) -> FollowUp:
    row = FollowUp.objects.filter(school=school, pk=follow_up_id).select_related("student", "school_year").first()
    if row is None:
        raise NotFound()
    if roles & permissions.OFFICE_ROLES:
        return row
    enrollment = Enrollment.objects.filter(school=school, student=row.student, school_year=row.school_year) \
        .select_related("class_group").first()
    if Role.TEACHER in roles and enrollment is not None and enrollment.class_group.mentor_id == user.pk:
        return row
    raise NotFound()


def class_for_report(*, school: School, user: User, roles: frozenset[str], class_id: int) -> ClassGroup:
    """A class whose register the asker may read and export: the office, or its mentor."""
    group = ClassGroup.objects.filter(school=school, pk=class_id).select_related("school_year").first()
    if group is None or not permissions.can_review_class(user=user, roles=roles, class_group=group):
        raise NotFound()
    return group


def reportable_classes(*, school: School, user: User, roles: frozenset[str], day: dt.date) -> list[ClassGroup]:
    year = school_year_on(school=school, day=day)
    if year is None:
        return []
    qs = ClassGroup.objects.filter(school=school, school_year=year)
    if not roles & permissions.OFFICE_ROLES:
        qs = qs.filter(mentor=user)
    return list(qs.order_by("grade", "name"))


REGISTER_YEARS = 5  # the half-day register is kept five years


@dataclass(frozen=True)
class Retention:
    register_until: dt.date
    proofs_until: dt.date


def retention(*, school: School, period: Period) -> Retention:
    """How long the law keeps what a period's register holds: the register five years after its school
    year; proofs until 31 August of the next school year."""
    year_end = SchoolYear.objects.filter(school=school, pk=period.school_year_id).values_list("ends_on", flat=True) \
        .first() or period.ends_on
    return Retention(register_until=dt.date(year_end.year + REGISTER_YEARS, 8, 31),
                     proofs_until=dt.date(year_end.year + 1, 8, 31))


@dataclass(frozen=True)
class OfficeSummary:
    absent_halves: int
    uncoded: int
    reviews: int
    overdue: int
    follow_ups: int


def office_summary(*, school: School, user: User, roles: frozenset[str], day: dt.date) -> OfficeSummary:
    """What the office's Today shows of attendance: the day's absent half days, how many still lack a code,
    the absences to look into (and how many are overdue) and the open follow-ups."""
    found = absences_on(school=school, day=day)
    reviews = Review.objects.filter(school=school, closed_at__isnull=True)
    return OfficeSummary(
        absent_halves=len(found), uncoded=sum(1 for f in found if f.code is None), reviews=reviews.count(),
        overdue=reviews.filter(due_on__lt=day).count(),
        follow_ups=FollowUp.objects.filter(school=school, closed_at__isnull=True).count(),
    )


def proof_for_user(*, school: School, roles: frozenset[str], proof_id: int) -> Proof:
    """A proof, for the secretariat only."""
    proof = Proof.objects.filter(school=school, pk=proof_id).first() if permissions.can_code(roles=roles) else None
    if proof is None:
        raise NotFound()
    return proof


def periods_of(*, school: School, class_group: ClassGroup) -> list[Period]:
    return list(Period.objects.filter(school=school, school_year_id=class_group.school_year_id).order_by("starts_on"))


def period_chosen(periods: list[Period], wanted: str, today: dt.date) -> Period:
    """The period asked for; else the one containing today; else the last one past, or the first."""
    if not periods:
        raise NotFound()
    chosen = next((p for p in periods if str(p.pk) == wanted), None)
    if chosen is None:
        chosen = next((p for p in periods if p.starts_on <= today <= p.ends_on),
                      periods[-1] if periods[-1].ends_on < today else periods[0])
    return chosen
