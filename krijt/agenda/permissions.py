"""Who may add, see and manage events of the school calendar.

- Adding: the office (administrators and staff) for any audience; a teacher for the classes they teach or
  mentor and those classes' parents (an excursion, a class's parent evening).
- Closure and study days change the school calendar every rule reads: only those who manage the school's
  structure (administrators) add, change or cancel them.
- Seeing: whoever the audience reaches; the office sees every event of the school.
- Managing (changing, cancelling): the author and the office.
"""

from __future__ import annotations

from krijt.core.roles import Role
from krijt.schools.permissions import can_manage_structure

WRITE_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.STAFF, Role.ADMIN})
OFFICE_ROLES: frozenset[str] = frozenset({Role.STAFF, Role.ADMIN})
READ_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.PARENT, Role.TEACHER, Role.STAFF, Role.ADMIN})


def sees_every_event(roles: frozenset[str]) -> bool:
    return bool(roles & OFFICE_ROLES)


def may_address_everything(roles: frozenset[str]) -> bool:
    return bool(roles & OFFICE_ROLES)


def may_close_school(roles: frozenset[str]) -> bool:
    return can_manage_structure(roles)


def may_manage(roles: frozenset[str], *, author_id: int | None, user_id: int, closes_school: bool) -> bool:
    if closes_school and not may_close_school(roles):
        return False
    return bool(roles & OFFICE_ROLES) or (bool(roles & WRITE_ROLES) and author_id == user_id)
