"""Reads of exercises: the school's bank, an exercise with its items, a pupil's practice, the practice page's
content (from cached parts) and the teacher's dashboard per class and skill."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from krijt.accounts.models import User
from krijt.core import parts
from krijt.core.errors import Forbidden, NotFound
from krijt.core.roles import Role
from krijt.exercises import items as item_types
from krijt.exercises import permissions, rules
from krijt.exercises.models import Assignment, AssignmentStudent, Exercise, Item, ItemTally, PracticeGroup, Progress
from krijt.exercises.parts import assignment_facts, exercise_content
from krijt.schools.models import Course, Enrollment, School
from krijt.schools.selectors import current_school_year


def bank(*, school: School, user: User, roles: frozenset[str], q: str = "", archived: bool = False
         ) -> QuerySet[Exercise]:
    """The school's exercises for its teachers (search by title, subject or skill)."""
    if not permissions.can_author(roles=roles):
        raise Forbidden()
    found = (Exercise.objects.filter(school=school, archived=archived).select_related("owner")
             .annotate(item_count=Count("items", filter=Q(items__removed=False))))
    q = q.strip()
    if q:
        found = found.filter(Q(title__icontains=q) | Q(subject__icontains=q) | Q(skill__icontains=q))
    return found.order_by("subject", "skill", "title")


@dataclass
class ExerciseView:
    exercise: Exercise
    items: list[Item]
    may_edit: bool
    assignments: list[Assignment]


def exercise_detail(*, school: School, user: User, roles: frozenset[str], exercise_id: int) -> ExerciseView:
    if not permissions.can_author(roles=roles):
        raise Forbidden()
    exercise = Exercise.objects.filter(school=school, pk=exercise_id).select_related("owner").first()
    if exercise is None:
        raise NotFound()
    items = list(Item.objects.filter(school=school, exercise=exercise, removed=False)
                 .select_related("current").order_by("position", "pk"))
    assignments = Assignment.objects.filter(school=school, exercise=exercise).select_related("course", "class_group")
    if Role.ADMIN not in roles:
        assignments = assignments.filter(Q(teacher=user) | Q(course__teacher=user))
    return ExerciseView(exercise, items, permissions.can_edit(user=user, roles=roles, exercise=exercise),
                        list(assignments.order_by("-created_at")[:50]))


def item_for_edit(*, school: School, user: User, roles: frozenset[str], item_id: int) -> Item:
    item = Item.objects.filter(school=school, pk=item_id, removed=False).select_related("exercise", "current").first()
    if item is None:
        raise NotFound()
    if not permissions.can_edit(user=user, roles=roles, exercise=item.exercise):
        raise Forbidden()
    return item


def assignable_courses(*, school: School, user: User, roles: frozenset[str]) -> list[Course]:
    year = current_school_year(school=school)
    if year is None:
        return []
    courses = Course.objects.filter(school=school, school_year=year).select_related("class_group")
    if Role.ADMIN not in roles:
        courses = courses.filter(teacher=user)
    return list(courses.order_by("class_group__name", "name"))


def course_for(*, school: School, user: User, roles: frozenset[str], course_id: int, follow: bool = False) -> Course:
    course = Course.objects.filter(school=school, pk=course_id).select_related("class_group").first()
    if course is None:
        raise NotFound()
    allowed = (permissions.can_follow(user=user, roles=roles, course=course, mentor_id=course.class_group.mentor_id)
               if follow else permissions.can_assign(user=user, roles=roles, course=course))
    if not allowed:
        raise Forbidden()
    return course


def pupils_of(*, school: School, course: Course) -> list[User]:
    return list(User.objects.filter(enrollments__school=school, enrollments__class_group_id=course.class_group_id,
                                    enrollments__school_year_id=course.school_year_id)
                .order_by("last_name", "first_name"))


def groups_of(*, school: School, course: Course) -> list[PracticeGroup]:
    return list(PracticeGroup.objects.filter(school=school, class_group_id=course.class_group_id)
                .prefetch_related("students").order_by("name"))


# ---------------------------------------------------------------- the pupil


def _assignments_of(school: School, student: User) -> QuerySet[Assignment]:
    year = current_school_year(school=school)
    enrolled = Enrollment.objects.filter(school=school, student=student, class_group_id=OuterRef("class_group_id"),
                                         school_year_id=OuterRef("course__school_year_id"))
    chosen = AssignmentStudent.objects.filter(school=school, assignment_id=OuterRef("pk"), student=student)
    found = (Assignment.objects.filter(school=school, cancelled_at__isnull=True)
             .annotate(enrolled=Exists(enrolled), chosen=Exists(chosen))
             .filter(Q(chosen=True) | Q(whole_class=True, enrolled=True)))
    if year is not None:
        found = found.filter(course__school_year=year)
    return found


@dataclass
class PracticeRow:
    assignment: Assignment
    progress: Progress | None

    @property
    def mastered(self) -> bool:
        return self.progress is not None and self.progress.mastered_at is not None

    @property
    def percent(self) -> int | None:
        if self.progress is None or not self.progress.answered:
            return None
        return round(100 * self.progress.correct / self.progress.answered)


def my_practice(*, school: School, user: User, roles: frozenset[str]) -> list[PracticeRow]:
    """A pupil's assignments, still to practise first (by due date), then the mastered ones."""
    if Role.STUDENT not in roles:
        raise Forbidden()
    assignments = list(_assignments_of(school, user).select_related("exercise", "course").order_by("-created_at")[:100])
    progress = {p.assignment_id: p for p in Progress.objects.filter(
        school=school, student=user, assignment_id__in=[a.pk for a in assignments])}
    rows = [PracticeRow(a, progress.get(a.pk)) for a in assignments]
    far = dt.date.max
    rows.sort(key=lambda r: (r.mastered, r.assignment.due_date or far, -r.assignment.pk))
    return rows


@dataclass
class PracticeView:
    assignment_id: int
    title: str
    instructions: str
    course: str
    skill: str
    due_date: dt.date | None
    rule: rules.Rule
    items: list[dict[str, Any]]
    mastered: bool
    limit: int
    seed: int = 0
    orders: dict[int, list[int]] = field(default_factory=dict)


def practice(*, school: School, user: User, roles: frozenset[str], assignment_id: int) -> PracticeView:
    """The practice page's content: from two cached parts (the assignment, the exercise's items) and the pupil's
    place in the class (one query)."""
    if Role.STUDENT not in roles:
        raise Forbidden()
    [facts] = parts.fetch([assignment_facts(school.pk, assignment_id)])
    if facts is None or facts["cancelled_at"] is not None:
        raise NotFound()
    if facts["whole_class"]:
        allowed = Enrollment.objects.filter(school=school, student=user, class_group_id=facts["class_group_id"],
                                            school_year_id=facts["course__school_year_id"]).exists()
    else:
        allowed = user.pk in facts["student_ids"]
    if not allowed:
        raise NotFound()
    [content] = parts.fetch([exercise_content(school.pk, facts["exercise_id"])])
    mastered = Progress.objects.filter(school=school, assignment_id=assignment_id, student=user,
                                       mastered_at__isnull=False).exists()
    rule = rules.Rule(facts["rule_m"], facts["rule_n"])
    seed = random.Random(f"{user.pk}:{assignment_id}").randrange(1 << 30)  # noqa: S311 - a layout, not a secret
    return PracticeView(
        assignment_id=assignment_id, title=facts["exercise__title"], instructions=facts["exercise__instructions"],
        course=facts["course__name"], skill=facts["exercise__skill"], due_date=facts["due_date"], rule=rule,
        items=[_shown(item, seed) for item in content], mastered=mastered,
        limit=rules.sitting_limit(rule, len(content)), seed=seed,
    )


def _shuffled(n: int, seed: int, salt: int) -> list[int]:
    order = list(range(n))
    random.Random(seed * 7919 + salt).shuffle(order)  # noqa: S311 - a layout, not a secret
    if n > 1 and order == list(range(n)):
        order = order[1:] + order[:1]
    return order


def _shown(item: dict[str, Any], seed: int) -> dict[str, Any]:
    """An item as the page lays it out: orders that are not the answer (lines to order, right-hand sides)."""
    shown = dict(item)
    body = item["body"]
    if item["kind"] == item_types.Kind.ORDER:
        shown["order"] = _shuffled(len(body["lines"]), seed, item["item"])
    elif item["kind"] == item_types.Kind.MATCH:
        shown["rights"] = item_types.rights(body)
        shown["order"] = _shuffled(len(shown["rights"]), seed, item["item"])
    return shown


# ---------------------------------------------------------------- the teacher's dashboard


@dataclass
class Cell:
    progress: Progress | None

    @property
    def state(self) -> str:
        if self.progress is None or not self.progress.attempts:
            return "not_started"
        return "mastered" if self.progress.mastered_at else "practising"

    @property
    def percent(self) -> int | None:
        if self.progress is None or not self.progress.answered:
            return None
        return round(100 * self.progress.correct / self.progress.answered)

    @property
    def minutes(self) -> int:
        return round((self.progress.seconds if self.progress else 0) / 60)


@dataclass
class DashboardColumn:
    assignment: Assignment
    mastered: int
    practising: int
    audience: set[int] | None
    hardest: list[dict[str, Any]]


@dataclass
class Dashboard:
    course: Course
    skills: list[str]
    skill: str
    columns: list[DashboardColumn]
    rows: list[tuple[User, list[Cell | None]]]
    updated: dt.datetime | None


def dashboard(*, school: School, user: User, roles: frozenset[str], course_id: int, skill: str = "") -> Dashboard:
    """Who mastered what, who struggles (items most often wrong), time spent: a course's assignments, per skill."""
    course = course_for(school=school, user=user, roles=roles, course_id=course_id, follow=True)
    all_assignments = list(Assignment.objects.filter(school=school, course=course, cancelled_at__isnull=True)
                           .select_related("exercise").order_by("created_at"))
    skills = sorted({a.exercise.skill for a in all_assignments}, key=str.casefold)
    chosen = [a for a in all_assignments if not skill or a.exercise.skill == skill][-12:]
    pupils = pupils_of(school=school, course=course)
    audiences: dict[int, set[int]] = defaultdict(set)
    for assignment_id, student_id in AssignmentStudent.objects.filter(
            school=school, assignment__in=chosen).values_list("assignment_id", "student_id"):
        audiences[assignment_id].add(student_id)
    progress = {(p.assignment_id, p.student_id): p for p in Progress.objects.filter(school=school,
                                                                                   assignment__in=chosen)}
    tallies: dict[int, list[ItemTally]] = defaultdict(list)
    for tally in (ItemTally.objects.filter(school=school, assignment__in=chosen, wrong__gt=0)
                  .select_related("item__current").order_by("-wrong", "item_id")):
        tallies[tally.assignment_id].append(tally)
    columns = []
    for a in chosen:
        audience = None if a.whole_class else audiences[a.pk]
        cells = [progress.get((a.pk, p.pk)) for p in pupils if audience is None or p.pk in audience]
        columns.append(DashboardColumn(
            a, mastered=sum(1 for c in cells if c is not None and c.mastered_at),
            practising=sum(1 for c in cells if c is not None and c.attempts and not c.mastered_at),
            audience=audience,
            hardest=[{"prompt": t.item.current.prompt if t.item.current else "", "wrong": t.wrong,
                      "answered": t.answered} for t in tallies[a.pk][:3]],
        ))
    rows = [(p, [Cell(progress.get((c.assignment.pk, p.pk))) if c.audience is None or p.pk in c.audience else None
                 for c in columns]) for p in pupils]
    updated = max((p.updated_at for p in progress.values()), default=None)
    return Dashboard(course, skills, skill, columns, rows, updated)


def assignment_for_teacher(*, school: School, user: User, roles: frozenset[str], assignment_id: int) -> Assignment:
    found = (Assignment.objects.filter(school=school, pk=assignment_id)
             .select_related("exercise", "course", "class_group", "teacher", "planner_item").first())
    if found is None:
        raise NotFound()
    if not permissions.can_follow(user=user, roles=roles, course=found.course, mentor_id=found.class_group.mentor_id):
        raise Forbidden()
    return found


def follows(*, school: School, user: User, roles: frozenset[str]) -> list[Course]:
    """The courses whose dashboard this person opens from the exercises page."""
    year = current_school_year(school=school)
    if year is None or not roles & permissions.DASHBOARD_ROLES:
        return []
    courses = Course.objects.filter(school=school, school_year=year).select_related("class_group")
    if not roles & {Role.ADMIN, Role.STAFF}:
        courses = courses.filter(Q(teacher=user) | Q(class_group__mentor=user))
    with_work = set(Assignment.objects.filter(school=school, course__in=courses, cancelled_at__isnull=True)
                    .values_list("course_id", flat=True))
    return [c for c in courses.order_by("class_group__name", "name") if c.pk in with_work]
