"""Reads for hand-in. Every query names its school; what comes back is what the asker may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from krijt.accounts.models import ParentLink, User
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.handin.models import Submission, SubmissionFile
from krijt.handin.permissions import can_open, can_review
from krijt.planner.models import PlannerItem
from krijt.schools.models import Enrollment, School

# A task without a lesson period is due at the end of its day, in the school's time zone.
END_OF_DAY = dt.time(23, 59)
# Students and parents see tasks due from this many days ago on; older ones drop off their list.
RECENT_DAYS = 28
STUDENT_LIST_LIMIT = 60
TEACHER_PAGE_SIZE = 25


def deadline_of(item: PlannerItem, *, tz: str) -> dt.datetime:
    """The task's deadline: the start of its lesson period on the due date, or 23:59, local time."""
    period = item.lesson_period
    at = period.starts_at if period is not None else END_OF_DAY
    return clock.aware(item.due_date, at, tz)


def is_late(submitted_at: dt.datetime, deadline: dt.datetime) -> bool:
    # The deadline's whole minute counts: handed in at 23:59:40 for a 23:59 deadline is on time.
    return submitted_at.replace(second=0, microsecond=0) > deadline


def _tasks(school: School) -> QuerySet[PlannerItem]:
    return PlannerItem.objects.filter(school=school, kind=PlannerItem.Kind.TASK).select_related(
        "course", "class_group", "lesson_period", "teacher"
    )


def is_enrolled(*, school: School, student: User, item: PlannerItem) -> bool:
    return Enrollment.objects.filter(school=school, class_group_id=item.class_group_id, student=student).exists()


def task_for_student(*, school: School, student: User, item_id: int) -> PlannerItem:
    """A task of the student's class that students may already see (cancelled ones too, marked)."""
    item = (
        _tasks(school)
        .filter(
            pk=item_id,
            visible_from__lte=clock.now(),
            class_group__enrollments__school=school,
            class_group__enrollments__student=student,
        )
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def task_for_reviewer(*, school: School, user: User, roles: frozenset[str], item_id: int) -> PlannerItem:
    item = _tasks(school).filter(pk=item_id).first()
    if item is None or not can_review(user=user, roles=roles, item=item):
        raise NotFound()
    return item


def submission_of(*, school: School, item: PlannerItem, student: User) -> Submission | None:
    return (
        Submission.objects.filter(school=school, item=item, student=student)
        .select_related("feedback_by")
        .prefetch_related(Prefetch("files", queryset=SubmissionFile.objects.filter(school=school)))
        .first()
    )


def submission_for_user(*, school: School, user: User, roles: frozenset[str], submission_id: int) -> Submission:
    submission = (
        Submission.objects.filter(school=school, pk=submission_id, item__school=school)
        .select_related(
            "student", "feedback_by", "item", "item__course", "item__class_group", "item__lesson_period"
        )
        .prefetch_related(Prefetch("files", queryset=SubmissionFile.objects.filter(school=school)))
        .first()
    )
    if submission is None or not can_open(user=user, roles=roles, submission=submission):
        raise NotFound()
    return submission


def file_for_user(*, school: School, user: User, roles: frozenset[str], file_id: int) -> SubmissionFile:
    stored = (
        SubmissionFile.objects.filter(school=school, pk=file_id, submission__school=school)
        .select_related("submission", "submission__item", "submission__item__course", "submission__item__class_group")
        .first()
    )
    if stored is None or not can_open(user=user, roles=roles, submission=stored.submission):
        raise NotFound()
    return stored


@dataclass
class VersionFiles:
    version: int
    files: list[SubmissionFile]


def files_by_version(submission: Submission) -> tuple[list[SubmissionFile], list[VersionFiles]]:
    """The current version's files, and earlier versions' files (newest first). Uses prefetched files."""
    current: list[SubmissionFile] = []
    earlier: dict[int, list[SubmissionFile]] = {}
    for stored in submission.files.all():
        if stored.version == submission.version:
            current.append(stored)
        else:
            earlier.setdefault(stored.version, []).append(stored)
    return current, [VersionFiles(v, earlier[v]) for v in sorted(earlier, reverse=True)]


@dataclass
class RosterRow:
    student: User
    submission: Submission | None
    enrolled: bool = True
    files: list[SubmissionFile] = field(default_factory=list)


def task_roster(*, school: School, item: PlannerItem) -> list[RosterRow]:
    """Every student of the task's class with their hand-in or none, in three queries whatever the size.

    Students who handed in and have left the class since are listed too, so no work disappears.
    """
    students = list(
        User.objects.filter(
            enrollments__school=school, enrollments__class_group_id=item.class_group_id
        ).order_by("last_name", "first_name", "pk")
    )
    submissions = {
        s.student_id: s
        for s in Submission.objects.filter(school=school, item=item)
        .select_related("student")
        .prefetch_related(Prefetch("files", queryset=SubmissionFile.objects.filter(school=school)))
    }
    rows = []
    for student in students:
        submission = submissions.pop(student.pk, None)
        rows.append(RosterRow(student, submission, True, _current_files(submission)))
    for submission in sorted(submissions.values(), key=lambda s: (s.student.last_name, s.student.first_name)):
        rows.append(RosterRow(submission.student, submission, False, _current_files(submission)))
    return rows


def _current_files(submission: Submission | None) -> list[SubmissionFile]:
    return files_by_version(submission)[0] if submission is not None else []


@dataclass(frozen=True)
class RosterSummary:
    students: int
    handed_in: int
    late: int
    missing: int
    to_review: int


def roster_summary(rows: list[RosterRow]) -> RosterSummary:
    handed = [r for r in rows if r.submission is not None]
    return RosterSummary(
        students=sum(1 for r in rows if r.enrolled),
        handed_in=len(handed),
        late=sum(1 for r in handed if r.submission and r.submission.late),
        missing=sum(1 for r in rows if r.enrolled and r.submission is None),
        to_review=sum(1 for r in handed if r.submission and r.submission.returned_at is None),
    )


# ---------------------------------------------------------------- overviews


def _count(qs: QuerySet[Any]) -> Any:
    return Coalesce(
        Subquery(qs.order_by().values("item_id").annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def _with_counts(school: School, qs: QuerySet[PlannerItem]) -> QuerySet[PlannerItem]:
    mine = Submission.objects.filter(school=school, item=OuterRef("pk"))
    students = (
        Enrollment.objects.filter(school=school, class_group=OuterRef("class_group"))
        .order_by()
        .values("class_group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        n_students=Coalesce(Subquery(students, output_field=IntegerField()), Value(0)),
        n_handed_in=_count(mine),
        n_late=_count(mine.filter(late=True)),
        n_to_review=_count(mine.filter(returned_at__isnull=True)),
    )


def reviewer_tasks(*, school: School, user: User, roles: frozenset[str], page: int = 1) -> Page[PlannerItem]:
    """The tasks a teacher reviews (theirs, their courses', their mentor classes'), or all for administrators."""
    qs = _tasks(school)
    if Role.ADMIN not in roles:
        qs = qs.filter(Q(teacher=user) | Q(course__teacher=user) | Q(class_group__mentor=user))
    qs = _with_counts(school, qs).order_by("-due_date", "-pk")
    return Paginator(qs, TEACHER_PAGE_SIZE).get_page(page)


@dataclass
class StatusRow:
    item: PlannerItem
    deadline: dt.datetime
    submission: Submission | None


def _status_rows(
    school: School, items: list[PlannerItem], student_ids: list[int]
) -> dict[tuple[int, int], Submission]:
    if not items or not student_ids:
        return {}
    return {
        (s.item_id, s.student_id): s
        for s in Submission.objects.filter(
            school=school, item__in=[i.pk for i in items], student_id__in=student_ids
        ).only("pk", "item_id", "student_id", "submitted_at", "late", "version", "returned_at", "seen_at")
    }


def _recent_tasks(school: School, class_ids: list[int]) -> list[PlannerItem]:
    if not class_ids:
        return []
    since = clock.local_today(school.time_zone) - dt.timedelta(days=RECENT_DAYS)
    return list(
        _tasks(school)
        .filter(class_group_id__in=class_ids, visible_from__lte=clock.now(), due_date__gte=since)
        .order_by("due_date", "lesson_period__number", "pk")[:STUDENT_LIST_LIMIT]
    )


def student_tasks(*, school: School, student: User) -> list[StatusRow]:
    """The student's recent and coming tasks with their own hand-in status: three queries."""
    class_ids = list(
        Enrollment.objects.filter(school=school, student=student).values_list("class_group_id", flat=True)
    )
    items = _recent_tasks(school, class_ids)
    found = _status_rows(school, items, [student.pk])
    tz = school.time_zone
    return [StatusRow(i, deadline_of(i, tz=tz), found.get((i.pk, student.pk))) for i in items]


@dataclass
class ChildTasks:
    student: User
    rows: list[StatusRow]


def children_tasks(*, school: School, parent: User) -> list[ChildTasks]:
    """Whether each child in this school handed in their recent tasks: four queries, whatever the family."""
    children = [
        link.student
        for link in ParentLink.objects.filter(school=school, parent=parent)
        .select_related("student")
        .order_by("student__first_name", "student__last_name")
    ]
    if not children:
        return []
    classes: dict[int, list[int]] = {}
    for student_id, class_id in Enrollment.objects.filter(
        school=school, student__in=[c.pk for c in children]
    ).values_list("student_id", "class_group_id"):
        classes.setdefault(student_id, []).append(class_id)
    items = _recent_tasks(school, sorted({c for ids in classes.values() for c in ids}))
    found = _status_rows(school, items, [c.pk for c in children])
    tz = school.time_zone
    result = []
    for child in children:
        mine = set(classes.get(child.pk, []))
        rows = [
            StatusRow(i, deadline_of(i, tz=tz), found.get((i.pk, child.pk))) for i in items if i.class_group_id in mine
        ]
        result.append(ChildTasks(child, rows))
    return result
