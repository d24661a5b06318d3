"""Writes of exercises: writing items and exercises, assigning them, the pupil's finished sitting, and the
worker that keeps the dashboard.

The busiest write of the module is `attempt_submit`: one row per finished sitting, made idempotent by the key
the device made, admitted even when Krijt sheds other load. It reads the assignment and the pupil's place in
it (one query) and inserts one row; nothing else. Everything the dashboard shows is rebuilt from the attempts
by `summarize`, in batches, a minute behind.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils.translation import gettext as _

from krijt.accounts.models import ParentLink, User
from krijt.core import clock, parts, uploads
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.core.writes import model_update
from krijt.exercises import items as item_types
from krijt.exercises import kinds, partitions, permissions, qti, rules
from krijt.exercises.models import (
    Assignment,
    AssignmentStudent,
    Attempt,
    Exercise,
    Item,
    ItemRevision,
    ItemTally,
    PracticeGroup,
    Progress,
    SummaryCursor,
)
from krijt.exercises.parts import assignment_scope, exercise_scope
from krijt.schools.models import Course, Enrollment, School
from krijt.schools.paths import school_path

logger = logging.getLogger(__name__)

MAX_PROMPT = 1000
MAX_HINTS = 3
MAX_HINT = 300
MAX_ITEMS = 60
MAX_ANSWERS = 200
MAX_RESPONSE_CHARS = 2000
MAX_ATTEMPT_BYTES = 64 * 1024
MAX_SITTING = dt.timedelta(hours=3)
# A device's clock is set right by the page (it knows the server's time when it loaded); what is still ahead
# of the server by more than this is refused.
CLOCK_LEEWAY = dt.timedelta(minutes=10)
# The worker reads attempts received at least this long ago: every insert has committed by then.
SETTLE = dt.timedelta(seconds=60)
# and at most this span of them per round.
WINDOW = dt.timedelta(minutes=2)
CURSOR = "progress"


# ---------------------------------------------------------------- exercises and items


@dataclass
class ExerciseIn:
    subject: str
    skill: str
    title: str
    instructions: str = ""
    grade: int | None = None
    rule_m: int = rules.DEFAULT_RULE[0]
    rule_n: int = rules.DEFAULT_RULE[1]


@dataclass
class ItemIn:
    kind: str
    prompt: str
    source: str
    feedback_correct: str = ""
    feedback_wrong: str = ""
    hints: list[str] = field(default_factory=list)


def _check_exercise(data: ExerciseIn) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "subject": data.subject.strip(), "skill": data.skill.strip(), "title": data.title.strip(),
        "instructions": data.instructions.strip(), "grade": data.grade, "rule_m": data.rule_m, "rule_n": data.rule_n,
    }
    for name, limit in (("subject", 100), ("skill", 100), ("title", 150)):
        if not values[name]:
            errors[name] = [_("This field is required.")]
        elif len(values[name]) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if len(values["instructions"]) > MAX_PROMPT:
        errors["instructions"] = [_("At most %(n)d characters.") % {"n": MAX_PROMPT}]
    if data.grade is not None and not 1 <= data.grade <= 12:
        errors["grade"] = [_("A grade from 1 to 12.")]
    if not rules.Rule(data.rule_m, data.rule_n).valid():
        errors["rule_m"] = [_("Mastery needs 1 to %(max)d answers, of which at most all correct.")
                            % {"max": rules.MAX_N}]
    if errors:
        raise ValidationFailed(fields=errors)
    return values


def _exercise_for_change(*, school: School, actor: User, roles: frozenset[str], exercise: Exercise) -> None:
    if exercise.school_id != school.pk:
        raise NotFound()
    if not permissions.can_edit(user=actor, roles=roles, exercise=exercise):
        raise Forbidden()


def _touch(exercise: Exercise) -> None:
    """The exercise's items changed: the practice pages' cached copy of them is stale from now on."""
    parts.bump(exercise_scope(exercise.school_id, exercise.pk))


@transaction.atomic
def exercise_create(*, school: School, actor: User, roles: frozenset[str], data: ExerciseIn) -> Exercise:
    if not permissions.can_author(roles=roles):
        raise Forbidden()
    values = _check_exercise(data)
    return Exercise.objects.create(school=school, owner=actor, **values)


@transaction.atomic
def exercise_update(*, school: School, actor: User, roles: frozenset[str], exercise: Exercise,
                    data: ExerciseIn) -> Exercise:
    _exercise_for_change(school=school, actor=actor, roles=roles, exercise=exercise)
    values = _check_exercise(data)
    if model_update(exercise, values):
        _touch(exercise)
    return exercise


@transaction.atomic
def exercise_archive(*, school: School, actor: User, roles: frozenset[str], exercise: Exercise,
                     archived: bool = True) -> Exercise:
    """An archived exercise leaves the bank; its assignments keep working."""
    _exercise_for_change(school=school, actor=actor, roles=roles, exercise=exercise)
    if model_update(exercise, {"archived": archived}):
        _touch(exercise)
    return exercise


def _check_item(data: ItemIn) -> tuple[str, dict[str, Any], list[str]]:
    errors: dict[str, list[str]] = {}
    prompt = data.prompt.strip()
    if data.kind not in set(item_types.Kind):
        errors["kind"] = [_("Choose an item type.")]
    if not prompt:
        errors["prompt"] = [_("Write the question.")]
    elif len(prompt) > MAX_PROMPT:
        errors["prompt"] = [_("At most %(n)d characters.") % {"n": MAX_PROMPT}]
    body: dict[str, Any] = {}
    if "kind" not in errors:
        try:
            body = item_types.parse(data.kind, data.source)
        except item_types.ItemError as error:
            errors["source"] = [str(error)]
    hints = [h.strip() for h in data.hints if h and h.strip()]
    if len(hints) > MAX_HINTS or any(len(h) > MAX_HINT for h in hints):
        errors["hints"] = [_("At most %(n)d hints of %(chars)d characters.") % {"n": MAX_HINTS, "chars": MAX_HINT}]
    for name in ("feedback_correct", "feedback_wrong"):
        if len(getattr(data, name).strip()) > MAX_HINT:
            errors[name] = [_("At most %(n)d characters.") % {"n": MAX_HINT}]
    if errors:
        raise ValidationFailed(fields=errors)
    return prompt, body, hints


def _revision(*, school: School, actor: User, item: Item, data: ItemIn, prompt: str, body: dict[str, Any],
              hints: list[str]) -> ItemRevision:
    revision = ItemRevision.objects.create(
        school=school, item=item, kind=data.kind, prompt=prompt, body=body,
        feedback_correct=data.feedback_correct.strip(), feedback_wrong=data.feedback_wrong.strip(), hints=hints,
        author=actor,
    )
    item.current = revision
    item.save(update_fields=["current"])
    return revision


@transaction.atomic
def item_add(*, school: School, actor: User, roles: frozenset[str], exercise: Exercise, data: ItemIn) -> Item:
    _exercise_for_change(school=school, actor=actor, roles=roles, exercise=exercise)
    prompt, body, hints = _check_item(data)
    Exercise.objects.select_for_update().filter(pk=exercise.pk).first()
    existing = Item.objects.filter(school=school, exercise=exercise, removed=False)
    if existing.count() >= MAX_ITEMS:
        raise Conflict(_("An exercise holds at most %(n)d items.") % {"n": MAX_ITEMS})
    position = (existing.aggregate(last=Max("position"))["last"] or 0) + 1
    item = Item.objects.create(school=school, exercise=exercise, position=position)
    _revision(school=school, actor=actor, item=item, data=data, prompt=prompt, body=body, hints=hints)
    _touch(exercise)
    return item


def _item_for_change(*, school: School, actor: User, roles: frozenset[str], item: Item) -> Exercise:
    if item.school_id != school.pk or item.removed:
        raise NotFound()
    exercise = item.exercise
    _exercise_for_change(school=school, actor=actor, roles=roles, exercise=exercise)
    return exercise


@transaction.atomic
def item_change(*, school: School, actor: User, roles: frozenset[str], item: Item, data: ItemIn) -> Item:
    """A changed item gets a new revision; answers already given stay scored against the one they saw."""
    exercise = _item_for_change(school=school, actor=actor, roles=roles, item=item)
    prompt, body, hints = _check_item(data)
    current = item.current
    if current is not None and (current.kind, current.prompt, current.body, current.feedback_correct,
                                current.feedback_wrong, current.hints) == (
            data.kind, prompt, body, data.feedback_correct.strip(), data.feedback_wrong.strip(), hints):
        return item
    _revision(school=school, actor=actor, item=item, data=data, prompt=prompt, body=body, hints=hints)
    _touch(exercise)
    return item


@transaction.atomic
def item_remove(*, school: School, actor: User, roles: frozenset[str], item: Item) -> None:
    exercise = _item_for_change(school=school, actor=actor, roles=roles, item=item)
    item.removed = True
    item.save(update_fields=["removed"])
    _touch(exercise)


@transaction.atomic
def item_move(*, school: School, actor: User, roles: frozenset[str], item: Item, up: bool) -> None:
    """Swaps an item with the one before (up) or after it."""
    exercise = _item_for_change(school=school, actor=actor, roles=roles, item=item)
    siblings = list(Item.objects.select_for_update().filter(school=school, exercise=exercise, removed=False)
                    .order_by("position", "pk"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            Item.objects.filter(pk=sibling.pk).update(position=position)
    _touch(exercise)


# ---------------------------------------------------------------- QTI


QTI_UPLOAD = uploads.Use(extensions=frozenset({"zip", "xml"}), max_bytes=5 * 1024 * 1024, field="package")


@dataclass
class ImportResult:
    added: int
    skipped: list[tuple[str, str]]


@transaction.atomic
def exercise_import(*, school: School, actor: User, roles: frozenset[str], exercise: Exercise,
                    upload: UploadedFile) -> ImportResult:
    """Adds the items of a QTI package (or one item's XML) to an exercise. Every item is checked as a teacher's
    would be; what Krijt cannot read is reported, never half-added."""
    _exercise_for_change(school=school, actor=actor, roles=roles, exercise=exercise)
    checked = uploads.check(upload, QTI_UPLOAD)
    try:
        report = qti.read_package(checked.upload.read(), checked.name)
    except qti.PackageError as error:
        raise ValidationFailed(str(error), fields={"package": [str(error)]}) from None
    skipped = list(report.skipped)
    room = MAX_ITEMS - Item.objects.filter(school=school, exercise=exercise, removed=False).count()
    position = Item.objects.filter(school=school, exercise=exercise).aggregate(last=Max("position"))["last"] or 0
    added = 0
    for imported in report.items:
        label = imported.title or imported.prompt[:60]
        if added >= room:
            skipped.append((label, _("An exercise holds at most %(n)d items.") % {"n": MAX_ITEMS}))
            continue
        try:
            source = item_types.source_of(imported.kind, imported.body)
            data = ItemIn(kind=imported.kind, prompt=imported.prompt, source=source)
            prompt, body, hints = _check_item(data)
        except (item_types.ItemError, KeyError, TypeError) as error:
            skipped.append((label, str(error)))
            continue
        except ValidationFailed as error:
            skipped.append((label, " ".join(str(m) for messages in error.fields.values() for m in messages)))
            continue
        position += 1
        item = Item.objects.create(school=school, exercise=exercise, position=position)
        _revision(school=school, actor=actor, item=item, data=data, prompt=prompt, body=body, hints=hints)
        added += 1
    if added:
        _touch(exercise)
    return ImportResult(added=added, skipped=skipped)


def exercise_export(*, school: School, user: User, roles: frozenset[str], exercise_id: int) -> tuple[str, bytes]:
    """An exercise as a QTI 3.0 package: (file name, bytes). Any teacher of the school may take one."""
    if not permissions.can_author(roles=roles):
        raise Forbidden()
    exercise = Exercise.objects.filter(school=school, pk=exercise_id).first()
    if exercise is None:
        raise NotFound()
    entries = [(f"krijt-{exercise.pk}-{item.pk}", item.current.kind, item.current.prompt, item.current.body)
               for item in Item.objects.filter(school=school, exercise=exercise, removed=False)
               .select_related("current").order_by("position", "pk") if item.current is not None]
    name = uploads.clean_name(f"{exercise.title}.zip")
    return name, qti.package(exercise.title, entries)


# ---------------------------------------------------------------- practice groups


@transaction.atomic
def group_save(*, school: School, actor: User, roles: frozenset[str], course: Course, name: str,
               student_ids: Iterable[int], group: PracticeGroup | None = None) -> PracticeGroup:
    """A named group of a class's pupils (made or changed by the course's teacher)."""
    if course.school_id != school.pk or (group is not None and group.school_id != school.pk):
        raise NotFound()
    if not permissions.can_assign(user=actor, roles=roles, course=course):
        raise Forbidden()
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationFailed(fields={"name": [_("Give the group a name of at most 80 characters.")]})
    students = _class_students(school=school, course=course, student_ids=student_ids)
    if not students:
        raise ValidationFailed(fields={"students": [_("Choose at least one pupil.")]})
    if group is None:
        if PracticeGroup.objects.filter(school=school, class_group_id=course.class_group_id, name=name).exists():
            raise ValidationFailed(fields={"name": [_("This class already has a group with this name.")]})
        group = PracticeGroup.objects.create(school=school, class_group_id=course.class_group_id, name=name,
                                             owner=actor)
    else:
        if group.class_group_id != course.class_group_id:
            raise NotFound()
        model_update(group, {"name": name}, unique=("name", _("This class already has a group with this name.")))
    group.students.set(students)
    return group


def _class_students(*, school: School, course: Course, student_ids: Iterable[int]) -> list[int]:
    wanted = {int(s) for s in student_ids}
    if not wanted:
        return []
    found = set(Enrollment.objects.filter(school=school, class_group_id=course.class_group_id,
                                          school_year_id=course.school_year_id, student_id__in=wanted)
                .values_list("student_id", flat=True))
    if found != wanted:
        raise ValidationFailed(fields={"students": [_("Choose pupils of this class.")]})
    return sorted(found)


# ---------------------------------------------------------------- assignments


@dataclass
class AssignIn:
    course_id: int
    exercise_id: int
    student_ids: list[int] = field(default_factory=list)  # empty: the whole class
    group_id: int | None = None
    due_date: dt.date | None = None
    minutes: int = 15
    rule_m: int | None = None
    rule_n: int | None = None
    override_reason: str = ""


def _planner_title(exercise: Exercise, group_name: str, chosen: bool) -> str:
    if group_name:
        return _("Practice (%(group)s): %(title)s") % {"group": group_name, "title": exercise.title}
    if chosen:
        return _("Practice (some pupils): %(title)s") % {"title": exercise.title}
    return _("Practice: %(title)s") % {"title": exercise.title}


@transaction.atomic
def assignment_create(*, school: School, actor: User, roles: frozenset[str], data: AssignIn) -> Assignment:
    """Assigns an exercise to a course's class, a group of it or chosen pupils. A due date makes it a task in
    the class's planner, judged by the school's workload rules (a warning needs `override_reason`)."""
    course = Course.objects.filter(school=school, pk=data.course_id).select_related("class_group").first()
    exercise = Exercise.objects.filter(school=school, pk=data.exercise_id).first()
    if course is None or exercise is None:
        raise NotFound()
    if not permissions.can_assign(user=actor, roles=roles, course=course):
        raise Forbidden()
    if exercise.archived:
        raise Conflict(_("This exercise is archived."))
    if not Item.objects.filter(school=school, exercise=exercise, removed=False).exists():
        raise Conflict(_("This exercise has no items yet."))
    rule = rules.Rule(data.rule_m or exercise.rule_m, data.rule_n or exercise.rule_n)
    if not rule.valid():
        raise ValidationFailed(fields={"rule_m": [_("Mastery needs 1 to %(max)d answers, of which at most all "
                                                    "correct.") % {"max": rules.MAX_N}]})
    group_name = ""
    student_ids = list(data.student_ids)
    if data.group_id is not None:
        group = PracticeGroup.objects.filter(school=school, pk=data.group_id,
                                             class_group_id=course.class_group_id).first()
        if group is None:
            raise ValidationFailed(fields={"group_id": [_("Choose a group of this class.")]})
        group_name = group.name
        student_ids = sorted(set(student_ids) | set(group.students.values_list("pk", flat=True)))
        if not student_ids:
            raise ValidationFailed(fields={"group_id": [_("This group has no pupils.")]})
    students = _class_students(school=school, course=course, student_ids=student_ids)
    assignment = Assignment.objects.create(
        school=school, exercise=exercise, course=course, class_group_id=course.class_group_id, teacher=actor,
        whole_class=not students, group_name=group_name, due_date=data.due_date, rule_m=rule.m, rule_n=rule.n,
        rule_history=[[rule.m, rule.n]],
    )
    AssignmentStudent.objects.bulk_create(
        [AssignmentStudent(school=school, assignment=assignment, student_id=s) for s in students]
    )
    if data.due_date is not None:
        from krijt.planner import services as planner_services

        item = planner_services.item_plan(
            school=school, actor=actor, roles=roles, course=course, kind="task",
            title=_planner_title(exercise, group_name, bool(students))[:200],
            description=exercise.instructions, due_date=data.due_date, minutes=data.minutes,
            override_reason=data.override_reason,
        )
        assignment.planner_item = item
        assignment.save(update_fields=["planner_item"])
    else:
        _tell_pupils(school=school, assignment=assignment, students=students)
    return assignment


def _audience(*, school: School, assignment: Assignment, students: Sequence[int] | None = None) -> list[int]:
    if students:
        return list(students)
    if not assignment.whole_class:
        return list(AssignmentStudent.objects.filter(school=school, assignment=assignment)
                    .values_list("student_id", flat=True))
    return list(Enrollment.objects.filter(school=school, class_group_id=assignment.class_group_id,
                                          school_year_id=assignment.course.school_year_id)
                .values_list("student_id", flat=True))


def _tell_pupils(*, school: School, assignment: Assignment, students: Sequence[int]) -> None:
    """New practice without a due date: the pupils hear of it through the engine (never in quiet hours)."""
    if not apps.is_installed("krijt.notifications"):
        return
    from krijt.notifications.services import Target, notify

    audience = _audience(school=school, assignment=assignment, students=students)
    if not audience:
        return
    notify(
        school=school, kind=kinds.ASSIGNED, key=f"exercise-assigned:{assignment.pk}",
        targets=[Target(user_id=s, audience="student") for s in audience],
        params={"title": assignment.exercise.title, "course": assignment.course.name},
        url=school_path(school, "exercises:practise", assignment_id=assignment.pk),
    )


def _assignment_for_change(*, school: School, actor: User, roles: frozenset[str],
                           assignment: Assignment) -> None:
    if assignment.school_id != school.pk:
        raise NotFound()
    if not permissions.can_change_assignment(user=actor, roles=roles, assignment=assignment):
        raise Forbidden()


@transaction.atomic
def assignment_rule_change(*, school: School, actor: User, roles: frozenset[str], assignment: Assignment,
                           rule_m: int, rule_n: int) -> Assignment:
    """A new mastery rule holds for sittings started from now; a sitting already under way keeps its own."""
    _assignment_for_change(school=school, actor=actor, roles=roles, assignment=assignment)
    rule = rules.Rule(rule_m, rule_n)
    if not rule.valid():
        raise ValidationFailed(fields={"rule_m": [_("Mastery needs 1 to %(max)d answers, of which at most all "
                                                    "correct.") % {"max": rules.MAX_N}]})
    if (assignment.rule_m, assignment.rule_n) == (rule.m, rule.n):
        return assignment
    history = list(assignment.rule_history)
    if [rule.m, rule.n] not in history:
        history.append([rule.m, rule.n])
    model_update(assignment, {"rule_m": rule.m, "rule_n": rule.n, "rule_history": history})
    parts.bump(assignment_scope(school.pk, assignment.pk))
    return assignment


@transaction.atomic
def assignment_cancel(*, school: School, actor: User, roles: frozenset[str], assignment: Assignment) -> Assignment:
    """Pupils no longer see it; attempts already made stay (and a device that was offline can still send its
    last sitting)."""
    _assignment_for_change(school=school, actor=actor, roles=roles, assignment=assignment)
    if assignment.cancelled_at is not None:
        return assignment
    _cancelled(school, assignment)
    if assignment.planner_item_id is not None:
        from krijt.planner import services as planner_services
        from krijt.planner.models import PlannerItem

        item = PlannerItem.objects.get(school=school, pk=assignment.planner_item_id)
        planner_services.item_cancel(school=school, actor=actor, roles=roles, item=item)
    return assignment


def _cancelled(school: School, assignment: Assignment) -> None:
    """An assignment stops: pupils no longer see it, and the news of it that has not reached them yet (or that
    still lists it) is taken back."""
    assignment.cancelled_at = clock.now()
    assignment.save(update_fields=["cancelled_at", "updated_at"])
    if apps.is_installed("krijt.notifications"):
        from krijt.notifications.services import withdraw

        withdraw(school=school, key=f"exercise-assigned:{assignment.pk}")
    parts.bump(assignment_scope(school.pk, assignment.pk))


def planner_item_changed(*, school: School, item: Any) -> None:
    """The planner's task of an assignment moved or was cancelled there: the assignment follows it (its due date
    on the pupils' lists and practice page, or its end), in the same transaction."""
    for assignment in Assignment.objects.filter(school=school, planner_item_id=item.pk, cancelled_at__isnull=True):
        if item.is_cancelled:
            _cancelled(school, assignment)
        elif assignment.due_date != item.due_date:
            assignment.due_date = item.due_date
            assignment.save(update_fields=["due_date", "updated_at"])
            parts.bump(assignment_scope(school.pk, assignment.pk))


RESULT_MAXIMUM = 10


def practice_score(progress: Progress | None) -> str:
    """What practice counts for in the results, out of RESULT_MAXIMUM: full marks at mastery, else the share of
    right answers; empty for a pupil who did not practise."""
    if progress is None or not progress.answered:
        return ""
    if progress.mastered_at is not None:
        return str(RESULT_MAXIMUM)
    value = (Decimal(RESULT_MAXIMUM) * progress.correct / progress.answered).quantize(Decimal("0.1"))
    return format(value, "f").replace(".", ",")


@transaction.atomic
def assignment_to_results(*, school: School, actor: User, roles: frozenset[str], assignment: Assignment) -> int:
    """The teacher's choice to count practice: an evaluation of the course (a task out of 10) with each pupil's
    score as the dashboard has it now, unpublished, so the results' own release rules decide when pupils and
    parents see it. Again later: the same evaluation's scores are brought up to date. Returns the evaluation's
    id."""
    _assignment_for_change(school=school, actor=actor, roles=roles, assignment=assignment)
    from krijt.results import services as results
    from krijt.results.models import Evaluation
    from krijt.schools.models import Period

    today = clock.local_today(school.time_zone)
    evaluation = (Evaluation.objects.filter(school=school, pk=assignment.evaluation_id).first()
                  if assignment.evaluation_id else None)
    if evaluation is None:
        period = (Period.objects.filter(school=school, school_year_id=assignment.course.school_year_id,
                                        starts_on__lte=today, ends_on__gte=today).first()
                  or Period.objects.filter(school=school, school_year_id=assignment.course.school_year_id)
                  .order_by("-ends_on").first())
        if period is None:
            raise Conflict(_("This school year has no periods for results."))
        evaluation = results.evaluation_create(
            school=school, actor=actor, roles=roles, course=assignment.course, period=period,
            name=(_("Practice: %(title)s") % {"title": assignment.exercise.title})[:120], date=today,
            maximum=Decimal(RESULT_MAXIMUM), category=Evaluation.Category.TASK)
        assignment.evaluation = evaluation
        assignment.save(update_fields=["evaluation", "updated_at"])
    progress = {p.student_id: p for p in Progress.objects.filter(school=school, assignment=assignment)}
    for student_id in _audience(school=school, assignment=assignment):
        entry = practice_score(progress.get(student_id))
        if entry:
            results.score_set(school=school, actor=actor, roles=roles, evaluation=evaluation, student_id=student_id,
                              entry=entry)
    return int(evaluation.pk)


# ---------------------------------------------------------------- a finished sitting


@dataclass
class AttemptIn:
    key: uuid.UUID
    assignment_id: int
    started_at: dt.datetime
    finished_at: dt.datetime
    rule_m: int
    rule_n: int
    answers: list[dict[str, Any]]
    mastered: bool


class TooOld(ValidationFailed):
    """A sitting from before the oldest week Krijt keeps: it cannot be filed (the device may forget it)."""

    code = "too_old"


def _check_answers(answers: Any) -> list[dict[str, Any]]:
    if not isinstance(answers, list) or not 1 <= len(answers) <= MAX_ANSWERS:
        raise ValidationFailed(fields={"answers": [_("A sitting has 1 to %(n)d answers.") % {"n": MAX_ANSWERS}]})
    clean = []
    for answer in answers:
        if not isinstance(answer, dict):
            raise ValidationFailed(fields={"answers": [_("An answer is not readable.")]})
        item, ms, hints = answer.get("item"), answer.get("ms", 0), answer.get("hints", 0)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (item, ms, hints)):
            raise ValidationFailed(fields={"answers": [_("An answer is not readable.")]})
        response = answer.get("r")
        if len(json.dumps(response)) > MAX_RESPONSE_CHARS:
            raise ValidationFailed(fields={"answers": [_("An answer is too long.")]})
        clean.append({"item": item, "r": response, "ok": bool(answer.get("ok")), "hints": min(hints, MAX_HINTS),
                      "ms": min(ms, int(MAX_SITTING.total_seconds() * 1000))})
    if len(json.dumps(clean)) > MAX_ATTEMPT_BYTES:
        raise ValidationFailed(fields={"answers": [_("This sitting is too large.")]})
    return clean


def attempt_submit(*, school: School, student: User, roles: frozenset[str], data: AttemptIn) -> tuple[Attempt, bool]:
    """Files one finished sitting. Sending the same key again files nothing and answers the same:
    (the attempt, whether this call created it). Two queries: the assignment with the pupil's place in it,
    and the insert."""
    if Role.STUDENT not in roles:
        raise Forbidden()
    now = clock.now()
    if data.finished_at > now + CLOCK_LEEWAY or data.started_at > data.finished_at:
        raise ValidationFailed(fields={"finished_at": [_("The device's clock is wrong.")]})
    week = rules.week_of(data.finished_at)
    if week < partitions.oldest_kept(now.date()):
        raise TooOld(_("This sitting is older than what Krijt keeps."))
    answers = _check_answers(data.answers)
    enrolled = Enrollment.objects.filter(school=school, student=student, class_group_id=OuterRef("class_group_id"),
                                         school_year_id=OuterRef("course__school_year_id"))
    chosen = AssignmentStudent.objects.filter(school=school, assignment_id=OuterRef("pk"), student=student)
    found = (Assignment.objects.filter(school=school, pk=data.assignment_id)
             .annotate(enrolled=Exists(enrolled), chosen=Exists(chosen))
             .values("whole_class", "rule_history", "enrolled", "chosen").first())
    if found is None or not (found["chosen"] or (found["whole_class"] and found["enrolled"])):
        raise NotFound()
    rule = rules.Rule(data.rule_m, data.rule_n)
    if not rules.rule_history_has(found["rule_history"], rule):
        raise ValidationFailed(fields={"rule": [_("This mastery rule does not belong to this assignment.")]})
    seconds = int(min(data.finished_at - data.started_at, MAX_SITTING).total_seconds())
    row = Attempt(
        week=week, key=data.key, school=school, student=student, assignment_id=data.assignment_id,
        started_at=data.started_at, finished_at=data.finished_at, received_at=now, rule_m=rule.m, rule_n=rule.n,
        answers=answers, correct=min(sum(1 for a in answers if a["ok"]), 32767), mastered=bool(data.mastered),
        seconds=seconds,
    )
    return _insert(row, school=school, student=student)


def _insert(row: Attempt, *, school: School, student: User) -> tuple[Attempt, bool]:
    for tries_left in (1, 0):
        try:
            with transaction.atomic():
                Attempt.objects.bulk_create([row])  # one INSERT
            return row, True
        except IntegrityError as error:
            state = getattr(error.__cause__, "sqlstate", None)
            if state == "23514" and tries_left:  # no partition for this week (yet)
                partitions.ensure_week(row.week)
                continue
            existing = Attempt.objects.filter(week=row.week, key=row.key).first()
            if existing is None:
                raise
            if existing.school_id != school.pk or existing.student_id != student.pk:
                raise Conflict(_("This key belongs to another sitting.")) from None
            return existing, False
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- the worker's summaries


@dataclass
class _Scored:
    attempts: int = 0
    answered: int = 0
    correct: int = 0
    seconds: int = 0
    mastered_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    disagreements: int = 0
    item_counts: dict[str, list[int]] = field(default_factory=dict)


def _score_pair(attempts: list[dict[str, Any]], revisions: dict[int, tuple[int, str, dict[str, Any]]],
                exercise_id: int, exercise_of: dict[int, int]) -> _Scored:
    out = _Scored()
    for attempt in sorted(attempts, key=lambda a: a["finished_at"]):
        results = []
        for answer in attempt["answers"]:
            revision = revisions.get(answer["item"])
            if revision is None or exercise_of.get(answer["item"]) != exercise_id:
                out.disagreements += 1
                continue
            item_id, kind, body = revision
            ok = item_types.score(kind, body, answer.get("r"))
            results.append(ok)
            counts = out.item_counts.setdefault(str(item_id), [0, 0])
            counts[0] += 1
            counts[1] += 0 if ok else 1
            if ok != bool(answer.get("ok")):
                out.disagreements += 1
        out.attempts += 1
        out.answered += len(results)
        out.correct += sum(1 for r in results if r)
        out.seconds += attempt["seconds"]
        out.last_at = attempt["finished_at"]
        if out.mastered_at is None and rules.mastered(rules.Rule(attempt["rule_m"], attempt["rule_n"]), results):
            out.mastered_at = attempt["finished_at"]
    return out


def summarize(*, limit_rounds: int = 50) -> int:
    """The housekeeping chore: rebuilds the progress of every (assignment, pupil) with attempts received since
    the last round, a window at a time. One process at a time (the cursor row is locked; another skips)."""
    done = 0
    for _round in range(limit_rounds):
        moved = _summarize_window()
        if moved is None:
            break
        done += moved
    return done


def _summarize_window() -> int | None:
    now = clock.now()
    with transaction.atomic():
        cursor = SummaryCursor.objects.select_for_update(skip_locked=True).filter(name=CURSOR).first()
        if cursor is None:
            if SummaryCursor.objects.filter(name=CURSOR).exists():
                return None  # another process holds it
            first = Attempt.objects.order_by("received_at").values_list("received_at", flat=True).first()
            if first is None:
                return None
            SummaryCursor.objects.get_or_create(name=CURSOR, defaults={"position": first - dt.timedelta(seconds=1)})
            cursor = SummaryCursor.objects.select_for_update().get(name=CURSOR)
        settled = now - SETTLE
        if cursor.position >= settled:
            return None
        upper = min(settled, cursor.position + WINDOW)
        pairs = set(Attempt.objects.filter(received_at__gt=cursor.position, received_at__lte=upper)
                    .values_list("school_id", "assignment_id", "student_id").distinct())
        if not pairs:
            # Nothing in this window: jump to the next attempt, or to the settled moment and stop for this round.
            following = (Attempt.objects.filter(received_at__gt=upper).order_by("received_at")
                         .values_list("received_at", flat=True).first())
            if following is None or following > settled:
                cursor.position = settled
                cursor.save(update_fields=["position", "updated_at"])
                return None
            cursor.position = following - dt.timedelta(microseconds=1)
            cursor.save(update_fields=["position", "updated_at"])
            return 0
        _rebuild(pairs)
        cursor.position = upper
        cursor.save(update_fields=["position", "updated_at"])
        return len(pairs)


def _rebuild(pairs: set[tuple[int, int, int]]) -> None:
    by_school: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for school_id, assignment_id, student_id in pairs:
        by_school[school_id].add((assignment_id, student_id))
    for school_id, school_pairs in by_school.items():
        _rebuild_school(school_id, school_pairs)


def _rebuild_school(school_id: int, pairs: set[tuple[int, int]]) -> None:
    assignment_ids = {a for a, _s in pairs}
    student_ids = {s for _a, s in pairs}
    assignments = {a["pk"]: a for a in Assignment.objects.filter(school_id=school_id, pk__in=assignment_ids)
                   .values("pk", "exercise_id", "class_group_id", "exercise__title", "course__name")}
    rows = [r for r in Attempt.objects.filter(school_id=school_id, student_id__in=student_ids,
                                              assignment_id__in=assignment_ids)
            .values("assignment_id", "student_id", "answers", "finished_at", "seconds", "rule_m", "rule_n")
            if (r["assignment_id"], r["student_id"]) in pairs]
    revision_ids = {a["item"] for r in rows for a in r["answers"]}
    revisions, exercise_of = {}, {}
    for rev in (ItemRevision.objects.filter(school_id=school_id, pk__in=revision_ids)
                .values("pk", "item_id", "kind", "body", "item__exercise_id")):
        revisions[rev["pk"]] = (rev["item_id"], rev["kind"], rev["body"])
        exercise_of[rev["pk"]] = rev["item__exercise_id"]
    grouped: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for r in rows:
        grouped[(r["assignment_id"], r["student_id"])].append(r)
    existing = {(p.assignment_id, p.student_id): p for p in Progress.objects.filter(
        school_id=school_id, assignment_id__in=assignment_ids, student_id__in=student_ids)}
    now = clock.now()
    upserts, newly = [], []
    for pair, attempts in grouped.items():
        assignment = assignments.get(pair[0])
        if assignment is None:
            continue
        scored = _score_pair(attempts, revisions, assignment["exercise_id"], exercise_of)
        before = existing.get(pair)
        mastered_at = scored.mastered_at
        if before is not None and before.mastered_at is not None:
            mastered_at = min(before.mastered_at, mastered_at or before.mastered_at)
        elif mastered_at is not None:
            newly.append(pair)
        upserts.append(Progress(
            school_id=school_id, assignment_id=pair[0], student_id=pair[1], attempts=scored.attempts,
            answered=scored.answered, correct=scored.correct, seconds=scored.seconds, mastered_at=mastered_at,
            last_at=scored.last_at, disagreements=scored.disagreements, item_counts=scored.item_counts,
            updated_at=now,
        ))
    Progress.objects.bulk_create(
        upserts, update_conflicts=True, unique_fields=["school", "assignment", "student"],
        update_fields=["attempts", "answered", "correct", "seconds", "mastered_at", "last_at", "disagreements",
                       "item_counts", "updated_at"],
    )
    _retally(school_id, {a for a, _s in grouped})
    for assignment_id in {a for a, _s in grouped}:
        parts.bump(assignment_scope(school_id, assignment_id))
    if newly:
        _tell_parents(school_id, newly, assignments)


def _retally(school_id: int, assignment_ids: set[int]) -> None:
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for assignment_id, counts in Progress.objects.filter(school_id=school_id, assignment_id__in=assignment_ids
                                                         ).values_list("assignment_id", "item_counts"):
        for item_id, (answered, wrong) in counts.items():
            total = totals[(assignment_id, int(item_id))]
            total[0] += answered
            total[1] += wrong
    known = set(Item.objects.filter(school_id=school_id, pk__in={i for _a, i in totals}).values_list("pk", flat=True))
    ItemTally.objects.bulk_create(
        [ItemTally(school_id=school_id, assignment_id=a, item_id=i, answered=t[0], wrong=t[1])
         for (a, i), t in totals.items() if i in known],
        update_conflicts=True, unique_fields=["school", "assignment", "item"], update_fields=["answered", "wrong"],
    )


def _tell_parents(school_id: int, pairs: list[tuple[int, int]], assignments: dict[int, dict[str, Any]]) -> None:
    """Pupils reached mastery: their parents read it in the family digest, never as a live message. One call to
    the engine for the whole batch (a fixed number of queries however many pupils)."""
    if not apps.is_installed("krijt.notifications"):
        return
    from krijt.notifications.services import Event, Target, notify_events

    school = School.objects.get(pk=school_id)
    links = defaultdict(list)
    for parent_id, student_id in ParentLink.objects.filter(
            school_id=school_id, student_id__in={s for _a, s in pairs}).values_list("parent_id", "student_id"):
        links[student_id].append(parent_id)
    names = dict(User.objects.filter(pk__in=links).values_list("pk", "first_name"))
    url = school_path(school, "home")
    events = [
        Event(kind=kinds.MASTERED, key=f"exercise-mastered:{assignment_id}:{student_id}",
              targets=[Target(user_id=p, audience="parent", about_student_id=student_id) for p in links[student_id]],
              params={"title": assignments[assignment_id]["exercise__title"],
                      "course": assignments[assignment_id]["course__name"], "name": names.get(student_id, "")},
              url=url)
        for assignment_id, student_id in pairs if links.get(student_id)
    ]
    if events:
        notify_events(school=school, events=events)
