"""Reads for report cards: the gradebook's weighted percentages, the class overview and one card."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from krijt.accounts.models import ParentLink, User
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.reportcards import permissions
from krijt.reportcards.models import CardLine, CourseComment, ReportCard
from krijt.results import selectors as results_selectors
from krijt.results.models import Evaluation, Score
from krijt.results.text import shown_score, stored_text
from krijt.schools import selectors as school_selectors
from krijt.schools.models import ClassGroup, Course, Enrollment, LessonPeriod, Period, School

HUNDRED = Decimal("100")
CENT = Decimal("0.1")


class State:
    DRAFT = "draft"
    READY = "ready"
    RELEASED = "released"
    WAITING = "waiting"  # a B or C certificate released, waiting for the conversation with the student


@dataclass
class ScoreItem:
    name: str
    score: str  # as kept (results.text.stored_text): a number, or "absent" / "exempt" / "" (not entered)
    maximum: Decimal
    weight: Decimal
    category: str = "test"  # the evaluation's: test or task (daily work), or exam

    @property
    def shown(self) -> str:
        return shown_score(self.score)


@dataclass
class Line:
    course_id: int | None
    course_name: str
    teacher_name: str
    percentage: Decimal | None
    scores: list[ScoreItem] = field(default_factory=list)
    comment: str = ""
    # Of the carried (published) scores: whether one is sensitive, and the latest moments they reach the
    # student and the parents; a card never reaches anyone before the results it carries.
    sensitive: bool = False
    student_visible_at: dt.datetime | None = None
    parent_visible_at: dt.datetime | None = None


def weighted_percentage(items: list[tuple[Decimal | None, str, Decimal, Decimal]]) -> Decimal | None:
    """sum(score / maximum * weight) / sum(weight) * 100 over (value, code, maximum, weight); absent, exempt
    and missing scores count for nothing, not for zero. None when nothing counts."""
    total, weights = Decimal(0), Decimal(0)
    for value, code, maximum, weight in items:
        if value is None or code or not maximum or weight <= 0:
            continue
        total += value / maximum * weight
        weights += weight
    if not weights:
        return None
    return (total / weights * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def average_of(lines: list[Line]) -> Decimal | None:
    values = [line.percentage for line in lines if line.percentage is not None]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def gradebook_lines(
    *, school: School, period: Period, class_group: ClassGroup, student_ids: list[int]
) -> dict[int, list[Line]]:
    """Per student, a line per course of the class with its weighted percentage: three queries.

    Only published scores count: a score the teacher has not published is not on the card (the staff see
    it named by `unpublished_scores`), as if it were not entered.
    """
    courses = list(
        Course.objects.filter(school=school, class_group=class_group).select_related("teacher").order_by("name")
    )
    evaluations = list(
        Evaluation.objects.filter(school=school, period=period, course__in=courses).order_by("date", "pk")
    )
    scores = {
        (s.evaluation_id, s.student_id): s
        for s in Score.objects.filter(
            school=school, evaluation__in=evaluations, student_id__in=student_ids, published_at__isnull=False
        )
    }
    by_course: dict[int, list[Evaluation]] = {}
    for evaluation in evaluations:
        by_course.setdefault(evaluation.course_id, []).append(evaluation)
    result: dict[int, list[Line]] = {}
    for student_id in student_ids:
        lines = []
        for course in courses:
            items, shown, carried = [], [], []
            for evaluation in by_course.get(course.pk, []):
                score = scores.get((evaluation.pk, student_id))
                items.append(
                    (score.value if score else None, score.code if score else "", evaluation.maximum, evaluation.weight)
                )
                shown.append(ScoreItem(evaluation.name, stored_text(score), evaluation.maximum, evaluation.weight,
                                       evaluation.category))
                if score is not None:
                    carried.append(score)
            lines.append(
                Line(
                    course.pk,
                    course.name,
                    course.teacher.full_name if course.teacher else "",
                    weighted_percentage(items),
                    shown,
                    sensitive=any(c.sensitive for c in carried),
                    student_visible_at=_latest(c.student_visible_at for c in carried),
                    parent_visible_at=_latest(c.parent_visible_at for c in carried),
                )
            )
        result[student_id] = lines
    return result


def _latest(moments: Any) -> dt.datetime | None:
    found = [m for m in moments if m is not None]
    return max(found) if found else None


def unpublished_scores(
    *, school: School, period: Period, class_group: ClassGroup, student_ids: list[int]
) -> dict[int, list[str]]:
    """{student id: ["Wiskunde: Algebra test", ...]}: entered scores of the period the teacher has not
    published, which a report card leaves out. One query."""
    found: dict[int, list[str]] = {}
    for student_id, course, name in (
        Score.objects.filter(
            school=school,
            evaluation__period=period,
            evaluation__course__class_group=class_group,
            student_id__in=student_ids,
            published_at__isnull=True,
        )
        .filter(Q(value__isnull=False) | ~Q(code=""))
        .order_by("evaluation__course__name", "evaluation__date", "evaluation_id")
        .values_list("student_id", "evaluation__course__name", "evaluation__name")
    ):
        found.setdefault(student_id, []).append(f"{course}: {name}")
    return found


def card_is_sensitive(*, lines: list[Line], decision: str, threshold: Decimal) -> bool:
    """A card that carries a fail: a B or C certificate, a course below the school's sensitive threshold
    (percent), or a carried result that is sensitive. Pure."""
    if decision in (ReportCard.Decision.B, ReportCard.Decision.C):
        return True
    return any(line.sensitive or (line.percentage is not None and line.percentage < threshold) for line in lines)


def period_by_id(*, school: School, period_id: int) -> Period:
    period = Period.objects.filter(school=school, pk=period_id).select_related("school_year").first()
    if period is None:
        raise NotFound()
    return period


def is_year_end(*, school: School, period: Period) -> bool:
    """The last period of its school year carries the class council's decision."""
    return not Period.objects.filter(
        school=school, school_year_id=period.school_year_id, starts_on__gt=period.starts_on
    ).exists()


def class_for_manager(*, school: School, user: User, roles: frozenset[str], class_id: int) -> ClassGroup:
    group = school_selectors.class_for_user(school=school, user=user, roles=roles, class_id=class_id)
    if not permissions.can_manage_class(user=user, roles=roles, class_group=group):
        raise NotFound()
    return group


def course_for_commenter(
    *, school: School, user: User, roles: frozenset[str], class_group: ClassGroup, course_id: int
) -> Course:
    course = (
        Course.objects.filter(school=school, class_group=class_group, pk=course_id).select_related("teacher").first()
    )
    if course is None or not permissions.can_comment_course(user=user, roles=roles, course=course):
        raise NotFound()
    return course


def state_of(card: ReportCard | None, *, year_end: bool) -> str:
    if card is None:
        return State.DRAFT
    if card.released_at is not None:
        if card.needs_conversation and card.student_visible_at is None:
            return State.WAITING
        return State.RELEASED
    if card.mentor_comment.strip() and (card.decision or not year_end):
        return State.READY
    return State.DRAFT


@dataclass
class OverviewRow:
    student: User
    card: ReportCard | None
    state: str
    comments: int
    unpublished: int = 0


def class_overview(*, school: School, period: Period, class_group: ClassGroup) -> dict[str, Any]:
    """Every student of the class with their card's state and how many of their entered results are not
    published (left off the card): five queries, however many students."""
    students = list(school_selectors.students_of_class(school=school, class_group=class_group))
    cards = {
        c.student_id: c
        for c in ReportCard.objects.filter(school=school, period=period, class_group=class_group).annotate(
            comment_count=Count("comments", filter=Q(comments__school=school))
        )
    }
    course_count = Course.objects.filter(school=school, class_group=class_group).count()
    year_end = is_year_end(school=school, period=period)
    unpublished = unpublished_scores(
        school=school, period=period, class_group=class_group, student_ids=[s.pk for s in students]
    )
    rows = [
        OverviewRow(
            s,
            cards.get(s.pk),
            state_of(cards.get(s.pk), year_end=year_end),
            getattr(cards.get(s.pk), "comment_count", 0),
            len(unpublished.get(s.pk, [])) if not (cards.get(s.pk) and cards[s.pk].released_at) else 0,
        )
        for s in students
    ]
    counts = {
        state: sum(1 for r in rows if r.state == state)
        for state in (State.DRAFT, State.READY, State.RELEASED, State.WAITING)
    }
    return {"rows": rows, "course_count": course_count, "year_end": year_end, "counts": counts}


def class_overview_for_user(
    *, school: School, user: User, roles: frozenset[str], period_id: int, class_id: int
) -> tuple[ClassGroup, Period, dict[str, Any]]:
    """The class overview of a period for whoever manages the class's cards (its mentor, administrators);
    NotFound for anyone else and for a period of another school year."""
    group = class_for_manager(school=school, user=user, roles=roles, class_id=class_id)
    period = period_by_id(school=school, period_id=period_id)
    if period.school_year_id != group.school_year_id:
        raise NotFound()
    return group, period, class_overview(school=school, period=period, class_group=group)


@dataclass
class CardView:
    student: User
    period: Period
    class_group: ClassGroup
    card: ReportCard | None
    lines: list[Line]
    average: Decimal | None
    year_end: bool
    state: str
    may_manage: bool
    audience: str  # "staff", "student" or "parent"
    # For the staff, before release: entered scores the teachers have not published, left off the card.
    unpublished: list[str] = field(default_factory=list)


def _enrollment(*, school: School, period: Period, student_id: int) -> Enrollment:
    enrollment = (
        Enrollment.objects.filter(school=school, school_year_id=period.school_year_id, student_id=student_id)
        .select_related("class_group", "class_group__mentor", "student")
        .first()
    )
    if enrollment is None:
        raise NotFound()
    return enrollment


def parents_may_see(*, school: School, student: User, today: dt.date) -> bool:
    """An adult student's choice in results applies to report cards too."""
    return results_selectors.parents_may_see(school=school, student=student, today=today)


def card_for_user(*, school: School, user: User, roles: frozenset[str], period: Period, student_id: int) -> CardView:
    """One report card as the asking person may see it; NotFound when they may not (yet)."""
    enrollment = _enrollment(school=school, period=period, student_id=student_id)
    group, student = enrollment.class_group, enrollment.student
    card = (
        ReportCard.objects.filter(school=school, period=period, student_id=student_id)
        .select_related(
            "mentor_comment_by", "conversation_held_by", "conversation_set_by", "released_by", "talk_to"
        )
        .first()
    )
    now = clock.now()
    teacher_ids = Course.objects.filter(school=school, class_group=group).values_list("teacher_id", flat=True)
    audience = ""
    may_manage = permissions.can_manage_class(user=user, roles=roles, class_group=group)
    if may_manage or permissions.can_read_class_cards(
        user=user, roles=roles, class_group=group, teacher_ids=[t for t in teacher_ids if t]
    ):
        audience = "staff"
    elif Role.STUDENT in roles and user.pk == student.pk:
        if card is None or card.student_visible_at is None or card.student_visible_at > now:
            raise NotFound()
        audience = "student"
    elif Role.PARENT in roles and ParentLink.objects.filter(school=school, parent=user, student=student).exists():
        if card is None or card.parent_visible_at is None or card.parent_visible_at > now:
            raise NotFound()
        if not parents_may_see(school=school, student=student, today=clock.local_today(school.time_zone)):
            raise NotFound()
        audience = "parent"
    else:
        raise NotFound()
    year_end = is_year_end(school=school, period=period)
    unpublished: list[str] = []
    if card is not None and card.released_at is not None:
        lines = [
            Line(
                line.course_id,
                line.course_name,
                line.teacher_name,
                line.percentage,
                [ScoreItem(i["name"], i["score"], Decimal(i["maximum"]), Decimal(i["weight"]),
                           i.get("category", "test")) for i in line.scores],
                line.comment,
            )
            for line in CardLine.objects.filter(school=school, card=card).order_by("position")
        ]
    else:
        lines = gradebook_lines(school=school, period=period, class_group=group, student_ids=[student.pk])[student.pk]
        if audience == "staff":
            unpublished = unpublished_scores(
                school=school, period=period, class_group=group, student_ids=[student.pk]
            ).get(student.pk, [])
        if card is not None:
            comments = dict(CourseComment.objects.filter(school=school, card=card).values_list("course_id", "text"))
            for line in lines:
                line.comment = comments.get(line.course_id, "")
    return CardView(
        student=student,
        period=period,
        class_group=group,
        card=card,
        lines=lines,
        average=average_of(lines),
        year_end=year_end,
        state=state_of(card, year_end=year_end),
        may_manage=may_manage,
        audience=audience,
        unpublished=unpublished,
    )


def visible_cards(*, school: School, user: User, roles: frozenset[str]) -> list[ReportCard]:
    """The cards a student or parent may read now, newest period first: one or two queries."""
    now = clock.now()
    found: list[ReportCard] = []
    if Role.STUDENT in roles:
        found += ReportCard.objects.filter(school=school, student=user, student_visible_at__lte=now).select_related(
            "period", "student"
        )
    if Role.PARENT in roles:
        children = ParentLink.objects.filter(school=school, parent=user).values("student_id")
        today = clock.local_today(school.time_zone)
        for card in ReportCard.objects.filter(
            school=school, student_id__in=children, parent_visible_at__lte=now
        ).select_related("period", "student"):
            if parents_may_see(school=school, student=card.student, today=today):
                found.append(card)
    return sorted(found, key=lambda c: (c.period.starts_on, c.student.last_name), reverse=True)


def school_hours(*, school: School) -> tuple[dt.time, dt.time] | None:
    """From the first lesson's start to the last lesson's end; None when the school has no lesson times."""
    times = list(LessonPeriod.objects.filter(school=school).values_list("starts_at", "ends_at"))
    if not times:
        return None
    return min(t[0] for t in times), max(t[1] for t in times)


def class_choices(*, school: School, user: User, roles: frozenset[str]) -> dict[str, Any]:
    """For the start page of staff: the periods of the current year, the classes they mentor or teach."""
    year = school_selectors.current_school_year(school=school)
    if year is None:
        return {"periods": [], "mentored": [], "taught": []}
    periods = list(Period.objects.filter(school=school, school_year=year).order_by("starts_on"))
    if Role.ADMIN in roles:
        mentored = list(ClassGroup.objects.filter(school=school, school_year=year).order_by("grade", "name"))
    else:
        mentored = list(
            ClassGroup.objects.filter(school=school, school_year=year, mentor=user).order_by("grade", "name")
        )
    taught = list(
        Course.objects.filter(school=school, school_year=year, teacher=user)
        .select_related("class_group")
        .order_by("class_group__name", "name")
    )
    return {"periods": periods, "mentored": mentored, "taught": taught}


def local(moment: dt.datetime | None, school: School) -> dt.datetime | None:
    return moment.astimezone(ZoneInfo(school.time_zone)) if moment else None


def course_comment_texts(*, school: School, period: Period, course: Course) -> dict[int, tuple[str, bool]]:
    """{student id: (the course's comment, whether the card is released)} for one course: one query."""
    cards = ReportCard.objects.filter(school=school, period=period, class_group_id=course.class_group_id)
    found: dict[int, tuple[str, bool]] = {c.student_id: ("", c.released_at is not None) for c in cards}
    for student_id, text in CourseComment.objects.filter(school=school, card__in=cards, course=course).values_list(
        "card__student_id", "text"
    ):
        found[student_id] = (text, found.get(student_id, ("", False))[1])
    return found


def class_course_averages(*, school: School, view: CardView) -> dict[str, Decimal | None]:
    """Per course (by name, as the card shows it), the class's average of the course percentage: from the
    released cards of the class when this card is released (frozen with them), else from the gradebook as it
    stands (three queries). Only what the card's reader may compare against: a number, never names."""
    if view.card is not None and view.card.released_at is not None:
        rows = CardLine.objects.filter(
            school=school, card__period=view.period, card__class_group=view.class_group,
            card__released_at__isnull=False, percentage__isnull=False,
        ).values_list("course_name", "percentage")
        collected: dict[str, list[Decimal]] = {}
        for name, percentage in rows:
            collected.setdefault(name, []).append(percentage)
    else:
        students = list(Enrollment.objects.filter(school=school, class_group=view.class_group)
                        .values_list("student_id", flat=True))
        lines = gradebook_lines(school=school, period=view.period, class_group=view.class_group,
                                student_ids=students)
        collected = {}
        for student_lines in lines.values():
            for line in student_lines:
                if line.percentage is not None:
                    collected.setdefault(line.course_name, []).append(line.percentage)
    return {name: (sum(values, Decimal(0)) / len(values)) if values else None for name, values in collected.items()}


def part_percentage(line: Line, *, exams: bool) -> Decimal | None:
    """The course's daily work (tests and tasks) or its exams alone, weighted as the total is."""
    items = []
    for item in line.scores:
        if (item.category == "exam") != exams:
            continue
        try:
            value = Decimal(item.score) if item.score and item.score[0].isdigit() else None
        except ArithmeticError:
            value = None
        code = "" if value is not None else (item.score or "missing")
        items.append((value, code, item.maximum, item.weight))
    return weighted_percentage(items)
