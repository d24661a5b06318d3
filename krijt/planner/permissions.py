"""Who may do what in the planner."""

from __future__ import annotations

from typing import Any

from krijt.core.roles import Role

EVERYONE = frozenset(r.value for r in Role)
PLAN_ROLES = frozenset({Role.TEACHER.value, Role.ADMIN.value})
# Teachers reach the workload view only for the classes they mentor (the selector narrows it).
WORKLOAD_ROLES = frozenset({Role.TEACHER.value, Role.STAFF.value, Role.ADMIN.value})
SETTINGS_ROLES = frozenset({Role.ADMIN.value})
SEE_ALL_ROLES = frozenset({Role.ADMIN.value, Role.STAFF.value})


def sees_all(roles: frozenset[str]) -> bool:
    return bool(roles & SEE_ALL_ROLES)


def can_plan_for(*, user: Any, roles: frozenset[str], course: Any) -> bool:
    """Teachers plan for the courses they teach; administrators for any course."""
    if Role.ADMIN in roles:
        return True
    return Role.TEACHER in roles and course.teacher_id == user.pk


def can_edit_item(*, user: Any, roles: frozenset[str], item: Any) -> bool:
    """The author, the course's teacher, or an administrator."""
    if Role.ADMIN in roles:
        return True
    if Role.TEACHER not in roles:
        return False
    return user.pk in (item.teacher_id, item.course.teacher_id)


def can_override_block(*, roles: frozenset[str], policy: Any) -> bool:
    return Role.ADMIN in roles and bool(policy.admins_override_block)


def can_manage_policy(*, roles: frozenset[str]) -> bool:
    """The school's workload rules: administrators."""
    return bool(roles & SETTINGS_ROLES)
