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
        ParentLink.objects.filter(school=school, parent=user).annotate(r=Value(Role.PARENT.value)).values_list("r")
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
    """A parent's children over every school, with their current class: three queries, however many children."""
    from krijt.core import clock
    from krijt.schools.models import Enrollment, SchoolYear

    links = list(
        ParentLink.objects.filter(parent=parent)
        .select_related("student", "school")
        .order_by("student__first_name", "student__last_name")
    )
    if not links:
        return []
    school_ids = {link.school_id for link in links}
    years_by_school: dict[int, list[Any]] = {}
    for year in SchoolYear.objects.filter(school_id__in=school_ids).order_by("starts_on"):
        years_by_school.setdefault(year.school_id, []).append(year)
    current: dict[int, int] = {}
    for link in links:
        today = clock.local_today(link.school.time_zone)
        years = years_by_school.get(link.school_id, [])
        year = next((y for y in years if y.starts_on <= today <= y.ends_on), None)
        year = year or next((y for y in years if y.starts_on > today), None) or (years[-1] if years else None)
        if year is not None:
            current[link.school_id] = year.pk
    classes = {
        (e.school_id, e.student_id): e.class_group.name
        for e in Enrollment.objects.filter(
            school_id__in=school_ids,
            school_year_id__in=current.values(),
            student_id__in=[link.student_id for link in links],
        ).select_related("class_group")
        if current.get(e.school_id) == e.school_year_id
    }
    return [Child(link.student, link.school, classes.get((link.school_id, link.student_id))) for link in links]


def parents_of(*, school: Any, student: User) -> QuerySet[User]:
    return User.objects.filter(children_links__school=school, children_links__student=student)


def members(*, school: Any, role: str | None = None) -> QuerySet[User]:
    qs = User.objects.filter(memberships__school=school)
    if role:
        qs = qs.filter(memberships__role=role)
    return qs.distinct()


def belongs_elsewhere(*, user: User, school: Any) -> bool:
    """True when the account is not `school`'s alone: a role or a child in another school, or platform staff.

    Such an account's name, e-mail address (its password-reset address everywhere), birth date and
    password are the person's own: no single school may change them (docs/security.md).
    """
    if user.is_staff or user.is_superuser:
        return True
    return (
        Membership.objects.filter(user=user).exclude(school=school).exists()
        or ParentLink.objects.filter(parent=user).exclude(school=school).exists()
    )
