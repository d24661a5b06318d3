"""Audiences: what a sender picked ("class 1A", "the parents of 2A", a person), checked and expanded.

A pick is a short string: "user:12", "class:3", "parents:3", "course:5", "teachers" or "school".
Checking costs a fixed number of queries whatever the size of the audience; expanding (in the fan-out
task, and for the delivery preview) costs one query per kind of pick plus two for the audiences.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.errors import Forbidden, ValidationFailed
from krijt.core.roles import STAFF_ROLES, Role
from krijt.messaging.permissions import ALL, NONE, OWN, Reach
from krijt.schools.models import ClassGroup, Course, Enrollment, School
from krijt.schools.selectors import current_school_year

KINDS_WITH_ID = ("user", "class", "parents", "course")
KINDS_WITHOUT_ID = ("teachers", "school")
MAX_PICKS = 50

STUDENT = "student"
PARENT = "parent"
STAFF = "staff"


@dataclass(frozen=True, order=True)
class Pick:
    kind: str
    id: int | None = None

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pick:
        return cls(str(data["kind"]), int(data["id"]) if data.get("id") is not None else None)


@dataclass(frozen=True)
class Recipient:
    user_id: int
    audience: str  # student | parent | staff
    about_student_id: int | None = None


def parse(values: Iterable[str]) -> list[Pick]:
    """Picks from form values; unknown shapes are a validation error, duplicates collapse."""
    picks: list[Pick] = []
    for raw in values:
        value = (raw or "").strip()
        if not value:
            continue
        kind, _sep, ident = value.partition(":")
        if kind in KINDS_WITHOUT_ID and not ident:
            pick = Pick(kind)
        elif kind in KINDS_WITH_ID and ident.isdigit():
            pick = Pick(kind, int(ident))
        else:
            raise ValidationFailed(fields={"to": [_("Choose the recipients from the list.")]})
        if pick not in picks:
            picks.append(pick)
    if len(picks) > MAX_PICKS:
        raise ValidationFailed(fields={"to": [_("Choose at most %(n)s recipients or groups.") % {"n": MAX_PICKS}]})
    return picks


def _own_classes(*, school: School, user: User, year: Any) -> QuerySet[ClassGroup]:
    return ClassGroup.objects.filter(school=school, school_year=year).filter(
        Q(mentor=user) | Q(courses__teacher=user, courses__school=school)
    )


def school_people(school: School) -> QuerySet[User]:
    """Active people of the school: members and parents of its students."""
    member = Membership.objects.filter(school=school, user=OuterRef("pk"))
    parent = ParentLink.objects.filter(school=school, parent=OuterRef("pk"))
    return User.objects.filter(is_active=True).filter(Exists(member) | Exists(parent))


def reachable_people(*, school: School, sender: User, reach: Reach, year: Any) -> QuerySet[User]:
    """Everyone `sender` may write to personally, as one query (used by the picker and by the check)."""
    members = Membership.objects.filter(school=school, user=OuterRef("pk"))
    condition: Any = Q(pk__in=[])
    if reach.staff:
        condition |= Exists(members.filter(role__in=STAFF_ROLES))
    if reach.students == ALL:
        condition |= Exists(members.filter(role=Role.STUDENT))
    elif reach.students == OWN and year is not None:
        own = Enrollment.objects.filter(
            school=school, school_year=year, student=OuterRef("pk"),
            class_group__in=_own_classes(school=school, user=sender, year=year),
        )
        condition |= Exists(own)
    if reach.parents == ALL:
        condition |= Exists(ParentLink.objects.filter(school=school, parent=OuterRef("pk")))
    elif reach.parents == OWN and year is not None:
        own_children = Enrollment.objects.filter(
            school=school, school_year=year,
            class_group__in=_own_classes(school=school, user=sender, year=year),
        ).values("student_id")
        condition |= Exists(
            ParentLink.objects.filter(school=school, parent=OuterRef("pk"), student_id__in=own_children)
        )
    return User.objects.filter(is_active=True).filter(condition).exclude(pk=sender.pk)


def reachable_classes(*, school: School, sender: User, reach: Reach, year: Any) -> QuerySet[ClassGroup]:
    if reach.classes == NONE or year is None:
        return ClassGroup.objects.none()
    qs = ClassGroup.objects.filter(school=school, school_year=year)
    if reach.classes == OWN:
        qs = qs.filter(pk__in=_own_classes(school=school, user=sender, year=year).values("pk"))
    return qs


def reachable_courses(*, school: School, sender: User, reach: Reach, year: Any) -> QuerySet[Course]:
    if reach.classes == NONE or year is None:
        return Course.objects.none()
    qs = Course.objects.filter(school=school, school_year=year)
    if reach.classes == OWN:
        qs = qs.filter(teacher=sender)
    return qs


def check(*, school: School, sender: User, reach: Reach, picks: list[Pick]) -> str:
    """Refuses any pick the sender may not address; returns a short label of the audience.

    A fixed number of queries: one for the school year, at most one per kind of pick.
    """
    if not picks:
        raise ValidationFailed(fields={"to": [_("Choose at least one recipient.")]})
    kinds = {p.kind for p in picks}
    if "school" in kinds and not reach.school:
        raise Forbidden(_("You may not write to the whole school."))
    if "teachers" in kinds and not reach.teachers:
        raise Forbidden(_("You may not write to all teachers."))
    year = current_school_year(school=school) if kinds & {"user", "class", "parents", "course"} else None
    labels: dict[Pick, str] = {}
    user_ids = {p.id for p in picks if p.kind == "user"}
    if user_ids:
        people = reachable_people(school=school, sender=sender, reach=reach, year=year).filter(pk__in=user_ids)
        for user in people.only("pk", "first_name", "last_name", "username"):
            labels[Pick("user", user.pk)] = user.full_name or user.username
    class_ids = {p.id for p in picks if p.kind in ("class", "parents")}
    if class_ids:
        classes = reachable_classes(school=school, sender=sender, reach=reach, year=year).filter(pk__in=class_ids)
        for group in classes.only("pk", "name"):
            labels[Pick("class", group.pk)] = group.name
            labels[Pick("parents", group.pk)] = _("Parents of %(class)s") % {"class": group.name}
    course_ids = {p.id for p in picks if p.kind == "course"}
    if course_ids:
        courses = reachable_courses(school=school, sender=sender, reach=reach, year=year).filter(pk__in=course_ids)
        for course in courses.select_related("class_group").only("pk", "name", "class_group__name"):
            labels[Pick("course", course.pk)] = _("%(course)s (%(class)s)") % {
                "course": course.name, "class": course.class_group.name}
    labels[Pick("teachers")] = _("All teachers")
    labels[Pick("school")] = _("The whole school")
    missing = [p for p in picks if p not in labels]
    if missing:
        raise Forbidden(_("You may not write to one of the chosen recipients."))
    text = ", ".join(labels[p] for p in picks)
    return text if len(text) <= 300 else text[:297] + "..."


def expand(*, school: School, picks: list[Pick], exclude_user_id: int | None = None) -> list[Recipient]:
    """Everyone the picks reach, once each, ordered by user id (the fan-out's resume order).

    Each person's audience follows what they are in the school: staff if they teach or work there,
    else student, else parent. A parent reached through a child carries that child (digest grouping).
    """
    kinds = {p.kind for p in picks}
    ids: dict[str, set[int]] = {k: {p.id for p in picks if p.kind == k and p.id is not None} for k in KINDS_WITH_ID}
    reached: dict[int, int | None] = {}

    def add(user_id: int, about: int | None = None) -> None:
        if user_id not in reached or reached[user_id] is None:
            reached[user_id] = about

    if "school" in kinds:
        for (user_id,) in Membership.objects.filter(school=school).values_list("user_id"):
            add(user_id)
        for parent_id, student_id in ParentLink.objects.filter(school=school).values_list("parent_id", "student_id"):
            add(parent_id, student_id)
    if "teachers" in kinds:
        for (user_id,) in Membership.objects.filter(school=school, role=Role.TEACHER).values_list("user_id"):
            add(user_id)
    if ids["user"]:
        for user_id in school_people(school).filter(pk__in=ids["user"]).values_list("pk", flat=True):
            add(user_id)
    class_ids = set(ids["class"])
    if ids["course"]:
        class_ids |= set(
            Course.objects.filter(school=school, pk__in=ids["course"]).values_list("class_group_id", flat=True)
        )
    if class_ids:
        for (student_id,) in Enrollment.objects.filter(school=school, class_group_id__in=class_ids).values_list(
            "student_id"
        ):
            add(student_id)
    if ids["parents"]:
        children = Enrollment.objects.filter(school=school, class_group_id__in=ids["parents"]).values("student_id")
        for parent_id, student_id in ParentLink.objects.filter(school=school, student_id__in=children).values_list(
            "parent_id", "student_id"
        ):
            add(parent_id, student_id)
    reached.pop(exclude_user_id or 0, None)
    if not reached:
        return []
    active = set(User.objects.filter(pk__in=reached, is_active=True).values_list("pk", flat=True))
    staff = set(
        Membership.objects.filter(school=school, role__in=STAFF_ROLES, user_id__in=reached).values_list(
            "user_id", flat=True
        )
    )
    students = set(
        Membership.objects.filter(school=school, role=Role.STUDENT, user_id__in=reached).values_list(
            "user_id", flat=True
        )
    )
    result = []
    for user_id in sorted(reached):
        if user_id not in active:
            continue
        if user_id in staff:
            result.append(Recipient(user_id, STAFF))
        elif user_id in students:
            result.append(Recipient(user_id, STUDENT))
        else:
            result.append(Recipient(user_id, PARENT, reached[user_id]))
    return result
