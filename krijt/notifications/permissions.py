"""Who may do what with notifications. Everyone reads their own; administrators run the school's policy."""

from __future__ import annotations

from krijt.core.roles import Role

# The notification centre and one's own preferences: every role (each sees only their own items).
EVERYONE = frozenset(r.value for r in Role)
# The school's communication policy (quiet hours, digest time, push budget, urgent senders): administrators.
MANAGE_POLICY = frozenset({Role.ADMIN.value})
# Deliveries that failed for good, and sending them again: administrators.
SEE_FAILED = frozenset({Role.ADMIN.value})
# The log of every urgent message (who, when, why, to whom, how many): administrators.
SEE_URGENT_LOG = frozenset({Role.ADMIN.value})
# Roles counted as staff for the audience of a notification (teachers, staff, administrators).
