"""Who may import people into a school: its administrators only."""

from krijt.core.roles import Role

MANAGE_IMPORTS = frozenset({Role.ADMIN.value})


def can_import(roles: frozenset[str]) -> bool:
    return bool(roles & MANAGE_IMPORTS)
