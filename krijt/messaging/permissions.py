"""Who may use messages, and whom each person may write to (the school's MessagingPolicy decides)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from krijt.core.roles import Role

USE_MESSAGES = frozenset(r.value for r in Role)
MANAGE_POLICY = frozenset({Role.ADMIN.value})
# The whole school and all teachers at once: administrators and staff only, whatever the policy.
BROADCAST_ROLES = frozenset({Role.ADMIN.value, Role.STAFF.value})

ALL = "all"
OWN = "own"  # a teacher's own classes: mentor of, or teaching a course in
NONE = "none"
_RANK = {NONE: 0, OWN: 1, ALL: 2}


@dataclass(frozen=True)
class Reach:
    """What one sender may address. `OWN` limits classes, their students and their parents to the sender's."""

    staff: bool = False
    students: str = NONE
    parents: str = NONE
    classes: str = NONE
    teachers: bool = False
    school: bool = False

    def merge(self, other: Reach) -> Reach:
        def best(a: str, b: str) -> str:
            return a if _RANK[a] >= _RANK[b] else b

        return Reach(
            staff=self.staff or other.staff,
            students=best(self.students, other.students),
            parents=best(self.parents, other.parents),
            classes=best(self.classes, other.classes),
            teachers=self.teachers or other.teachers,
            school=self.school or other.school,
        )

    @property
    def anyone(self) -> bool:
        return self.staff or self.students != NONE or self.parents != NONE or self.classes != NONE


def reach_for(*, roles: frozenset[str], policy: Any) -> Reach:
    """The union of what each of the person's roles allows under the school's policy."""
    result = Reach()
    if roles & BROADCAST_ROLES:
        result = result.merge(Reach(staff=True, students=ALL, parents=ALL, classes=ALL, teachers=True, school=True))
    if Role.TEACHER in roles:
        scope = ALL if policy.teachers_to_all_classes else OWN if policy.teachers_to_own_classes else NONE
        result = result.merge(Reach(staff=True, students=scope, parents=scope, classes=scope))
    if Role.STUDENT in roles:
        result = result.merge(
            Reach(staff=policy.students_to_teachers, students=ALL if policy.students_to_students else NONE)
        )
    if Role.PARENT in roles:
        result = result.merge(Reach(staff=policy.parents_to_teachers))
    return result


def may_send_urgent(*, roles: frozenset[str], urgent_roles: frozenset[str]) -> bool:
    return bool(roles & urgent_roles)
