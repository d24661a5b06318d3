"""Who may do what with hand-ins.

- A student hands in for tasks of their own class once the task is visible, and sees only their own work.
- The item's teacher (its author or the course's teacher), the class mentor and administrators see every
  hand-in of the task, open its files and give feedback. Other teachers and staff do not.
- A parent sees whether their child handed in (and when, and whether late), never the work or the feedback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from krijt.core.roles import Role

STUDENT_ROLES: frozenset[str] = frozenset({Role.STUDENT})
REVIEW_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.ADMIN})
FILE_ROLES: frozenset[str] = STUDENT_ROLES | REVIEW_ROLES
OVERVIEW_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.TEACHER, Role.ADMIN, Role.PARENT})


def can_hand_in(*, roles: Iterable[str]) -> bool:
    """Handing in is a student's act (their own work, for a task of their class: the service checks that)."""
    return Role.STUDENT in frozenset(roles)


def can_review(*, user: Any, roles: Iterable[str], item: Any) -> bool:
    """`item` needs its course and class_group loaded (the selectors do so)."""
    roles = frozenset(roles)
    if Role.ADMIN in roles:
        return True
    if Role.TEACHER not in roles:
        return False
    return user.pk in {item.teacher_id, item.course.teacher_id, item.class_group.mentor_id}


def can_open(*, user: Any, roles: Iterable[str], submission: Any) -> bool:
    """The student who handed it in, or whoever may review the task."""
    roles = frozenset(roles)
    if Role.STUDENT in roles and submission.student_id == user.pk:
        return True
    return can_review(user=user, roles=roles, item=submission.item)
