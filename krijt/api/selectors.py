"""Reads behind the API: personal tokens, and the school administration lists the API exposes.

Every query takes the school explicitly and filters on it; objects of another school are never found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from krijt.accounts.models import ApiToken, Membership, ParentLink, User
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.schooladmin import selectors as admin_selectors
from krijt.schools.models import CalendarEntry, ClassGroup, Course, LessonPeriod, Period, School, SchoolYear

PEOPLE_PAGE_SIZE = 50


# ---------------------------------------------------------------- tokens


def hash_secret(secret: str) -> str:
    """Token secrets are long and random, so one fast hash is enough (nothing to guess from a dictionary)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret, with its user, in one query; None when unknown, revoked or inactive."""
    return (
        ApiToken.objects.filter(key_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


# ---------------------------------------------------------------- people


def people(*, school: School, search: str = "", role: str | None = None) -> QuerySet[User]:
    """The people page's search (schooladmin.selectors.people): one search, whichever face asks."""
    return admin_selectors.people(school=school, search=search, role=role)


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


def people_page(*, school: School, search: str = "", role: str | None = None, page: int = 1,
                page_size: int = PEOPLE_PAGE_SIZE) -> PeoplePage:
    qs = people(school=school, search=search, role=role)
    count = qs.count()
    start = (page - 1) * page_size
    rows = list(qs[start:start + page_size]) if start < count else []
    roles = roles_by_user(school=school, user_ids=[u.pk for u in rows])
    return PeoplePage(people=rows, roles=roles, count=count, page=page, page_size=page_size)


def person_in_school(*, school: School, person_id: int) -> User:
    return admin_selectors.person_in_school(school=school, person_id=person_id)


# ---------------------------------------------------------------- classes, courses, calendar


def class_in_school(*, school: School, class_id: int) -> ClassGroup:
    group = ClassGroup.objects.filter(school=school, pk=class_id).select_related("school_year").first()
    if group is None:
        raise NotFound()
    return group


def school_year_in_school(*, school: School, school_year_id: int) -> SchoolYear:
    year = SchoolYear.objects.filter(school=school, pk=school_year_id).first()
    if year is None:
        raise NotFound()
    return year


def courses(*, school: School, school_year: SchoolYear | None = None,
            class_group: ClassGroup | None = None) -> QuerySet[Course]:
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
    return CalendarOverview(school_years=years, periods=periods, entries=entries, lesson_periods=lesson_periods,
                            weekdays=school.weekdays)


# ---------------------------------------------------------------- a parent's child, a period
