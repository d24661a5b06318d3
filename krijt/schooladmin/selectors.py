"""Reads for the administration pages. Every query filters on the school it is given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.schools.calendar import year_for_day
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
from krijt.schools.selectors import school_calendar

PEOPLE_PER_PAGE = 50
ROLE_ORDER = [Role.ADMIN, Role.STAFF, Role.TEACHER, Role.STUDENT, Role.PARENT]

M = TypeVar("M", bound=Model)


def owned(model: type[M], *, school: School, pk: int, related: tuple[str, ...] = ()) -> M:
    """The object with this id in this school; another school's id is simply not found."""
    qs = model._default_manager.filter(school=school, pk=pk)  # type: ignore[misc]
    if related:
        qs = qs.select_related(*related)
    obj = qs.first()
    if obj is None:
        raise NotFound()
    return obj  # type: ignore[no-any-return]


# ---------------------------------------------------------------- school years


def school_years(*, school: School) -> list[SchoolYear]:
    return list(SchoolYear.objects.filter(school=school).order_by("-starts_on"))


def pick_year(years: list[SchoolYear], *, today: dt.date, year_id: int | None = None) -> SchoolYear | None:
    """The asked year, else the one containing today, else the coming one, else the latest.

    The one rule (krijt.schools.calendar.year_for_day), applied to an already-loaded list so the page
    spends no second query on it.
    """
    if year_id is not None:
        for year in years:
            if year.pk == year_id:
                return year
    return year_for_day(years, today)


# ---------------------------------------------------------------- people


def _school_people(school: School, role: str | None) -> QuerySet[User]:
    members = Membership.objects.filter(school=school)
    parents = ParentLink.objects.filter(school=school).values("parent_id")
    if role == Role.PARENT:
        return User.objects.filter(pk__in=parents)
    if role:
        return User.objects.filter(pk__in=members.filter(role=role).values("user_id"))
    return User.objects.filter(Q(pk__in=members.values("user_id")) | Q(pk__in=parents))


def _search(qs: QuerySet[User], query: str) -> QuerySet[User]:
    """Every word must start a first name, last name (or a part of it: "smet" finds "De Smet") or user name."""
    terms = query.lower().split()[:5]
    if not terms:
        return qs
    qs = qs.annotate(last_lower=Lower("last_name"), first_lower=Lower("first_name"))
    for term in terms:
        qs = qs.filter(
            Q(last_lower__startswith=term)
            | Q(last_lower__contains=" " + term)
            | Q(first_lower__startswith=term)
            | Q(username__startswith=term)
        )
    return qs


def people(*, school: School, search: str = "", role: str | None = None) -> QuerySet[User]:
    """The one people search: the school's members and parents (or those of one role), every word of
    `search` starting a name or the user name, by name. The people page and the API both use it."""
    return _search(_school_people(school, role), search).order_by(Lower("last_name"), Lower("first_name"), "pk")


@dataclass
class PersonRow:
    user: User
    roles: list[str]
    class_group: ClassGroup | None


def _roles_of(user: User) -> list[str]:
    have = {m.role for m in getattr(user, "school_memberships", [])}
    if getattr(user, "school_children", []):
        have.add(Role.PARENT)
    return [r for r in ROLE_ORDER if r in have]


def people_page(*, school: School, school_year: SchoolYear | None, query: str = "", role: str | None = None,
                page: Any = 1) -> Page:
    """One page of the school's people; a fixed number of queries whatever the school's size.

    The count and the page are two queries; roles, classes and parent links are fetched for the
    page's 50 people only.
    """
    qs = people(school=school, search=query, role=role)
    qs = qs.only("pk", "username", "first_name", "last_name", "email", "birth_date")
    enrollments = Enrollment.objects.filter(school=school).select_related("class_group")
    enrollments = enrollments.filter(school_year=school_year) if school_year else enrollments.none()
    qs = qs.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(school=school).only("user_id", "role"),
                 to_attr="school_memberships"),
        Prefetch("enrollments", queryset=enrollments, to_attr="school_enrollments"),
        Prefetch("children_links", queryset=ParentLink.objects.filter(school=school).only("parent_id"),
                 to_attr="school_children"),
    )
    result = Paginator(qs, PEOPLE_PER_PAGE).get_page(page)
    rows: list[Any] = [
        PersonRow(user, _roles_of(user), user.school_enrollments[0].class_group if user.school_enrollments else None)
        for user in result.object_list
    ]
    result.object_list = rows
    return result


def person_in_school(*, school: School, person_id: int) -> User:
    """A member of the school, or a parent of one of its students; anyone else is not found here."""
    user = _school_people(school, None).filter(pk=person_id).first()
    if user is None:
        raise NotFound()
    return user


@dataclass
class Relative:
    user: User
    class_group: ClassGroup | None = None


@dataclass
class PersonProfile:
    user: User
    roles: list[str]
    class_group: ClassGroup | None
    parents: list[User] = field(default_factory=list)
    children: list[Relative] = field(default_factory=list)


def person_profile(*, school: School, user: User, school_year: SchoolYear | None) -> PersonProfile:
    roles = set(Membership.objects.filter(school=school, user=user).values_list("role", flat=True))
    children_links = list(
        ParentLink.objects.filter(school=school, parent=user).select_related("student")
        .order_by("student__last_name", "student__first_name")
    )
    if children_links:
        roles.add(Role.PARENT)
    classes: dict[int, ClassGroup] = {}
    ids = [user.pk, *(link.student_id for link in children_links)]
    if school_year is not None:
        for enrollment in Enrollment.objects.filter(school=school, school_year=school_year, student_id__in=ids
                                                   ).select_related("class_group"):
            classes[enrollment.student_id] = enrollment.class_group
    parents: list[User] = []
    if Role.STUDENT in roles:
        parents = list(User.objects.filter(children_links__school=school, children_links__student=user)
                       .order_by("last_name", "first_name"))
    return PersonProfile(
        user=user,
        roles=[r for r in ROLE_ORDER if r in roles],
        class_group=classes.get(user.pk),
        parents=parents,
        children=[Relative(link.student, classes.get(link.student_id)) for link in children_links],
    )


def teachers(*, school: School) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=Membership.objects.filter(school=school, role=Role.TEACHER).values("user_id")
    ).order_by("last_name", "first_name")


# ---------------------------------------------------------------- classes, courses, timetable


def classes_of_year(*, school: School, school_year: SchoolYear | None) -> QuerySet[ClassGroup]:
    if school_year is None:
        return ClassGroup.objects.none()
    return ClassGroup.objects.filter(school=school, school_year=school_year).order_by("grade", "name")


def class_students(*, school: School, class_group: ClassGroup) -> list[User]:
    return list(
        User.objects.filter(enrollments__school=school, enrollments__class_group=class_group)
        .order_by("last_name", "first_name")
    )


COURSES_PER_PAGE = 50


def course_list(*, school: School, school_year: SchoolYear | None,
                class_group: ClassGroup | None = None, query: str = "") -> QuerySet[Course]:
    """Courses with their class, teacher and the number of weekly lessons in the timetable; `query` finds
    a course by its name or code, or by its teacher's name."""
    if school_year is None:
        return Course.objects.none()
    qs = Course.objects.filter(school=school, school_year=school_year)
    if class_group is not None:
        qs = qs.filter(class_group=class_group)
    for word in query.split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(code__iexact=word) | Q(teacher__first_name__istartswith=word)
                       | Q(teacher__last_name__istartswith=word))
    return (
        qs.select_related("class_group", "teacher")
        .annotate(lessons=Count("slots", filter=Q(slots__school=school)))
        .order_by("class_group__grade", "class_group__name", "name", "pk")
    )


def course_page(*, school: School, school_year: SchoolYear | None, class_group: ClassGroup | None = None,
                query: str = "", page: int | str = 1) -> Any:
    return Paginator(course_list(school=school, school_year=school_year, class_group=class_group, query=query),
                     COURSES_PER_PAGE).get_page(page)


@dataclass
class GridRow:
    lesson_period: LessonPeriod
    cells: list[list[TimetableSlot]]


@dataclass
class TimetableGrid:
    weekdays: list[int]
    rows: list[GridRow]
    slot_count: int = 0

    @property
    def weekday_names(self) -> list[tuple[int, str]]:
        names = {n: capfirst(name) for n, name in enumerate(
            (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")),
            start=1)}
        return [(d, names[d]) for d in self.weekdays]


def timetable_grid(*, school: School, class_group: ClassGroup) -> TimetableGrid:
    """The class's week: one row per lesson period, one column per school weekday (two queries)."""
    periods = list(LessonPeriod.objects.filter(school=school).order_by("number"))
    slots = list(
        TimetableSlot.objects.filter(school=school, course__class_group=class_group)
        .select_related("course", "course__teacher")
        .order_by("course__name")
    )
    weekdays = sorted(set(school.weekdays) | {s.weekday for s in slots})
    cells: dict[tuple[int, int], list[TimetableSlot]] = {}
    for slot in slots:
        cells.setdefault((slot.lesson_period_id, slot.weekday), []).append(slot)
    rows = [GridRow(p, [cells.get((p.pk, d), []) for d in weekdays]) for p in periods]
    return TimetableGrid(weekdays=weekdays, rows=rows, slot_count=len(slots))


# ---------------------------------------------------------------- calendar


def calendar_years(*, school: School) -> list[SchoolYear]:
    """School years, newest first, each with its periods and calendar entries (three queries)."""
    return list(
        SchoolYear.objects.filter(school=school).order_by("-starts_on").prefetch_related(
            Prefetch("periods", queryset=Period.objects.filter(school=school).order_by("starts_on")),
            Prefetch("calendar_entries", queryset=CalendarEntry.objects.filter(school=school).order_by("starts_on")),
        )
    )


@dataclass
class DayRange:
    first: dt.date
    last: dt.date
    reason: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def non_school_days(*, school: School, start: dt.date, days: int = 31) -> list[DayRange]:
    """The coming days without school, as ranges of consecutive days with the same reason."""
    calendar = school_calendar(school=school)
    weekdays = set(school.weekdays)
    ranges: list[DayRange] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        if calendar.is_school_day(day):
            continue
        closure = calendar.closure_on(day)
        if closure is not None:
            reason = closure
        elif not calendar.in_school_year(day):
            reason = _("Outside the school year")
        elif day.isoweekday() not in weekdays:
            reason = _("No lessons on this weekday")
        else:
            reason = _("No school")
        last = ranges[-1] if ranges else None
        if last is not None and last.reason == reason and last.last + dt.timedelta(days=1) == day:
            last.last = day
        else:
            ranges.append(DayRange(day, day, reason))
    return ranges


# ---------------------------------------------------------------- the API's lists (one page of people with
# their roles, courses, the calendar at a glance)

PEOPLE_PAGE_SIZE = 50


def roles_by_user(*, school: School, user_ids: list[int]) -> dict[int, set[str]]:
    """Each listed person's roles in the school, in two queries whatever the number of people."""
    result: dict[int, set[str]] = {uid: set() for uid in user_ids}
    for uid, role in Membership.objects.filter(school=school, user_id__in=user_ids).values_list("user_id", "role"):
        result[uid].add(role)
    for uid in ParentLink.objects.filter(school=school, parent_id__in=user_ids).values_list("parent_id", flat=True):
        result[uid].add(Role.PARENT.value)
    return result


@dataclass(frozen=True)
class PeoplePage:
    people: list[User]
    roles: dict[int, set[str]]
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


def people_page_with_roles(
    *, school: School, search: str = "", role: str | None = None, page: int = 1, page_size: int = PEOPLE_PAGE_SIZE
) -> PeoplePage:
    """The API's page of people: the same search as the people page, each person's roles here."""
    qs = people(school=school, search=search, role=role)
    count = qs.count()
    start = (page - 1) * page_size
    rows = list(qs[start : start + page_size]) if start < count else []
    roles = roles_by_user(school=school, user_ids=[u.pk for u in rows])
    return PeoplePage(people=rows, roles=roles, count=count, page=page, page_size=page_size)


# ---------------------------------------------------------------- classes, courses, calendar


def courses(
    *, school: School, school_year: SchoolYear | None = None, class_group: ClassGroup | None = None
) -> QuerySet[Course]:
    qs = Course.objects.filter(school=school)
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    if class_group is not None:
        qs = qs.filter(class_group=class_group)
    return qs.select_related("class_group", "teacher").order_by("class_group__grade", "class_group__name", "name")


@dataclass(frozen=True)
class CalendarOverview:
    school_years: list[SchoolYear]
    periods: dict[int, list[Period]]
    entries: dict[int, list[CalendarEntry]]
    lesson_periods: list[LessonPeriod]
    weekdays: list[int]


def calendar_overview(*, school: School) -> CalendarOverview:
    """School years with their periods, holidays and closure days, and the lesson periods: four queries."""
    years = list(SchoolYear.objects.filter(school=school).order_by("-starts_on"))
    periods: dict[int, list[Any]] = {y.pk: [] for y in years}
    for period in Period.objects.filter(school=school).order_by("starts_on"):
        periods.setdefault(period.school_year_id, []).append(period)
    entries: dict[int, list[Any]] = {y.pk: [] for y in years}
    for entry in CalendarEntry.objects.filter(school=school).order_by("starts_on"):
        entries.setdefault(entry.school_year_id, []).append(entry)
    lesson_periods = list(LessonPeriod.objects.filter(school=school).order_by("number"))
    return CalendarOverview(
        school_years=years, periods=periods, entries=entries, lesson_periods=lesson_periods, weekdays=school.weekdays
    )
