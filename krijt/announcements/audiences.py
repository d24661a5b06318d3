"""Audiences of announcements as keys: what an author picks and what a reader is.

An announcement's rules are keys: "school" (everyone: students, parents and staff), "students", "parents",
"staff", "teachers", "grade:3", "class:12", "parents-grade:3", "parents-class:12". A reader has keys too:
a student those of their class and grade, a parent those of each child's class and grade (marked per
child), a teacher their classes' keys besides the staff ones (to know what their students were told, not to
be told themselves). An announcement reaches a reader when one of its keys is one of theirs: one indexed
query, whatever the size of the audience.

`expand` lists the people to tell (in the fan-out worker, and for a reminder): a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.errors import Forbidden, ValidationFailed
from krijt.core.roles import STAFF_ROLES, Role
from krijt.schools.calendar import year_for_day
from krijt.schools.models import ClassGroup, Enrollment, School, SchoolYear

WITHOUT_ID = ("school", "students", "parents", "staff", "teachers")
WITH_ID = ("grade", "class", "parents-grade", "parents-class")
MAX_KEYS = 40

STUDENT, PARENT, STAFF = "student", "parent", "staff"


@dataclass(frozen=True)
class Person:
    user_id: int
    audience: str  # student | parent | staff
    about_student_id: int | None = None


def parse(values: Iterable[str]) -> list[str]:
    """Keys from form values, each once, in the order given; an unknown shape is a validation error."""
    keys: list[str] = []
    for raw in values:
        value = (raw or "").strip()
        if not value:
            continue
        kind, _sep, ident = value.partition(":")
        if not ((kind in WITHOUT_ID and not _sep) or (kind in WITH_ID and ident.isdigit() and len(ident) < 10)):
            raise ValidationFailed(fields={"audience": [_("Choose the audience from the list.")]})
        key = kind if kind in WITHOUT_ID else f"{kind}:{int(ident)}"
        if key not in keys:
            keys.append(key)
    if not keys:
        raise ValidationFailed(fields={"audience": [_("Choose who the announcement is for.")]})
    if len(keys) > MAX_KEYS:
        raise ValidationFailed(fields={"audience": [_("Choose at most %(n)s groups.") % {"n": MAX_KEYS}]})
    return keys


def year_of(school: School, day: dt.date) -> SchoolYear | None:
    return year_for_day(SchoolYear.objects.filter(school=school).order_by("starts_on"), day)


def own_classes(*, school: School, user_id: int, year: SchoolYear | None) -> list[ClassGroup]:
    """The classes a teacher teaches or mentors in the year."""
    if year is None:
        return []
    return list(ClassGroup.objects.filter(school=school, school_year=year).filter(
        Q(mentor_id=user_id) | Q(courses__teacher_id=user_id)).distinct().order_by("grade", "name"))


def choices(*, school: School, year: SchoolYear | None, everything: bool, user_id: int) -> list[tuple[str, str]]:
    """What an author may pick, as (key, label): everything for the office, their own classes for a teacher."""
    groups = (list(ClassGroup.objects.filter(school=school, school_year=year).order_by("grade", "name"))
              if everything and year is not None else own_classes(school=school, user_id=user_id, year=year))
    found: list[tuple[str, str]] = []
    if everything:
        found += [("school", _("Everyone: students, parents and staff")), ("students", _("All students")),
                  ("parents", _("All parents")), ("staff", _("Staff only")), ("teachers", _("All teachers"))]
        for grade in sorted({g.grade for g in groups}):
            found += [(f"grade:{grade}", _("Students of grade %(n)s") % {"n": grade}),
                      (f"parents-grade:{grade}", _("Parents of grade %(n)s") % {"n": grade})]
    for group in groups:
        found += [(f"class:{group.pk}", _("Students of %(class)s") % {"class": group.name}),
                  (f"parents-class:{group.pk}", _("Parents of %(class)s") % {"class": group.name})]
    return found


def check(*, school: School, keys: list[str], everything: bool, user_id: int, year: SchoolYear | None) -> str:
    """Refuses a key the author may not address; returns a short label of the audience (two queries)."""
    offered = dict(choices(school=school, year=year, everything=everything, user_id=user_id))
    missing = [k for k in keys if k not in offered]
    if missing:
        raise Forbidden(_("You may not address one of the chosen groups."))
    text = ", ".join(offered[k] for k in keys)
    return text if len(text) <= 300 else text[:297] + "..."


def reader_keys(*, school: School, user_id: int, roles: frozenset[str], day: dt.date) -> dict[str, Any]:
    """A reader's keys and, for a parent, which children each key is for: {"keys": [...], "children":
    {key: [student ids]}, "names": {student id: first name}}. A few queries; cached by the caller."""
    year = year_of(school, day)
    keys: list[str] = ["school"]
    children: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    if roles & STAFF_ROLES:
        keys.append("staff")
        if Role.TEACHER in roles:
            keys.append("teachers")
        for group in own_classes(school=school, user_id=user_id, year=year):
            keys += [f"class:{group.pk}", f"grade:{group.grade}", f"parents-class:{group.pk}",
                     f"parents-grade:{group.grade}"]
    if Role.STUDENT in roles:
        keys.append("students")
        enrollment = (Enrollment.objects.filter(school=school, school_year=year, student_id=user_id)
                      .select_related("class_group").first() if year is not None else None)
        if enrollment is not None:
            keys += [f"class:{enrollment.class_group_id}", f"grade:{enrollment.class_group.grade}"]
    links = (list(ParentLink.objects.filter(school=school, parent_id=user_id).select_related("student"))
             if Role.PARENT in roles else [])
    if links:
        keys.append("parents")
        for link in links:
            names[link.student_id] = link.student.first_name or link.student.username
            children.setdefault("parents", []).append(link.student_id)
            children.setdefault("school", []).append(link.student_id)
        found = (Enrollment.objects.filter(school=school, school_year=year, student_id__in=names)
                 .select_related("class_group") if year is not None else [])
        for enrollment in found:
            for key in (f"parents-class:{enrollment.class_group_id}", f"parents-grade:{enrollment.class_group.grade}"):
                keys.append(key)
                children.setdefault(key, []).append(enrollment.student_id)
    unique = list(dict.fromkeys(keys))
    return {"keys": sorted(unique), "children": children, "names": names}


def students_filter(year: SchoolYear | None, keys: set[str]) -> Q | None:
    """Enrollments matching the student keys (None: no such key)."""
    grades = {int(k.split(":")[1]) for k in keys if k.startswith("grade:")}
    classes = {int(k.split(":")[1]) for k in keys if k.startswith("class:")}
    if not (grades or classes) or year is None:
        return None
    return Q(class_group__grade__in=grades) | Q(class_group_id__in=classes)


def parents_filter(keys: set[str]) -> Q | None:
    grades = {int(k.split(":")[1]) for k in keys if k.startswith("parents-grade:")}
    classes = {int(k.split(":")[1]) for k in keys if k.startswith("parents-class:")}
    if not (grades or classes):
        return None
    return Q(class_group__grade__in=grades) | Q(class_group_id__in=classes)


def parent_pairs(*, school: School, keys: Iterable[str], year: SchoolYear | None) -> list[tuple[int, int]]:
    """(parent id, child id) of every parent the keys reach about a child, sorted. One query."""
    wanted = set(keys)
    links = ParentLink.objects.filter(school=school)
    if not wanted & {"school", "parents"}:
        of_classes = parents_filter(wanted)
        if of_classes is None or year is None:
            return []
        links = links.filter(student_id__in=Enrollment.objects.filter(
            of_classes, school=school, school_year=year).values("student_id"))
    return sorted(links.values_list("parent_id", "student_id"))


def expand(*, school: School, keys: Iterable[str], day: dt.date) -> list[Person]:
    """Everyone the keys reach, once each, by user id (the fan-out's resume order). Staff are told as staff,
    students as students, and a parent about one of their children in the audience (digest grouping).
    A teacher is not told of what went to their classes: that is for the classes. Six queries at most."""
    wanted = set(keys)
    year = year_of(school, day)
    reached: dict[int, Person] = {}
    roles_wanted: set[str] = set()
    if wanted & {"school", "students"}:
        roles_wanted.add(Role.STUDENT)
    if wanted & {"school", "staff"}:
        roles_wanted |= STAFF_ROLES
    if "teachers" in wanted:
        roles_wanted.add(Role.TEACHER)
    student_ids: set[int] = set()
    if roles_wanted:
        for user_id, role in Membership.objects.filter(school=school, role__in=roles_wanted).values_list(
                "user_id", "role"):
            if role == Role.STUDENT:
                student_ids.add(user_id)
            else:
                reached[user_id] = Person(user_id, STAFF)
    in_classes = students_filter(year, wanted)
    if in_classes is not None:
        student_ids |= set(Enrollment.objects.filter(in_classes, school=school, school_year=year)
                           .values_list("student_id", flat=True))
    parent_rows = parent_pairs(school=school, keys=wanted, year=year)
    for user_id in student_ids:
        reached.setdefault(user_id, Person(user_id, STUDENT))
    for parent_id, student_id in parent_rows:
        reached.setdefault(parent_id, Person(parent_id, PARENT, student_id))
    if not reached:
        return []
    active = set(User.objects.filter(pk__in=list(reached), is_active=True).values_list("pk", flat=True))
    return [reached[pk] for pk in sorted(reached) if pk in active]
