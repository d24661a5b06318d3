"""Who writes, assigns, practises and follows exercises.

- Teachers and administrators write exercises. The school's teachers see and assign each other's exercises
  (a shared bank); only the author or an administrator changes one.
- A course's teacher assigns to that course's class (an administrator to any course), and follows the
  assignment on the dashboard; so do the class mentor, and the school's staff and administrators.
- Pupils practise what is assigned to them and see their own progress. Parents see practice only in their
  family digest (a pupil reached mastery), never live.
"""

from __future__ import annotations

from typing import Any

from krijt.core.roles import Role

AUTHOR_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.ADMIN})
READ_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.TEACHER, Role.STAFF, Role.ADMIN})
DASHBOARD_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.STAFF, Role.ADMIN})
PRACTISE_ROLES: frozenset[str] = frozenset({Role.STUDENT})


def can_author(*, roles: frozenset[str]) -> bool:
    return bool(roles & AUTHOR_ROLES)


def can_edit(*, user: Any, roles: frozenset[str], exercise: Any) -> bool:
    if Role.ADMIN in roles:
        return True
    return Role.TEACHER in roles and exercise.owner_id == user.pk


def can_assign(*, user: Any, roles: frozenset[str], course: Any) -> bool:
    if Role.ADMIN in roles:
        return True
    return Role.TEACHER in roles and course.teacher_id == user.pk


def can_follow(*, user: Any, roles: frozenset[str], course: Any, mentor_id: int | None) -> bool:
    """Sees a course's assignments on the dashboard."""
    if roles & {Role.ADMIN, Role.STAFF}:
        return True
    return Role.TEACHER in roles and user.pk in (course.teacher_id, mentor_id)


def can_change_assignment(*, user: Any, roles: frozenset[str], assignment: Any) -> bool:
    if Role.ADMIN in roles:
        return True
    return Role.TEACHER in roles and user.pk in (assignment.teacher_id, assignment.course.teacher_id)
