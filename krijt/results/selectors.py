"""Reads of the gradebook. Every query filters on the school; visibility filters on the stored moments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from krijt.accounts.models import User
from krijt.accounts.selectors import adults_keeping_private
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.notifications.selectors import policy_for
from krijt.results import permissions
from krijt.results.models import Evaluation, ResultsPolicy, ResultsSharing, ResultView, Score, ScoreChange
from krijt.results.release import ReleasePolicy
from krijt.schools.models import Course, Period, School
from krijt.schools.selectors import lesson_hours, school_calendar

STUDENT = "student"
PARENT = "parent"
TEACHER = "teacher"
AUDIENCES = (STUDENT, PARENT, TEACHER)
HUNDRED = Decimal("100")


# --- policy -------------------------------------------------------------------------------------------


def results_policy_row(*, school: School) -> ResultsPolicy:
    """The school's stored policy, or an unsaved row with the defaults."""
    return ResultsPolicy.objects.filter(school=school).first() or ResultsPolicy(school=school)


def release_policy(
    *, school: School, class_group_id: int | None = None, row: ResultsPolicy | None = None
) -> ReleasePolicy:
    """The school's release policy with the school hours of one class (its students' lessons per weekday)."""
    row = row or results_policy_row(school=school)
    hours = lesson_hours(school=school, class_group_id=class_group_id)
    return ReleasePolicy(
        window_start=row.window_start,
        window_end=row.window_end,
        sensitive_start=row.sensitive_start,
        sensitive_end=row.sensitive_end,
        avoid_last_lesson=row.avoid_last_lesson,
        lessons=hours if hours.days else None,
        parent_delay=dt.timedelta(hours=row.parent_delay_hours),
    )


@dataclass(frozen=True)
class ReleaseContext:
    """Everything release_moments needs besides the moment, for the students of one class: read once."""

    row: ResultsPolicy
    policy: ReleasePolicy
    delivery: Any
    calendar: Any
    tz: ZoneInfo


def release_context(*, school: School, class_group_id: int | None) -> ReleaseContext:
    """The release context of a class's students (`None`: the school's lesson periods on every weekday)."""
    row = results_policy_row(school=school)
    return ReleaseContext(
        row=row,
        policy=release_policy(school=school, class_group_id=class_group_id, row=row),
        delivery=policy_for(school=school),
        calendar=school_calendar(school=school),
        tz=ZoneInfo(school.time_zone),
    )


# --- visibility ---------------------------------------------------------------------------------------


def parents_may_see(*, school: School, student: User, today: dt.date | None = None) -> bool:
    """Parents see a student's results unless the student is an adult who said no."""
    today = today or clock.local_today(school.time_zone)
    if not student.is_adult_on(today):
        return True
    return student.pk not in hidden_from_parents(school=school, student_ids={student.pk}, today=today)


def hidden_from_parents(*, school: School, student_ids: set[int], today: dt.date | None = None) -> set[int]:
    """Of `student_ids`, the adult students who keep their results from their parents. One query."""
    return adults_keeping_private(ResultsSharing, school=school, student_ids=student_ids,
                                  today=today or clock.local_today(school.time_zone))


def visible_scores(*, school: School, audience: str, at: dt.datetime | None = None) -> QuerySet[Score]:
    """Scores visible to `audience` at `at` (now by default). Teachers see every score they may read."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    qs = Score.objects.filter(school=school)
    if audience == TEACHER:
        return qs
    at = at or clock.now()
    if audience == STUDENT:
        return qs.filter(student_visible_at__lte=at)
    return qs.filter(parent_visible_at__lte=at)


def scores_of_student(
    *,
    school: School,
    student: User,
    audience: str,
    course: Course | None = None,
    period: Period | None = None,
    at: dt.datetime | None = None,
) -> list[Score]:
    """A student's scores as `audience` sees them at `at`, per course and period, evaluation loaded.

    Callers check that the asker may see this student; for parents they also check parents_may_see.
    One query.
    """
    qs = visible_scores(school=school, audience=audience, at=at).filter(student=student)
    if course is not None:
        qs = qs.filter(evaluation__course=course)
    if period is not None:
        qs = qs.filter(evaluation__period=period)
    return list(
        qs.select_related("evaluation", "evaluation__course", "evaluation__period", "talk_teacher").order_by(
            "evaluation__course__name", "evaluation__date", "evaluation_id"
        )
    )


def counts(score: Score) -> bool:
    """Whether a score counts in an average: a value, no code."""
    return score.value is not None and not score.code


def percentage(score: Score) -> Decimal | None:
    if not counts(score):
        return None
    assert score.value is not None
    return (score.value / score.evaluation.maximum * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


def weighted_average(scores: list[Score]) -> Decimal | None:
    """Weighted average in percent of the maximum; codes and empty scores do not count. None without any."""
    total = Decimal("0")
    weights = Decimal("0")
    for score in scores:
        if not counts(score) or score.evaluation.weight <= 0:
            continue
        assert score.value is not None
        total += score.evaluation.weight * score.value / score.evaluation.maximum
        weights += score.evaluation.weight
    if weights == 0:
        return None
    return (total / weights * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


def course_averages(
    *, school: School, student: User, audience: str, period: Period | None = None, at: dt.datetime | None = None
) -> dict[int, Decimal | None]:
    """{course_id: weighted average in percent} over a student's visible scores. One query."""
    by_course: dict[int, list[Score]] = {}
    for score in scores_of_student(school=school, student=student, audience=audience, period=period, at=at):
        by_course.setdefault(score.evaluation.course_id, []).append(score)
    return {course_id: weighted_average(scores) for course_id, scores in by_course.items()}


# --- the teacher's grid -------------------------------------------------------------------------------


def course_for_user(*, school: School, user: User, roles: frozenset[str], course_id: int, edit: bool = False) -> Course:
    """A course whose gradebook the person may read (or, with `edit`, change); NotFound otherwise."""
    course = Course.objects.filter(school=school, pk=course_id).select_related("class_group", "teacher").first()
    check = permissions.can_edit_course if edit else permissions.can_read_course
    if course is None or not check(user=user, roles=roles, course=course):
        raise NotFound()
    return course


def evaluation_for_user(
    *, school: School, user: User, roles: frozenset[str], evaluation_id: int, edit: bool = False
) -> Evaluation:
    """An evaluation whose course's gradebook the person may read (or, with `edit`, change); NotFound otherwise."""
    evaluation = (
        Evaluation.objects.filter(school=school, pk=evaluation_id)
        .select_related("course", "course__class_group", "course__teacher", "period")
        .first()
    )
    check = permissions.can_edit_course if edit else permissions.can_read_course
    if evaluation is None or not check(user=user, roles=roles, course=evaluation.course):
        raise NotFound()
    return evaluation


def score_for(*, school: School, score_id: int) -> Score:
    score = (
        Score.objects.filter(school=school, pk=score_id)
        .select_related("evaluation", "evaluation__course", "evaluation__course__class_group", "student")
        .first()
    )
    if score is None:
        raise NotFound()
    return score


@dataclass
class EvaluationStats:
    evaluation: Evaluation
    average: Decimal | None
    counted: int
    # Ten bins of ten percent: [0-10), [10-20), ... [90-100].
    bins: list[int] = field(default_factory=lambda: [0] * 10)

    @property
    def peak(self) -> int:
        return max(self.bins) or 1

    @property
    def bars(self) -> list[tuple[str, int, int]]:
        """(label, count, x position) per bin, for the chart and its text table."""
        return [(f"{i * 10}-{i * 10 + 10}%", n, 4 + i * 22) for i, n in enumerate(self.bins)]


@dataclass
class Grid:
    course: Course
    period: Period | None
    students: list[User]
    evaluations: list[Evaluation]
    cells: dict[tuple[int, int], Score]
    stats: list[EvaluationStats]
    student_averages: dict[int, Decimal | None]


def grid(*, school: School, course: Course, period: Period | None = None) -> Grid:
    """Students x evaluations of a course: three queries whatever the size."""
    students = list(
        User.objects.filter(enrollments__school=school, enrollments__class_group_id=course.class_group_id).order_by(
            "last_name", "first_name", "pk"
        )
    )
    evaluations_qs = Evaluation.objects.filter(school=school, course=course).select_related("period")
    if period is not None:
        evaluations_qs = evaluations_qs.filter(period=period)
    evaluations = list(evaluations_qs.order_by("date", "pk"))
    by_id = {e.pk: e for e in evaluations}
    cells: dict[tuple[int, int], Score] = {}
    if evaluations:
        for score in Score.objects.filter(school=school, evaluation_id__in=list(by_id)):
            score.evaluation = by_id[score.evaluation_id]
            cells[(score.student_id, score.evaluation_id)] = score
    stats = []
    for evaluation in evaluations:
        scores = [cells[(s.pk, evaluation.pk)] for s in students if (s.pk, evaluation.pk) in cells]
        stat = EvaluationStats(evaluation, weighted_average(scores), sum(1 for s in scores if counts(s)))
        for score in scores:
            pct = percentage(score)
            if pct is not None:
                stat.bins[min(9, int(pct // 10))] += 1
        stats.append(stat)
    averages = {
        s.pk: weighted_average([cells[(s.pk, e.pk)] for e in evaluations if (s.pk, e.pk) in cells]) for s in students
    }
    return Grid(course, period, students, evaluations, cells, stats, averages)


def courses_for_gradebook(*, school: School, user: User, roles: frozenset[str], query: str = "") -> QuerySet[Course]:
    """Courses whose gradebook the person may open; `query` finds them by class, course or teacher name."""
    from krijt.core.roles import Role

    qs = Course.objects.filter(school=school).select_related("class_group", "teacher")
    if not roles & {Role.ADMIN, Role.STAFF}:
        qs = qs.filter(Q(teacher=user) | Q(class_group__mentor=user))
    for word in query.split()[:5]:
        qs = qs.filter(Q(class_group__name__iexact=word) | Q(name__icontains=word) | Q(code__iexact=word)
                       | Q(teacher__first_name__istartswith=word) | Q(teacher__last_name__istartswith=word))
    return qs.order_by("class_group__grade", "class_group__name", "name", "pk")


def periods_of(*, school: School, course: Course) -> list[Period]:
    return list(Period.objects.filter(school=school, school_year_id=course.school_year_id).order_by("starts_on"))


# --- transparency -------------------------------------------------------------------------------------


def changes_of(*, school: School, score_ids: list[int]) -> dict[int, list[ScoreChange]]:
    out: dict[int, list[ScoreChange]] = {}
    if not score_ids:
        return out
    for change in ScoreChange.objects.filter(school=school, score_id__in=score_ids).select_related("changed_by"):
        out.setdefault(change.score_id, []).append(change)
    return out


def views_of(*, school: School, student: User, limit: int = 50) -> list[ResultView]:
    return list(ResultView.objects.filter(school=school, student=student).select_related("viewer", "course")[:limit])


@dataclass(frozen=True)
class ResultsAccess:
    """What a person may see of one student's results: as whom, which courses (None: all), or hidden."""

    student: User
    audience: str  # teacher | parent
    courses: set[int] | None
    hidden: bool = False


def results_access_for(*, school: School, user: User, roles: frozenset[str], student_id: int) -> ResultsAccess:
    """Staff, administrators and the class mentor see everything; a teacher the courses they teach the
    student's class; a parent their child's (hidden when an adult child said no). Anyone else: not found."""
    from krijt.accounts.models import ParentLink
    from krijt.core.roles import Role
    from krijt.schools.models import Enrollment

    enrollment = (
        Enrollment.objects.filter(school=school, student_id=student_id)
        .select_related("student", "class_group")
        .order_by("-school_year__starts_on")
        .first()
    )
    if enrollment is None:
        raise NotFound()
    student = enrollment.student
    if roles & {Role.ADMIN, Role.STAFF} or enrollment.class_group.mentor_id == user.pk:
        return ResultsAccess(student, "teacher", None)
    if Role.TEACHER in roles:
        courses = set(
            Course.objects.filter(school=school, class_group=enrollment.class_group, teacher=user).values_list(
                "pk", flat=True
            )
        )
        if not courses:
            raise NotFound()
        return ResultsAccess(student, "teacher", courses)
    if Role.PARENT in roles and ParentLink.objects.filter(school=school, parent=user, student=student).exists():
        return ResultsAccess(student, "parent", None, hidden=not parents_may_see(school=school, student=student))
    raise NotFound()
