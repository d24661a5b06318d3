"""Who may use the administration pages: administrators change, staff look."""

from __future__ import annotations

from collections.abc import Iterable

from krijt.core.roles import Role
from krijt.schools.permissions import MANAGE_ROLES as STRUCTURE_ROLES

VIEW_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.STAFF})
MANAGE_ROLES: frozenset[str] = STRUCTURE_ROLES  # one rule: administrators change the structure and the people
# Parent letters issue new codes (and revoke unused ones), so printing them is a change, not a look.
LETTER_ROLES = MANAGE_ROLES


def can_manage(roles: Iterable[str]) -> bool:
    return bool(MANAGE_ROLES & frozenset(roles))
