"""The planner as cached parts for the hot pages (krijt.core.parts): a class's tasks and tests over a few
days, and a student's done marks. Planning, changing, moving and cancelling bump the class's scope;
marking done bumps the student's. An item keeps its visible moment: the page shows it from then on, so
no part needs to expire to reveal it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from krijt.core import parts
from krijt.planner.models import DoneMark, PlannerItem
from krijt.schools.models import School


def class_items_scope(school_id: int, class_id: int) -> str:
    return parts.scope(school_id, "planner-class", class_id)


def done_scope(school_id: int, student_id: int) -> str:
    return parts.scope(school_id, "planner-done", student_id)


def visible_to_students(items: list[dict[str, Any]], now: Any) -> list[dict[str, Any]]:
    """The cached items students and parents may see at `now` (each from its visible moment)."""
    return [item for item in items if item["visible_from"] <= now]


class ItemView:
    """A cached item as the planner's templates read an item (`item.course.name`, `item.is_done`, ...)."""

    def __init__(self, data: dict[str, Any], *, done: bool = False, class_name: str = "") -> None:
        self.pk = self.id = data["id"]
        self.class_group = ClassRef(data["class_id"], class_name)
        self.kind = data["kind"]
        self.title = data["title"]
        self.due_date = data["due_date"]
        self.minutes = data["minutes"]
        self.visible_from = data["visible_from"]
        self.course = _Named(data["course"])
        self.lesson_period = _Period(data["period"]) if data["period"] is not None else None
        self.is_done = done

    def get_kind_display(self) -> str:
        return str(PlannerItem.Kind(self.kind).label)


class ClassRef:
    def __init__(self, pk: int, name: str) -> None:
        self.pk = self.id = pk
        self.name = name


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


class _Period:
    def __init__(self, number: int) -> None:
        self.number = number


def in_page_order(items: list[ItemView]) -> list[ItemView]:
    """Several classes' items in the order one query would give them: by day, lesson period (items
    without a period last), then as planned."""
    return sorted(items, key=lambda i: (i.due_date, i.lesson_period is None,
                                        i.lesson_period.number if i.lesson_period else 0, i.pk))


def _item(item: PlannerItem) -> dict[str, Any]:
    period = item.lesson_period
    return {"id": item.pk, "kind": item.kind, "title": item.title, "course": item.course.name,
            "class_id": item.class_group_id, "due_date": item.due_date,
            "period": period.number if period is not None else None,
            "starts": period.starts_at.strftime("%H:%M") if period is not None else "",
            "minutes": item.minutes, "visible_from": item.visible_from, "teacher_id": item.teacher_id}


def class_items(school: School, class_id: int, start: dt.date, end: dt.date) -> parts.Part:
    """The class's planned tasks and tests due from `start` to `end`, each with the moment it becomes
    visible to students (the page filters on it)."""

    def build() -> list[dict[str, Any]]:
        items = (
            PlannerItem.objects.filter(school=school, class_group_id=class_id, due_date__gte=start, due_date__lte=end,
                                       state=PlannerItem.State.PLANNED)
            .select_related("course", "lesson_period")
            .order_by("due_date", "lesson_period__number", "pk")
        )
        return [_item(i) for i in items]

    return parts.Part(parts.key(school.pk, "planner-class", class_id, start.isoformat(), end.isoformat()),
                      (class_items_scope(school.pk, class_id),), build)


def done_ids(school: School, student_id: int, start: dt.date, end: dt.date) -> parts.Part:
    """The ids of the items due from `start` to `end` that the student marked done."""

    def build() -> list[int]:
        return sorted(DoneMark.objects.filter(school=school, student_id=student_id, item__due_date__gte=start,
                                              item__due_date__lte=end).values_list("item_id", flat=True))

    return parts.Part(parts.key(school.pk, "planner-done", student_id, start.isoformat(), end.isoformat()),
                      (done_scope(school.pk, student_id),), build)
