"""Writes of the gradebook. Keyword-only, atomic; rules live here, pages stay thin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import ParentLink, User
from krijt.accounts.selectors import actor_roles
from krijt.core import clock, parts
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.notifications.services import Event, Target, notify_events, withdraw, withdraw_about
from krijt.planner.models import PlannerItem
from krijt.results import permissions, selectors
from krijt.results.kinds import KIND, TOPIC
from krijt.results.models import Evaluation, ResultsPolicy, ResultsSharing, ResultView, Score, ScoreChange
from krijt.results.parts import gradebook_scope, student_scope
from krijt.results.release import release_moments
from krijt.results.text import number_text
from krijt.schools.models import Course, Enrollment, Period, School
from krijt.schools.paths import school_path

# What a teacher may type in a cell besides a number (case-insensitive). Shown on the grid page.
ABSENT_CODES = frozenset({"a", "afw", "abs"})
EXEMPT_CODES = frozenset({"v", "vr", "vrij", "ex"})
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Entry:
    value: Decimal | None
    code: str


def _check_may_edit(*, school: School, actor: User, course: Course, roles: frozenset[str] | None) -> None:
    """The one check before any write on a course's evaluations and scores (results/permissions.py): the
    course's teacher, the class mentor or an administrator. `roles` when the caller knows them, else read."""
    if course.school_id != school.pk:
        raise NotFound()
    known = actor_roles(school=school, actor=actor, roles=roles)
    if not permissions.can_edit_course(user=actor, roles=known, course=course):
        raise Forbidden(_("Only the course's teacher, the class mentor or an administrator may do this."))


def parse_entry(text: str, *, maximum: Decimal) -> Entry:
    """A cell's text: a number (decimal comma or point), a code for absent or exempt, or empty to clear."""
    raw = (text or "").strip()
    if not raw:
        return Entry(None, "")
    if raw.lower() in ABSENT_CODES:
        return Entry(None, Score.Code.ABSENT)
    if raw.lower() in EXEMPT_CODES:
        return Entry(None, Score.Code.EXEMPT)
    try:
        value = Decimal(raw.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationFailed(
            fields={"value": [_("Type a number (e.g. 7,5), A for absent or V for exempt.")]}
        ) from None
    if not value.is_finite():
        raise ValidationFailed(fields={"value": [_("Type a number (e.g. 7,5), A for absent or V for exempt.")]})
    if value < 0:
        raise ValidationFailed(fields={"value": [_("A score cannot be below 0.")]})
    if value > maximum:
        raise ValidationFailed(
            fields={"value": [_("A score cannot be above the maximum of %(max)s.") % {"max": number_text(maximum)}]}
        )
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(fields={"value": [_("Use at most two decimals.")]})
    return Entry(value, "")


def is_sensitive(*, value: Decimal | None, code: str, marked: bool, maximum: Decimal, threshold: Decimal) -> bool:
    if marked:
        return True
    if value is None or code:
        return False
    return value * 100 < threshold * maximum


def _threshold(evaluation: Evaluation, row: ResultsPolicy) -> Decimal:
    return evaluation.sensitive_threshold if evaluation.sensitive_threshold is not None else row.sensitive_threshold


# --- policy -------------------------------------------------------------------------------------------


@transaction.atomic
def results_policy_update(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    window_start: dt.time,
    window_end: dt.time,
    sensitive_start: dt.time,
    sensitive_end: dt.time,
    avoid_last_lesson: bool,
    parent_delay_hours: int,
    sensitive_threshold: Decimal,
    publish_on_save: bool,
) -> ResultsPolicy:
    """Limits: windows inside 08:00-18:00 (never before the school day), the sensitive window inside the
    general one, parents at least 12 hours after the student, a threshold between 0 and 100 percent.
    Only an administrator (MANAGE_POLICY) may."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    if not known & permissions.MANAGE_POLICY:
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    if not (dt.time(8) <= window_start < window_end <= dt.time(18)):
        errors["window_end"] = [_("The window lies between 08:00 and 18:00 and ends after it starts.")]
    if not (window_start <= sensitive_start < sensitive_end <= window_end):
        errors["sensitive_end"] = [_("The window for sensitive results lies inside the publication window.")]
    if not 12 <= parent_delay_hours <= 14 * 24:
        errors["parent_delay_hours"] = [_("Parents see results between 12 hours and 14 days after the student.")]
    if not Decimal("0") <= sensitive_threshold <= Decimal("100"):
        errors["sensitive_threshold"] = [_("A percentage between 0 and 100.")]
    if errors:
        raise ValidationFailed(fields=errors)
    row, _created = ResultsPolicy.objects.update_or_create(
        school=school,
        defaults={
            "window_start": window_start,
            "window_end": window_end,
            "sensitive_start": sensitive_start,
            "sensitive_end": sensitive_end,
            "avoid_last_lesson": avoid_last_lesson,
            "parent_delay_hours": parent_delay_hours,
            "sensitive_threshold": sensitive_threshold,
            "publish_on_save": publish_on_save,
        },
    )
    return row


# --- evaluations --------------------------------------------------------------------------------------


def _evaluation_checks(
    *,
    school: School,
    course: Course,
    period: Period,
    name: str,
    maximum: Decimal,
    weight: Decimal,
    category: str,
    planner_item_id: int | None,
    sensitive_threshold: Decimal | None,
) -> PlannerItem | None:
    errors: dict[str, list[str]] = {}
    if course.school_id != school.pk or period.school_id != school.pk:
        raise NotFound()
    if period.school_year_id != course.school_year_id:
        errors["period"] = [_("Choose a period of the course's school year.")]
    if not name.strip():
        errors["name"] = [_("Give the evaluation a name.")]
    if maximum <= 0:
        errors["maximum"] = [_("The maximum is above 0.")]
    if weight < 0:
        errors["weight"] = [_("The weight cannot be negative.")]
    if category not in Evaluation.Category.values:
        errors["category"] = [_("Choose test, task or exam.")]
    if sensitive_threshold is not None and not Decimal("0") <= sensitive_threshold <= Decimal("100"):
        errors["sensitive_threshold"] = [_("A percentage between 0 and 100.")]
    item = None
    if planner_item_id is not None:
        item = PlannerItem.objects.filter(school=school, pk=planner_item_id, course=course).first()
        if item is None:
            errors["planner_item"] = [_("Choose a planned item of this course.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return item


@transaction.atomic
def evaluation_create(
    *,
    school: School,
    actor: User,
    course: Course,
    period: Period,
    name: str,
    date: dt.date,
    maximum: Decimal,
    weight: Decimal = Decimal("1"),
    category: str = Evaluation.Category.TEST,
    planner_item_id: int | None = None,
    sensitive_threshold: Decimal | None = None,
    roles: frozenset[str] | None = None,
) -> Evaluation:
    _check_may_edit(school=school, actor=actor, course=course, roles=roles)
    item = _evaluation_checks(
        school=school,
        course=course,
        period=period,
        name=name,
        maximum=maximum,
        weight=weight,
        category=category,
        planner_item_id=planner_item_id,
        sensitive_threshold=sensitive_threshold,
    )
    return Evaluation.objects.create(
        school=school,
        school_year_id=course.school_year_id,
        course=course,
        period=period,
        name=name.strip(),
        date=date,
        maximum=maximum,
        weight=weight,
        category=category,
        planner_item=item,
        sensitive_threshold=sensitive_threshold,
        created_by=actor,
    )


@transaction.atomic
def evaluation_update(
    *,
    school: School,
    actor: User,
    evaluation: Evaluation,
    period: Period,
    name: str,
    date: dt.date,
    maximum: Decimal,
    weight: Decimal = Decimal("1"),
    category: str = Evaluation.Category.TEST,
    planner_item_id: int | None = None,
    sensitive_threshold: Decimal | None = None,
    roles: frozenset[str] | None = None,
) -> Evaluation:
    """Corrects an evaluation. What students already see cannot shift under them: once published, the
    maximum, weight, period and threshold stay as they are (a changed score is a score change, logged)."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk, school=school)
    _check_may_edit(school=school, actor=actor, course=evaluation.course, roles=roles)
    item = _evaluation_checks(
        school=school,
        course=evaluation.course,
        period=period,
        name=name,
        maximum=maximum,
        weight=weight,
        category=category,
        planner_item_id=planner_item_id,
        sensitive_threshold=sensitive_threshold,
    )
    if evaluation.published_at is not None:
        frozen = {
            "maximum": (evaluation.maximum, maximum),
            "weight": (evaluation.weight, weight),
            "period": (evaluation.period_id, period.pk),
            "sensitive_threshold": (evaluation.sensitive_threshold, sensitive_threshold),
        }
        changed = [field for field, (old, new) in frozen.items() if old != new]
        if changed:
            message = _("This evaluation is published: its maximum, weight, period and threshold stay as they are.")
            raise ValidationFailed(message, fields={field: [message] for field in changed})
    highest = (
        Score.objects.filter(school=school, evaluation=evaluation, value__isnull=False)
        .order_by("-value")
        .values_list("value", flat=True)
        .first()
    )
    if highest is not None and highest > maximum:
        raise ValidationFailed(
            fields={
                "maximum": [
                    _("A student already has %(score)s: the maximum cannot be lower.") % {"score": number_text(highest)}
                ]
            }
        )
    evaluation.period = period
    evaluation.name = name.strip()
    evaluation.date = date
    evaluation.maximum = maximum
    evaluation.weight = weight
    evaluation.category = category
    evaluation.planner_item = item
    evaluation.sensitive_threshold = sensitive_threshold
    evaluation.save()
    _changed(school, evaluation.course,
             Score.objects.filter(school=school, evaluation=evaluation).values_list("student_id", flat=True))
    return evaluation


@transaction.atomic
def evaluation_delete(
    *, school: School, actor: User, evaluation: Evaluation, roles: frozenset[str] | None = None
) -> None:
    """Removes an evaluation that was never published; published results are part of the record."""
    _check_may_edit(school=school, actor=actor, course=evaluation.course, roles=roles)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk, school=school)
    if evaluation.published_at is not None:
        raise Conflict(_("A published evaluation cannot be deleted: students have seen it."))
    Score.objects.filter(school=school, evaluation=evaluation).delete()
    evaluation.delete()
    _changed(school, evaluation.course, [])


def _check_student(*, school: School, evaluation: Evaluation, student_id: int) -> User:
    enrolled = Enrollment.objects.filter(
        school=school, class_group_id=evaluation.course.class_group_id, student_id=student_id
    ).select_related("student")
    enrollment = enrolled.first()
    if enrollment is None:
        raise NotFound()
    return enrollment.student


@transaction.atomic
def score_set(
    *,
    school: School,
    actor: User,
    evaluation: Evaluation,
    student_id: int,
    entry: str | None = None,
    comment: str | None = None,
    marked_sensitive: bool | None = None,
    context: selectors.ReleaseContext | None = None,
    roles: frozenset[str] | None = None,
) -> Score:
    """Saves one cell (and/or its comment and mark). `None` leaves that part as it is.

    A change to a published score keeps the old value in ScoreChange and releases the score again from
    now (a new version). When the evaluation is published (or the school publishes on save), a sensitive
    score needs a comment first.
    """
    if evaluation.school_id != school.pk:
        raise NotFound()
    _check_may_edit(school=school, actor=actor, course=evaluation.course, roles=roles)
    student = _check_student(school=school, evaluation=evaluation, student_id=student_id)
    ctx = context or selectors.release_context(school=school, class_group_id=evaluation.course.class_group_id)
    score = Score.objects.select_for_update().filter(school=school, evaluation=evaluation, student=student).first()
    if score is None:
        score = Score(school=school, evaluation=evaluation, student=student)
    old = (score.value, score.code, score.comment, score.marked_sensitive)
    if entry is not None:
        parsed = parse_entry(entry, maximum=evaluation.maximum)
        score.value, score.code = parsed.value, parsed.code
    if comment is not None:
        if len(comment) > MAX_COMMENT:
            raise ValidationFailed(fields={"comment": [_("A comment has at most 2000 characters.")]})
        score.comment = comment.strip()
    if marked_sensitive is not None:
        score.marked_sensitive = marked_sensitive
    score.sensitive = is_sensitive(
        value=score.value,
        code=score.code,
        marked=score.marked_sensitive,
        maximum=evaluation.maximum,
        threshold=_threshold(evaluation, ctx.row),
    )
    if score.talk_teacher_id is None:
        score.talk_teacher_id = evaluation.course.teacher_id or actor.pk
    changed = old != (score.value, score.code, score.comment, score.marked_sensitive)
    if score.pk is not None and not changed:
        return score
    releasing = evaluation.published_at is not None or ctx.row.publish_on_save
    empty = score.value is None and not score.code
    if releasing and score.sensitive and not score.comment:
        raise ValidationFailed(
            fields={"comment": [_("This result is sensitive: write a comment for the student before it is published.")]}
        )
    now = clock.now()
    score.updated_by = actor
    was_published = score.published_at is not None
    if was_published:
        ScoreChange.objects.create(
            school=school,
            score=score,
            changed_by=actor,
            changed_at=now,
            old_value=old[0],
            old_code=old[1],
            old_comment=old[2],
            new_value=score.value,
            new_code=score.code,
            new_comment=score.comment,
        )
        score.version += 1
    score.save()
    if releasing and not empty:
        if evaluation.published_at is None:
            Evaluation.objects.filter(pk=evaluation.pk).update(published_at=now, published_by=actor)
            evaluation.published_at = now
        _release(
            school=school,
            score=score,
            evaluation=evaluation,
            ctx=ctx,
            moment=now,
            previous_version=(score.version - 1 if was_published else None),
        )
    elif was_published and empty:
        # Cleared after publication: nothing left to show; the history keeps what was there.
        withdraw(school=school, key=f"result:{score.pk}:{score.version - 1}")
        Score.objects.filter(pk=score.pk).update(published_at=None, student_visible_at=None, parent_visible_at=None)
        score.published_at = score.student_visible_at = score.parent_visible_at = None
    _changed(school, evaluation.course, [student.pk])
    return score


def _changed(school: School, course: Course, student_ids: Iterable[int]) -> None:
    """The cached parts that show these students' results, and the course teacher's list, are stale."""
    scopes = [student_scope(school.pk, pk) for pk in student_ids]
    if course.teacher_id is not None:
        scopes.append(gradebook_scope(school.pk, course.teacher_id))
    parts.bump(*scopes)


def _url(school: School) -> str:
    return school_path(school, "results:mine")


def _release(
    *,
    school: School,
    score: Score,
    evaluation: Evaluation,
    ctx: selectors.ReleaseContext,
    moment: dt.datetime,
    previous_version: int | None,
) -> None:
    if previous_version is not None:
        withdraw(school=school, key=f"result:{score.pk}:{previous_version}")
    _release_all(school=school, scores=[score], evaluation=evaluation, ctx=ctx, moment=moment)


def _release_all(
    *, school: School, scores: list[Score], evaluation: Evaluation, ctx: selectors.ReleaseContext, moment: dt.datetime
) -> None:
    """Releases scores of one evaluation: their moments, and one pass of the notification engine for all of
    them. A fixed number of queries, whatever the class's size (one update, the parents' links, the adult
    students' choices, and the engine's queries per chunk)."""
    if not scores:
        return
    for score in scores:
        release = release_moments(
            moment=moment, policy=ctx.policy, delivery=ctx.delivery, calendar=ctx.calendar, tz=ctx.tz,
            sensitive=score.sensitive,
        )
        score.published_at = moment
        score.student_visible_at = release.student_visible_at
        score.parent_visible_at = release.parent_visible_at
    Score.objects.bulk_update(scores, ["published_at", "student_visible_at", "parent_visible_at"])
    student_ids = {score.student_id for score in scores}
    told = student_ids - selectors.hidden_from_parents(school=school, student_ids=student_ids)
    parents: dict[int, list[int]] = {}
    for parent_id, student_id in ParentLink.objects.filter(school=school, student_id__in=told).values_list(
        "parent_id", "student_id"
    ):
        parents.setdefault(student_id, []).append(parent_id)
    params = {"course": evaluation.course.name}
    url = _url(school)
    events = []
    for score in scores:
        key = f"result:{score.pk}:{score.version}"
        events.append(Event(kind=KIND, key=key, targets=[Target(user_id=score.student_id, audience="student")],
                            params=params, url=url, moment=score.student_visible_at))
        if parents.get(score.student_id):
            events.append(Event(
                kind=KIND, key=key,
                targets=[Target(user_id=p, audience="parent", about_student_id=score.student_id)
                         for p in parents[score.student_id]],
                params={**params, "student": score.student.first_name}, url=url, moment=score.parent_visible_at,
            ))
    notify_events(school=school, events=events)


@transaction.atomic
def evaluation_publish(
    *, school: School, actor: User, evaluation: Evaluation, roles: frozenset[str] | None = None
) -> list[Score]:
    """Publishes every filled score of the evaluation; refuses while a sensitive score lacks a comment."""
    if evaluation.school_id != school.pk:
        raise NotFound()
    _check_may_edit(school=school, actor=actor, course=evaluation.course, roles=roles)
    scores = list(
        Score.objects.select_for_update()
        .filter(school=school, evaluation=evaluation)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    )
    missing = [s.student.full_name for s in scores if s.sensitive and not s.comment]
    if missing:
        raise ValidationFailed(
            _("Sensitive results need a comment before publishing: %(names)s.") % {"names": ", ".join(missing)},
            fields={"comment": [_("Write a comment for: %(names)s.") % {"names": ", ".join(missing)}]},
        )
    now = clock.now()
    ctx = selectors.release_context(school=school, class_group_id=evaluation.course.class_group_id)
    Evaluation.objects.filter(pk=evaluation.pk).update(published_at=now, published_by=actor)
    evaluation.published_at = now
    released = [s for s in scores if s.published_at is None and (s.value is not None or s.code)]
    _release_all(school=school, scores=released, evaluation=evaluation, ctx=ctx, moment=now)
    _changed(school, evaluation.course, [s.student_id for s in released])
    return released


# --- transparency and choices -------------------------------------------------------------------------


@transaction.atomic
def sharing_update(*, school: School, student: User, parents_may_see: bool) -> ResultsSharing:
    """An adult student decides whether their parents see their results (and report cards).

    A "no" takes effect at once, everywhere: reads hide the results from the parents, and every
    notification, digest line, e-mail and push about them that the parents have or still would get is
    withdrawn; the engine's gate keeps new ones from being written while the choice stands.
    """
    if not student.is_adult_on(clock.local_today(school.time_zone)):
        raise Forbidden(_("Only students of 18 and over choose what their parents see."))
    row, _created = ResultsSharing.objects.update_or_create(
        school=school, student=student, defaults={"parents_may_see": parents_may_see}
    )
    if not parents_may_see:
        withdraw_about(school=school, student_id=student.pk, topic=TOPIC)
    parts.bump(student_scope(school.pk, student.pk))
    return row


@transaction.atomic
def result_view_log(
    *, school: School, student: User, viewer: User, role: str, course: Course | None = None
) -> ResultView | None:
    """Logs a look at someone's results; a student looking at their own is not logged."""
    if viewer.pk == student.pk:
        return None
    return ResultView.objects.create(
        school=school, student=student, viewer=viewer, role=role, viewed_at=clock.now(), course=course
    )
