"""Who may turn on push: anyone with a place in the school (a device belongs to the person)."""

from krijt.core.roles import Role

PUSH_ROLES = frozenset(r.value for r in Role)
