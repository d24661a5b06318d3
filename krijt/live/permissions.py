"""Who attaches, joins and configures live lessons.

- A course's teacher attaches live lessons to their course and joins them as moderator; an administrator may do
  both for any course (standing in for a teacher).
- The students of the course's class join as viewers. Parents and the office do not join lessons.
- Only administrators configure the school's video servers, recordings and fallback.
"""

from __future__ import annotations

from typing import Any

from krijt.core.roles import Role

READ_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.TEACHER, Role.ADMIN})
ATTACH_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.ADMIN})
SETTINGS_ROLES: frozenset[str] = frozenset({Role.ADMIN})


def can_attach(*, user: Any, roles: frozenset[str], course: Any) -> bool:
    return Role.ADMIN in roles or (Role.TEACHER in roles and course.teacher_id == user.pk)


def joins_as(*, user: Any, roles: frozenset[str], teacher_id: int | None, in_class: bool) -> str | None:
    """"moderator", "viewer" or None (may not join)."""
    if Role.ADMIN in roles or (Role.TEACHER in roles and teacher_id == user.pk):
        return "moderator"
    if Role.STUDENT in roles and in_class:
        return "viewer"
    return None


def can_configure(*, roles: frozenset[str]) -> bool:
    return Role.ADMIN in roles
