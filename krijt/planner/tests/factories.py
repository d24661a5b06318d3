from __future__ import annotations

import datetime as dt
from typing import Any

from krijt.core import clock, parts
from krijt.planner.models import PlannerItem
from krijt.planner.parts import class_items_scope


def make_item(course: Any, *, kind: str = "test", day: dt.date, title: str | None = None, **extra: Any) -> PlannerItem:
    """An item written straight to the database, with the bump the planning service would make."""
    parts.bump(class_items_scope(course.school_id, course.class_group_id))
    return PlannerItem.objects.create(
        school=course.school,
        school_year_id=course.school_year_id,
        class_group_id=course.class_group_id,
        course=course,
        teacher_id=course.teacher_id,
        kind=kind,
        title=title or f"{course.name} {kind} {day}",
        due_date=day,
        minutes=extra.pop("minutes", 30),
        visible_from=extra.pop("visible_from", clock.now()),
        **extra,
    )


def new_feed_address(client: Any, scenario: Any) -> str:
    """Makes the signed-in person's secret calendar address on its page and answers its path."""
    import re

    response = client.post(scenario.url("/planner/feed/"), {"action": "regenerate"})
    match = re.search(r'value="(http[^"]+\.ics)"', response.content.decode())
    assert match
    return match[1].split("testserver", 1)[1]
