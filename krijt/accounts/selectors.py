from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Value

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.roles import Role


def roles_in_school(*, school: Any, user: User) -> frozenset[str]:
    """Everything `user` is in `school`, in one query (memberships, and parent when linked to a student)."""
    memberships = Membership.objects.filter(school=school, user=user).values_list("role")
    parent = (
        ParentLink.objects.filter(school=school, parent=user).annotate(r=Value(Role.PARENT.value)).values_list("r")[:1]
    )
    return frozenset(r for (r,) in memberships.union(parent))


def schools_of(*, user: User) -> list[Any]:
    """Schools where the user has a role or a child, by name."""
    from krijt.schools.models import School

    return list(
        School.objects.filter(pk__in=Membership.objects.filter(user=user).values("school_id"))
        .union(School.objects.filter(pk__in=ParentLink.objects.filter(parent=user).values("school_id")))
        .order_by("name")
    )


@dataclass(frozen=True)
class Child:
    student: User
    school: Any
    class_name: str | None


def children_of(*, parent: User) -> list[Child]:
    """A parent's children over every school, with their current class (one query for links)."""
    from krijt.schools.selectors import current_school_year, enrollment_of

    links = (
        ParentLink.objects.filter(parent=parent)
        .select_related("student", "school")
        .order_by("student__first_name", "student__last_name")
    )
    children = []
    for link in links:
        year = current_school_year(school=link.school)
        enrollment = enrollment_of(school=link.school, student=link.student, school_year=year) if year else None
        children.append(Child(link.student, link.school, enrollment.class_group.name if enrollment else None))
    return children


def parents_of(*, school: Any, student: User) -> QuerySet[User]:
    return User.objects.filter(children_links__school=school, children_links__student=student)


def members(*, school: Any, role: str | None = None) -> QuerySet[User]:
    qs = User.objects.filter(memberships__school=school)
    if role:
        qs = qs.filter(memberships__role=role)
    return qs.distinct()
