from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core import clock, readahead
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.schools.calendar import LessonHours, SchoolCalendar, year_containing, year_for_day
from krijt.schools.models import (
    CalendarEntry,
    ClassGroup,
    Course,
    Enrollment,
    LessonPeriod,
    Period,
    School,
    SchoolYear,
    TimetableSlot,
)

logger = logging.getLogger(__name__)

SCHOOL_CACHE_SECONDS = 300


def school_cache_key(slug: str) -> str:
    return f"school:slug:{slug}"


def school_by_slug(slug: str) -> School | None:
    """One cache read on the hot path (read ahead with the session: krijt.core.readahead); the database
    when the cache is cold or down."""
    key = school_cache_key(slug)
    try:
        school = readahead.get(key)
    except Exception:
        school = None
    if school is not None:
        return school  # type: ignore[no-any-return]
    school = School.objects.filter(slug=slug).first()
    if school is not None:
        try:
            cache.set(key, school, SCHOOL_CACHE_SECONDS)
        except Exception:
            logger.warning("school cache unreachable", exc_info=True)
    return school


def school_logo_bytes(*, school: School) -> bytes | None:
    """The school's logo as stored (checked when it was uploaded), or None without one or when the storage
    cannot give it."""
    if not school.logo:
        return None
    try:
        with school.logo.open("rb") as handle:
            return bytes(handle.read())
    except OSError:
        logger.warning("the logo of %s could not be read", school.slug, exc_info=True)
        return None


def forget_school(slug: str) -> None:
    try:
        cache.delete(school_cache_key(slug))
    except Exception:
        logger.warning("school cache unreachable; %s stays cached until it expires", slug, exc_info=True)


def school_year_on(*, school: School, day: dt.date) -> SchoolYear | None:
    """The school year containing `day`, or else the nearest one (the coming one in summer)."""
    return year_for_day(SchoolYear.objects.filter(school=school).order_by("starts_on"), day)


def school_year_containing(*, school: School, day: dt.date) -> SchoolYear | None:
    """The school year `day` lies in, or None (a date in the summer or outside every year)."""
    return year_containing(SchoolYear.objects.filter(school=school).order_by("starts_on"), day)


def current_school_year(*, school: School) -> SchoolYear | None:
    return school_year_on(school=school, day=clock.local_today(school.time_zone))


def _calendar_cache_key(school_id: int) -> str:
    return f"school:calendar:{school_id}"


def school_calendar(*, school: School) -> SchoolCalendar:
    """The school's calendar: one cache read on the hot paths that ask it (home, planner, every notify).

    Changes to school years and calendar entries drop the cached copy (krijt/schools/signals.py); the
    school weekdays travel with the School object, so they are never stale here.
    """
    key = _calendar_cache_key(school.pk)
    try:
        cached = cache.get(key)
    except Exception:
        cached = None
    if cached is not None:
        years, closed = cached
    else:
        years = tuple(SchoolYear.objects.filter(school=school).values_list("starts_on", "ends_on"))
        closed = tuple(CalendarEntry.objects.filter(school=school).values_list("starts_on", "ends_on", "name"))
        try:
            cache.set(key, (years, closed), SCHOOL_CACHE_SECONDS)
        except Exception:
            logger.warning("school calendar cache unreachable", exc_info=True)
    return SchoolCalendar(weekdays=frozenset(school.weekdays), years=years, closed=closed)


def lesson_hours(*, school: School, class_group_id: int | None) -> LessonHours:
    """A class's school hours per weekday from its timetable: one query (two for a class without one).

    A class without any lesson in the timetable (a school that keeps no timetable in Krijt) falls back to
    the school's lesson periods on every school weekday; a school without lesson periods has no school
    hours at all (an empty LessonHours), and the rules that ask fall back to their own windows.
    """
    rows: list[tuple[int, dt.time, dt.time]] = []
    if class_group_id is not None:
        rows = list(
            TimetableSlot.objects.filter(school=school, course__class_group_id=class_group_id).values_list(
                "weekday", "lesson_period__starts_at", "lesson_period__ends_at"
            )
        )
    if not rows:
        periods = list(LessonPeriod.objects.filter(school=school).values_list("starts_at", "ends_at"))
        rows = [(weekday, start, end) for weekday in school.weekdays for start, end in periods]
    return LessonHours.from_lessons(rows)


def forget_calendar(school_id: int) -> None:
    try:
        cache.delete(_calendar_cache_key(school_id))
    except Exception:
        logger.warning("school calendar cache unreachable; it expires by itself", exc_info=True)


def class_list(*, school: School, school_year: SchoolYear) -> QuerySet[ClassGroup]:
    return (
        ClassGroup.objects.filter(school=school, school_year=school_year)
        .select_related("mentor")
        .annotate(student_count=Count("enrollments", filter=Q(enrollments__school=school)))
        .order_by("grade", "name")
    )


def class_for_user(*, school: School, user: User, roles: frozenset[str], class_id: int) -> ClassGroup:
    """A class the asking person may see: staff and admins all, teachers theirs, students their own."""
    qs = ClassGroup.objects.filter(school=school, pk=class_id)
    if not roles & {Role.ADMIN, Role.STAFF}:
        visible = Q(mentor=user) | Q(courses__teacher=user, courses__school=school)
        visible |= Q(enrollments__student=user, enrollments__school=school)
        qs = qs.filter(visible).distinct()
    group = qs.select_related("mentor", "school_year").first()
    if group is None:
        raise NotFound()
    return group


def students_of_class(*, school: School, class_group: ClassGroup) -> QuerySet[User]:
    return User.objects.filter(enrollments__school=school, enrollments__class_group=class_group).order_by(
        "last_name", "first_name"
    )


def classes_for_teacher(*, school: School, teacher: User, school_year: SchoolYear) -> QuerySet[ClassGroup]:
    return (
        ClassGroup.objects.filter(school=school, school_year=school_year)
        .filter(Q(mentor=teacher) | Q(courses__teacher=teacher, courses__school=school))
        .distinct()
        .select_related("mentor")
        .order_by("grade", "name")
    )


def courses_for_teacher(*, school: School, teacher: User, school_year: SchoolYear) -> QuerySet[Course]:
    return Course.objects.filter(school=school, school_year=school_year, teacher=teacher).select_related("class_group")


def enrollment_of(*, school: School, student: User, school_year: SchoolYear) -> Enrollment | None:
    return (
        Enrollment.objects.filter(school=school, school_year=school_year, student=student)
        .select_related("class_group")
        .first()
    )


def lessons_on(
    *,
    school: School,
    day: dt.date,
    student: User | None = None,
    teacher: User | None = None,
    class_group: ClassGroup | None = None,
    calendar: SchoolCalendar | None = None,
    year: SchoolYear | None = None,
) -> list[TimetableSlot]:
    """The timetable's lessons on one day for a student, a teacher or a class. Empty on a non-school day.

    A caller that already holds the calendar and the day's school year passes them, saving their reads.
    """
    calendar = calendar or school_calendar(school=school)
    if not calendar.is_school_day(day):
        return []
    year = year or school_year_on(school=school, day=day)
    if year is None:
        return []
    qs = TimetableSlot.objects.filter(school=school, school_year=year, weekday=day.isoweekday())
    if student is not None:
        qs = qs.filter(
            course__class_group__enrollments__student=student, course__class_group__enrollments__school=school
        )
    if teacher is not None:
        qs = qs.filter(course__teacher=teacher)
    if class_group is not None:
        qs = qs.filter(course__class_group=class_group)
    return list(
        qs.select_related("lesson_period", "course", "course__class_group", "course__teacher").order_by(
            "lesson_period__number"
        )
    )


def week_timetable(
    *, school: School, school_year: SchoolYear, class_group: ClassGroup | None = None, teacher: User | None = None
) -> list[TimetableSlot]:
    qs = TimetableSlot.objects.filter(school=school, school_year=school_year)
    if class_group is not None:
        qs = qs.filter(course__class_group=class_group)
    if teacher is not None:
        qs = qs.filter(course__teacher=teacher)
    return list(qs.select_related("lesson_period", "course", "course__class_group", "course__teacher"))


def lesson_periods(*, school: School) -> QuerySet[LessonPeriod]:
    return LessonPeriod.objects.filter(school=school).order_by("number")


def school_overview(*, school: School) -> dict[str, Any]:
    year = current_school_year(school=school)
    counts = dict(
        Membership.objects.filter(school=school).values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    classes = ClassGroup.objects.filter(school=school, school_year=year).count() if year else 0
    return {
        "school_year": year,
        "students": counts.get(Role.STUDENT, 0),
        "teachers": counts.get(Role.TEACHER, 0),
        "staff": counts.get(Role.STAFF, 0),
        "admins": counts.get(Role.ADMIN, 0),
        "classes": classes,
    }


# ---------------------------------------------------------------- people across schools


def schools_of(*, user: User) -> list[Any]:
    """Schools where the user has a role or a child, by name."""
    return list(
        School.objects.filter(pk__in=Membership.objects.filter(user=user).values("school_id"))
        .union(School.objects.filter(pk__in=ParentLink.objects.filter(parent=user).values("school_id")))
        .order_by("name")
    )


@dataclass(frozen=True)
class Child:
    student: User
    school: Any
    class_name: str | None


def children_of(*, parent: User) -> list[Child]:
    """A parent's children over every school, with their current class: three queries, however many children."""
    links = list(
        ParentLink.objects.filter(parent=parent)
        .select_related("student", "school")
        .order_by("student__first_name", "student__last_name")
    )
    if not links:
        return []
    school_ids = {link.school_id for link in links}
    years_by_school: dict[int, list[Any]] = {}
    for year in SchoolYear.objects.filter(school_id__in=school_ids).order_by("starts_on"):
        years_by_school.setdefault(year.school_id, []).append(year)
    current: dict[int, int] = {}
    for link in links:
        today = clock.local_today(link.school.time_zone)
        years = years_by_school.get(link.school_id, [])
        year = year_for_day(years, today)
        if year is not None:
            current[link.school_id] = year.pk
    classes = {
        (e.school_id, e.student_id): e.class_group.name
        for e in Enrollment.objects.filter(
            school_id__in=school_ids,
            school_year_id__in=current.values(),
            student_id__in=[link.student_id for link in links],
        ).select_related("class_group")
        if current.get(e.school_id) == e.school_year_id
    }
    return [Child(link.student, link.school, classes.get((link.school_id, link.student_id))) for link in links]


def period_in_school(*, school: School, period_id: int) -> Period:
    period = Period.objects.filter(school=school, pk=period_id).first()
    if period is None:
        raise NotFound()
    return period
