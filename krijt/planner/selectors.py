"""Reads for the planner. Every query filters on the school; students and parents see items once visible."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import ngettext

from krijt.accounts.models import ParentLink, User
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.planner.models import DoneMark, FeedToken, Override, PlannerAttachment, PlannerItem, WorkloadPolicy
from krijt.planner.permissions import sees_all
from krijt.planner.rules import ItemFacts, week_start
from krijt.schools.models import ClassGroup, Enrollment, School, SchoolYear
from krijt.schools.selectors import enrollment_of

ITEM_RELATED = ("course", "class_group", "teacher", "lesson_period")


def workload_policy(*, school: School) -> WorkloadPolicy:
    """The school's policy, or an unsaved row with the defaults."""
    return WorkloadPolicy.objects.filter(school=school).first() or WorkloadPolicy(school=school)


def _visible_now() -> Q:
    return Q(visible_from__lte=clock.now())


def visible_items(*, school: School, user: User, roles: frozenset[str]) -> QuerySet[PlannerItem]:
    """Every item the person may see, not yet limited to dates."""
    qs = PlannerItem.objects.filter(school=school)
    if sees_all(roles):
        return qs
    allowed = Q(pk__in=[])
    if Role.TEACHER in roles:
        taught = ClassGroup.objects.filter(school=school).filter(
            Q(mentor=user) | Q(courses__teacher=user, courses__school=school)
        )
        allowed |= Q(class_group__in=taught.values("pk")) | Q(teacher=user)
    own_classes = Enrollment.objects.filter(school=school, student=user).values("class_group_id")
    if Role.STUDENT in roles:
        allowed |= Q(class_group__in=own_classes) & _visible_now()
    if Role.PARENT in roles:
        children = ParentLink.objects.filter(school=school, parent=user).values("student_id")
        child_classes = Enrollment.objects.filter(school=school, student__in=children).values("class_group_id")
        allowed |= Q(class_group__in=child_classes) & _visible_now()
    return qs.filter(allowed)


def item_for_user(*, school: School, user: User, roles: frozenset[str], item_id: int) -> PlannerItem:
    """An item the asking person may see, or NotFound (also for another school's item)."""
    item = visible_items(school=school, user=user, roles=roles).filter(pk=item_id).select_related(*ITEM_RELATED).first()
    if item is None:
        raise NotFound()
    return item


def items_of_class(
    *, school: School, class_group: ClassGroup, start: dt.date, end: dt.date, visible_to_students: bool = False
) -> QuerySet[PlannerItem]:
    """Planned items of a class due in [start, end], with what a list needs in the same query."""
    qs = PlannerItem.objects.filter(
        school=school, class_group=class_group, due_date__gte=start, due_date__lte=end, state=PlannerItem.State.PLANNED
    )
    if visible_to_students:
        qs = qs.filter(_visible_now())
    return qs.select_related(*ITEM_RELATED).order_by("due_date", "lesson_period__number", "pk")


def students_of_item(*, school: School, item: PlannerItem) -> QuerySet[User]:
    return User.objects.filter(
        enrollments__school=school,
        enrollments__class_group_id=item.class_group_id,
        enrollments__school_year_id=item.school_year_id,
    ).order_by("last_name", "first_name")


def attachment_for_user(
    *, school: School, user: User, roles: frozenset[str], item_id: int, attachment_id: int
) -> PlannerAttachment:
    item = item_for_user(school=school, user=user, roles=roles, item_id=item_id)
    attachment = PlannerAttachment.objects.filter(school=school, item=item, pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    return attachment


def facts(item: PlannerItem) -> ItemFacts:
    return ItemFacts(
        id=item.pk,
        kind=item.kind,
        title=item.title,
        course=item.course.name,
        due_date=item.due_date,
        minutes=item.minutes,
    )


def class_week_facts(*, school: School, class_group: ClassGroup, day: dt.date) -> list[ItemFacts]:
    """The class's planned items in the week of `day`: what the rules look at."""
    monday = week_start(day)
    items = items_of_class(school=school, class_group=class_group, start=monday, end=monday + dt.timedelta(days=6))
    return [facts(i) for i in items]


@dataclass
class DayColumn:
    day: dt.date
    school_day: bool
    closure: str | None
    items: list[Any] = field(default_factory=list)
    lessons: list[Any] = field(default_factory=list)

    @property
    def tests(self) -> int:
        return sum(1 for i in self.items if i.kind == PlannerItem.Kind.TEST)

    @property
    def tasks(self) -> int:
        return sum(1 for i in self.items if i.kind == PlannerItem.Kind.TASK)

    @property
    def minutes(self) -> int:
        return sum(i.minutes for i in self.items)


def group_by_day(
    items: list[PlannerItem], *, start: dt.date, days: int, calendar: Any, slots: list[Any] | None = None
) -> list[DayColumn]:
    by_day: dict[dt.date, list[PlannerItem]] = defaultdict(list)
    for item in items:
        by_day[item.due_date].append(item)
    slots_by_weekday: dict[int, list[Any]] = defaultdict(list)
    for slot in sorted(slots or [], key=lambda s: s.lesson_period.number):
        slots_by_weekday[slot.weekday].append(slot)
    columns = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        school_day = calendar.is_school_day(day)
        columns.append(
            DayColumn(
                day=day,
                school_day=school_day,
                closure=calendar.closure_on(day),
                items=by_day.get(day, []),
                lessons=slots_by_weekday.get(day.isoweekday(), []) if school_day else [],
            )
        )
    return columns


def planned_between(*, school: School, ranges: list[tuple[dt.date, dt.date]]) -> int:
    """Planned tests and tasks due on a day of any of the ranges (inclusive). One query, none without ranges."""
    if not ranges:
        return 0
    on_days = Q()
    for first, last in ranges:
        on_days |= Q(due_date__gte=first, due_date__lte=last)
    return PlannerItem.objects.filter(on_days, school=school, state=PlannerItem.State.PLANNED).count()


def items_for_classes(
    *, school: School, class_ids: list[int], start: dt.date, end: dt.date, visible_only: bool = False
) -> list[PlannerItem]:
    qs = PlannerItem.objects.filter(
        school=school, class_group_id__in=class_ids, due_date__gte=start, due_date__lte=end
    ).exclude(state=PlannerItem.State.CANCELLED)
    if visible_only:
        qs = qs.filter(_visible_now())
    return list(qs.select_related(*ITEM_RELATED).order_by("due_date", "lesson_period__number", "pk"))


def done_ids(*, school: School, student: User, item_ids: list[int]) -> set[int]:
    if not item_ids:
        return set()
    return set(
        DoneMark.objects.filter(school=school, student=student, item_id__in=item_ids).values_list("item_id", flat=True)
    )


def student_class(*, school: School, student: User, school_year: SchoolYear | None) -> ClassGroup | None:
    if school_year is None:
        return None
    enrollment = enrollment_of(school=school, student=student, school_year=school_year)
    return enrollment.class_group if enrollment else None


def workload_classes(*, school: School, user: User, roles: frozenset[str], school_year: SchoolYear) -> list[ClassGroup]:
    """Administrators and staff (the care coordinator) see every class; a teacher the classes they mentor."""
    qs = ClassGroup.objects.filter(school=school, school_year=school_year)
    if not sees_all(roles):
        qs = qs.filter(mentor=user)
    return list(qs.order_by("grade", "name"))


@dataclass
class HeatCell:
    day: dt.date
    tests: int = 0
    tasks: int = 0
    minutes: int = 0
    school_day: bool = True
    # Reasons given for overriding a workload rule with an item due that day.
    overrides: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """What a screen reader says for the cell; built here because a template tag per cell is slow."""
        return ", ".join(
            (
                ngettext("%(n)s test", "%(n)s tests", self.tests) % {"n": self.tests},
                ngettext("%(n)s task", "%(n)s tasks", self.tasks) % {"n": self.tasks},
                ngettext("%(n)s minute", "%(n)s minutes", self.minutes) % {"n": self.minutes},
            )
        )

    @property
    def level(self) -> int:
        """0-3 for the colour; the numbers are always shown too."""
        if self.tests >= 3 or self.minutes >= 180:
            return 3
        if self.tests == 2 or self.minutes >= 90:
            return 2
        if self.tests or self.tasks:
            return 1
        return 0


def heatmap(
    *, school: School, classes: list[ClassGroup], start: dt.date, days: int, calendar: Any
) -> list[tuple[ClassGroup, list[HeatCell]]]:
    """Classes x days with tests, tasks and minutes, and the reasons of overridden rules per cell: two queries
    (one aggregate, one for the overrides), whatever the number of items."""
    end = start + dt.timedelta(days=days - 1)
    rows = (
        PlannerItem.objects.filter(
            school=school,
            class_group__in=[c.pk for c in classes],
            due_date__gte=start,
            due_date__lte=end,
            state=PlannerItem.State.PLANNED,
        )
        .values("class_group_id", "due_date")
        .annotate(
            tests=Count("pk", filter=Q(kind=PlannerItem.Kind.TEST)),
            tasks=Count("pk", filter=Q(kind=PlannerItem.Kind.TASK)),
            minutes=Sum("minutes"),
        )
        .order_by()
    )
    totals = {(r["class_group_id"], r["due_date"]): r for r in rows}
    reasons: dict[tuple[int, dt.date], list[str]] = {}
    for class_id, due, reason in (
        Override.objects.filter(
            school=school,
            class_group__in=[c.pk for c in classes],
            item__due_date__gte=start,
            item__due_date__lte=end,
            item__state=PlannerItem.State.PLANNED,
        )
        .order_by("created_at", "pk")
        .values_list("class_group_id", "item__due_date", "reason")
    ):
        reasons.setdefault((class_id, due), []).append(reason)
    day_list = [start + dt.timedelta(days=n) for n in range(days)]
    school_days = {d: calendar.is_school_day(d) for d in day_list}
    result = []
    for group in classes:
        cells = []
        for day in day_list:
            r = totals.get((group.pk, day))
            cells.append(
                HeatCell(
                    day=day,
                    tests=r["tests"] if r else 0,
                    tasks=r["tasks"] if r else 0,
                    minutes=(r["minutes"] or 0) if r else 0,
                    school_day=school_days[day],
                    overrides=tuple(reasons.get((group.pk, day), ())),
                )
            )
        result.append((group, cells))
    return result


def overrides(
    *, school: School, classes: list[ClassGroup] | None = None, limit: int = 50, since: dt.datetime | None = None
) -> list[Override]:
    qs = Override.objects.filter(school=school)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if classes is not None:
        qs = qs.filter(class_group__in=[c.pk for c in classes])
    return list(
        qs.select_related("item", "item__course", "class_group", "actor").order_by("-created_at", "-pk")[:limit]
    )


def feed_token(*, school: School, user: User) -> FeedToken | None:
    return FeedToken.objects.filter(school=school, user=user).first()


def feed_owner(*, school: School, token_hash: str) -> FeedToken | None:
    return FeedToken.objects.filter(school=school, token_hash=token_hash).select_related("user").first()
