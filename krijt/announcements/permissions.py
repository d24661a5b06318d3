"""Who may post, read and manage announcements.

- Posting: the office (administrators and staff) to any audience; a teacher to the classes they teach or
  mentor and those classes' parents. An urgent announcement also needs a role the school allows to be urgent
  (the notification engine's rule).
- Reading: whoever the audience reaches, from its publication moment; the author and the office before.
- Managing (changing, withdrawing, the answers per class, a reminder): the author and the office.
"""

from __future__ import annotations

from krijt.core.roles import Role

WRITE_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.STAFF, Role.ADMIN})
OFFICE_ROLES: frozenset[str] = frozenset({Role.STAFF, Role.ADMIN})
READ_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.PARENT, Role.TEACHER, Role.STAFF, Role.ADMIN})


def may_address_everything(roles: frozenset[str]) -> bool:
    return bool(roles & OFFICE_ROLES)


def may_manage(roles: frozenset[str], *, author_id: int | None, user_id: int) -> bool:
    return bool(roles & OFFICE_ROLES) or (bool(roles & WRITE_ROLES) and author_id == user_id)
