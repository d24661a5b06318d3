"""Hand-in as a cached part for the hot pages (krijt.core.parts): a teacher's tasks with hand-ins waiting
for feedback. A hand-in and feedback bump the scopes of the task's author and the course's teacher."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from krijt.core import parts
from krijt.planner.models import PlannerItem
from krijt.schools.models import School


def reviewer_scope(school_id: int, teacher_id: int) -> str:
    return parts.scope(school_id, "handin-reviewer", teacher_id)


def reviewers_of(item: PlannerItem) -> set[int]:
    """Whose list of waiting hand-ins an item is on: its author and its course's teacher."""
    return {t for t in (item.teacher_id, item.course.teacher_id) if t is not None}


def waiting_feedback(school: School, teacher_id: int) -> parts.Part:
    """The teacher's tasks (as author or course teacher) with hand-ins that have no returned feedback yet:
    [{"item_id", "title", "class_name", "waiting"}], oldest deadline first."""

    def build() -> list[dict[str, Any]]:
        tasks = (
            PlannerItem.objects.filter(school=school, kind=PlannerItem.Kind.TASK)
            .filter(Q(teacher_id=teacher_id) | Q(course__teacher_id=teacher_id))
            .annotate(waiting=Count("submissions", filter=Q(submissions__school=school,
                                                            submissions__returned_at__isnull=True)))
            .filter(waiting__gt=0)
            .select_related("class_group")
            .order_by("due_date", "pk")[:20]
        )
        return [{"item_id": t.pk, "title": t.title, "class_name": t.class_group.name, "due_date": t.due_date,
                 "waiting": t.waiting} for t in tasks]  # type: ignore[attr-defined]

    return parts.Part(parts.key(school.pk, "handin-reviewer", teacher_id), (reviewer_scope(school.pk, teacher_id),),
                      build)
