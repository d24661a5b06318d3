"""Who may do what with attendance.

- A lesson's register: the course's teacher, the class mentor (covering for a colleague), staff (the
  secretariat) and administrators. Other teachers do not see a class's register.
- Legal codes, proofs and local sub-codes: staff and administrators (the secretariat decides, never Krijt).
- Reporting an absence: a parent for their child, an adult student for themselves, staff for a report
  that came in by phone.
- A student sees their own register; a parent their child's, unless an adult child said no.
- Unexplained absences to review: the class mentor, staff and administrators.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from krijt.core.roles import Role

REGISTER_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.STAFF, Role.ADMIN})
OFFICE_ROLES: frozenset[str] = frozenset({Role.STAFF, Role.ADMIN})
REPORT_ROLES: frozenset[str] = frozenset({Role.PARENT, Role.STUDENT, Role.STAFF, Role.ADMIN})
OWN_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.PARENT})
ATTENDANCE_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.PARENT, Role.TEACHER, Role.STAFF, Role.ADMIN})


def can_take_register(*, user: Any, roles: Iterable[str], course: Any) -> bool:
    """`course` needs its class_group loaded."""
    roles = frozenset(roles)
    if roles & OFFICE_ROLES:
        return True
    if Role.TEACHER not in roles:
        return False
    return user.pk in {course.teacher_id, course.class_group.mentor_id}


def can_code(*, roles: Iterable[str]) -> bool:
    return bool(frozenset(roles) & OFFICE_ROLES)


def can_review_class(*, user: Any, roles: Iterable[str], class_group: Any) -> bool:
    roles = frozenset(roles)
    return bool(roles & OFFICE_ROLES) or (Role.TEACHER in roles and class_group.mentor_id == user.pk)
