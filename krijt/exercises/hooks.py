"""How exercises plug into the planner: a practice task's page links to the practice (for its pupils) or to the
dashboard (for its teacher); an assignment follows its task when the task moves or is cancelled in the planner."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from krijt.core.roles import Role
from krijt.planner.extensions import ItemLink


def item_changed(sender: Any, *, school: Any, item: Any, **kwargs: Any) -> None:
    """planner.extensions' deadline_changed and item_cancelled: an assignment follows its task."""
    from krijt.exercises.services import planner_item_changed

    planner_item_changed(school=school, item=item)


def item_link(*, user: Any, roles: frozenset[str], item: Any) -> ItemLink | None:
    from krijt.exercises.models import Assignment

    if item.kind != "task":
        return None
    found = (Assignment.objects.filter(school_id=item.school_id, planner_item_id=item.pk, cancelled_at__isnull=True)
             .values("pk", "course_id").first())
    if found is None:
        return None
    if Role.STUDENT in roles:
        return ItemLink(_("Practise"), reverse("exercises:practise", kwargs={"assignment_id": found["pk"]}))
    if roles & {Role.TEACHER, Role.ADMIN, Role.STAFF}:
        return ItemLink(_("Practice results"), reverse("exercises:dashboard", kwargs={"course_id": found["course_id"]}))
    return None
