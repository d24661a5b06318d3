"""Who may do what with report cards.

- The class mentor and administrators see a class's report cards, write the mentor's comment and the class
  council's decision, release the cards, and mark the conversation about a B or C certificate as held.
  Only the mentor schedules a conversation moment: they are the one who will be there.
- A course's teacher writes the comment for their course (administrators may too) and reads the report
  cards of the classes they teach.
- A student reads their own report card once it is visible to them; a parent their child's once visible to
  parents, unless an adult child chose that their parents do not see their results.
- Staff have no access: report cards reach people through the mentor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from krijt.core.roles import Role

HOME_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.PARENT, Role.TEACHER, Role.ADMIN})
CARD_ROLES: frozenset[str] = HOME_ROLES
MANAGE_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.ADMIN})


def can_manage_class(*, user: Any, roles: Iterable[str], class_group: Any) -> bool:
    roles = frozenset(roles)
    if Role.ADMIN in roles:
        return True
    return Role.TEACHER in roles and class_group.mentor_id == user.pk


def can_comment_course(*, user: Any, roles: Iterable[str], course: Any) -> bool:
    roles = frozenset(roles)
    if Role.ADMIN in roles:
        return True
    return Role.TEACHER in roles and course.teacher_id == user.pk


def can_read_class_cards(*, user: Any, roles: Iterable[str], class_group: Any, teacher_ids: Iterable[int]) -> bool:
    roles = frozenset(roles)
    if can_manage_class(user=user, roles=roles, class_group=class_group):
        return True
    return Role.TEACHER in roles and user.pk in set(teacher_ids)
