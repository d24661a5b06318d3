"""Who may change a school's structure (years, periods, calendar, classes, courses, timetable): administrators."""

from __future__ import annotations

from collections.abc import Iterable

from krijt.core.roles import Role

MANAGE_ROLES: frozenset[str] = frozenset({Role.ADMIN})


def can_manage_structure(roles: Iterable[str]) -> bool:
    return bool(MANAGE_ROLES & frozenset(roles))
