"""Reads about generated schools: what they hold, and which accounts the demo shows first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from krijt.accounts.models import Membership, ParentLink, User
from krijt.care.models import CareTeamMember
from krijt.core.roles import Role
from krijt.schools.models import CalendarEntry, ClassGroup, Course, Enrollment, School, TimetableSlot


def school_counts(*, school: School) -> dict[str, int]:
    roles = dict(
        Membership.objects.filter(school=school).values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    parent_children = ParentLink.objects.filter(school=school).values("parent_id").annotate(n=Count("student_id"))
    return {
        "students": roles.get(Role.STUDENT, 0),
        "teachers": roles.get(Role.TEACHER, 0),
        "staff": roles.get(Role.STAFF, 0),
        "admins": roles.get(Role.ADMIN, 0),
        "parents": parent_children.count(),
        "parents_of_several": parent_children.filter(n__gt=1).count(),
        "classes": ClassGroup.objects.filter(school=school).count(),
        "courses": Course.objects.filter(school=school).count(),
        "lessons": TimetableSlot.objects.filter(school=school).count(),
        "calendar_entries": CalendarEntry.objects.filter(school=school).count(),
    }


@dataclass(frozen=True)
class DemoAccounts:
    student: User
    teacher: User
    parent: User
    admin: User
    class_name: str
    coordinator: User | None = None  # the care coordinator: the follow-up record as the care team sees it

    def rows(self) -> list[tuple[str, User]]:
        rows = [("student", self.student), ("teacher", self.teacher), ("parent", self.parent),
                ("administrator", self.admin)]
        return rows + ([("care coordinator", self.coordinator)] if self.coordinator is not None else [])


def demo_accounts(*, school: School) -> DemoAccounts | None:
    """One coherent family to try: a parent with two children at the school, their youngest child (a minor), that
    child's class mentor, and the first administrator. Always the same people for the same data."""
    parent: User | None = (
        User.objects.filter(children_links__school=school)
        .annotate(children=Count("children_links"))
        .filter(children__gt=1)
        .order_by("username")
        .first()
    )
    if parent is None:
        parent = User.objects.filter(children_links__school=school).order_by("username").first()
    admin = (User.objects.filter(memberships__school=school, memberships__role=Role.ADMIN)
             .order_by("username").first())
    if parent is None or admin is None:
        return None
    enrollment = (
        Enrollment.objects.filter(school=school, student__parent_links__parent=parent,
                                  student__parent_links__school=school)
        .select_related("student", "class_group__mentor")
        .order_by("class_group__grade", "student__username")
        .first()
    )
    if enrollment is None or enrollment.class_group.mentor is None:
        return None
    coordinator = (CareTeamMember.objects.filter(school=school, function=CareTeamMember.Function.COORDINATOR)
                   .select_related("user").order_by("user__username").first())
    return DemoAccounts(student=enrollment.student, teacher=enrollment.class_group.mentor, parent=parent,
                        admin=admin, class_name=enrollment.class_group.name,
                        coordinator=coordinator.user if coordinator else None)
