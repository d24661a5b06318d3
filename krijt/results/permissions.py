"""Who may do what with results.

- Teachers enter and publish scores for the courses they teach; the class mentor and administrators may
  do so for every course of the class (a mentor covers for an absent colleague). Staff (e.g. a care
  coordinator) and the mentor read a class's gradebook.
- A student sees their own results once visible to them; a parent sees their child's once visible to
  parents, unless an adult child chose otherwise.
- Exports: whoever may read the class's gradebook.
- The release policy: administrators.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from krijt.core.roles import Role

RESULTS_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.PARENT, Role.TEACHER, Role.STAFF, Role.ADMIN})
GRADEBOOK_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.STAFF, Role.ADMIN})
STUDENT_ROLES: frozenset[str] = frozenset({Role.STUDENT})
PARENT_ROLES: frozenset[str] = frozenset({Role.PARENT})
MANAGE_POLICY: frozenset[str] = frozenset({Role.ADMIN})


def can_edit_course(*, user: Any, roles: Iterable[str], course: Any) -> bool:
    """`course` needs its class_group loaded."""
    roles = frozenset(roles)
    if Role.ADMIN in roles:
        return True
    if Role.TEACHER not in roles:
        return False
    return user.pk in {course.teacher_id, course.class_group.mentor_id}


def can_read_course(*, user: Any, roles: Iterable[str], course: Any) -> bool:
    roles = frozenset(roles)
    return Role.STAFF in roles or can_edit_course(user=user, roles=roles, course=course)


def viewer_role(roles: Iterable[str]) -> str:
    """The role a view of someone's results is logged under (the strongest one)."""
    roles = frozenset(roles)
    for role in (Role.ADMIN, Role.STAFF, Role.TEACHER, Role.PARENT):
        if role in roles:
            return str(role)
    return str(Role.STUDENT)
