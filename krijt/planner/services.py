"""Writes for the planner: plan, change, move and cancel items under the school's workload rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import ParentLink, User
from krijt.accounts.selectors import actor_roles
from krijt.core import clock, parts, uploads
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.writes import model_update
from krijt.planner import extensions, kinds, rules
from krijt.planner.models import DoneMark, FeedToken, Override, PlannerAttachment, PlannerItem, WorkloadPolicy
from krijt.planner.parts import class_items_scope, done_scope
from krijt.planner.permissions import can_edit_item, can_manage_policy, can_override_block, can_plan_for
from krijt.planner.selectors import class_week_facts, workload_policy
from krijt.schools.models import ClassGroup, Course, Enrollment, LessonPeriod, School
from krijt.schools.paths import school_path
from krijt.schools.selectors import school_calendar, school_year_containing

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# A task's or test's attachments: worksheets, documents and images (krijt.core.uploads checks them).
TASK_ATTACHMENT = uploads.Use(extensions=uploads.DOCUMENTS | uploads.IMAGES | {"csv"}, max_bytes=MAX_ATTACHMENT_BYTES,
                              field="files")
MAX_MINUTES = 600
MAX_TITLE = 200


class WorkloadWarning(Conflict):
    """A warn rule fires: saving needs an explicit 'plan anyway' with a reason."""

    code = "workload_warning"

    def __init__(self, findings: list[rules.Finding]) -> None:
        super().__init__(" ".join(f.message for f in findings))
        self.findings = findings

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["error"]["findings"] = _findings(self.findings)
        return body


class WorkloadBlocked(Forbidden):
    """A block rule fires: refused, unless the school lets administrators override with a reason."""

    code = "workload_blocked"

    def __init__(self, findings: list[rules.Finding], *, may_override: bool) -> None:
        super().__init__(" ".join(f.message for f in findings))
        self.findings = findings
        self.may_override = may_override

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["error"]["findings"] = _findings(self.findings)
        body["error"]["may_override"] = self.may_override
        return body


def _findings(findings: list[rules.Finding]) -> list[dict[str, str]]:
    """What an API client shows: each rule that fired, how hard, and the sentence the page shows."""
    return [{"rule": f.rule, "level": f.level, "message": f.message} for f in findings]


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _validate(*, title: str, minutes: int, kind: str, due_date: dt.date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("A title is needed.")]
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = [_("At most %(n)s characters.") % {"n": MAX_TITLE}]
    if not 0 <= minutes <= MAX_MINUTES:
        errors["minutes"] = [_("Between 0 and %(max)s minutes.") % {"max": MAX_MINUTES}]
    if kind not in PlannerItem.Kind.values:
        errors["kind"] = [_("Choose task or test.")]
    if due_date is None:
        errors["due_date"] = [_("A date is needed.")]
    if errors:
        raise ValidationFailed(fields=errors)


def _judge(
    *,
    school: School,
    actor: User,
    roles: frozenset[str],
    class_group: ClassGroup,
    candidate: rules.ItemFacts,
    override_reason: str,
) -> tuple[list[rules.Finding], bool]:
    """The findings of the candidate, raising unless the actor may go ahead. Returns (findings, blocked)."""
    policy = workload_policy(school=school)
    findings = rules.check(
        candidate=candidate,
        items=class_week_facts(school=school, class_group=class_group, day=candidate.due_date),
        policy=policy,
        calendar=school_calendar(school=school),
        now=clock.now(),
        tz=ZoneInfo(school.time_zone),
    )
    reason = override_reason.strip()
    blocking = [f for f in findings if f.blocks]
    if blocking:
        may = can_override_block(roles=roles, policy=policy)
        if not (may and reason):
            raise WorkloadBlocked(findings, may_override=may)
    elif findings and not reason:
        raise WorkloadWarning(findings)
    return findings, bool(blocking)


def _visible_from(school: School) -> dt.datetime:
    return rules.visible_moment(
        clock.now(),
        policy=workload_policy(school=school),
        calendar=school_calendar(school=school),
        tz=ZoneInfo(school.time_zone),
    )


def _lock_class(school: School, class_group: ClassGroup) -> None:
    """Two teachers planning for one class at once must not both slip past the limits."""
    ClassGroup.objects.select_for_update().filter(school=school, pk=class_group.pk).first()


def _add_files(*, school: School, item: PlannerItem, files: Sequence[UploadedFile], actor: User) -> None:
    if item.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(fields={"files": [_("At most %(n)s files.") % {"n": MAX_ATTACHMENTS}]})
    checked = [uploads.check(upload, TASK_ATTACHMENT) for upload in files]  # all checked before any is stored
    for file in checked:
        attachment = PlannerAttachment(
            school=school,
            item=item,
            name=file.name,
            size=file.size,
            content_type=file.content_type,
            uploaded_by=actor,
        )
        attachment.file.save(file.name, file.upload, save=False)
        attachment.save()


@transaction.atomic
def item_plan(
    *,
    school: School,
    actor: User,
    roles: frozenset[str],
    course: Course,
    kind: str,
    title: str,
    description: str = "",
    due_date: dt.date,
    lesson_period: LessonPeriod | None = None,
    minutes: int = 0,
    files: Sequence[UploadedFile] = (),
    override_reason: str = "",
) -> PlannerItem:
    if course.school_id != school.pk or (lesson_period is not None and lesson_period.school_id != school.pk):
        raise NotFound()
    if not can_plan_for(user=actor, roles=roles, course=course):
        raise Forbidden()
    _validate(title=title, minutes=minutes, kind=kind, due_date=due_date)
    class_group = ClassGroup.objects.get(school=school, pk=course.class_group_id)
    year = school_year_containing(school=school, day=due_date)
    if year is None or year.pk != course.school_year_id:
        raise ValidationFailed(fields={"due_date": [_("This date is outside the course's school year.")]})
    _lock_class(school, class_group)
    candidate = rules.ItemFacts(id=None, kind=kind, title=title, course=course.name, due_date=due_date, minutes=minutes)
    findings, blocked = _judge(
        school=school,
        actor=actor,
        roles=roles,
        class_group=class_group,
        candidate=candidate,
        override_reason=override_reason,
    )
    item = PlannerItem.objects.create(
        school=school,
        school_year_id=course.school_year_id,
        class_group=class_group,
        course=course,
        teacher=actor,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        due_date=due_date,
        lesson_period=lesson_period,
        minutes=minutes,
        visible_from=_visible_from(school),
    )
    _add_files(school=school, item=item, files=files, actor=actor)
    if findings:
        _log_override(school, item, actor, Override.Action.PLAN, findings, override_reason, blocked)
    _tell(school=school, item=item, change="new")
    parts.bump(class_items_scope(school.pk, item.class_group_id))
    return item


@transaction.atomic
def item_update(
    *,
    school: School,
    actor: User,
    roles: frozenset[str],
    item: PlannerItem,
    kind: str,
    title: str,
    description: str = "",
    due_date: dt.date,
    lesson_period: LessonPeriod | None = None,
    minutes: int = 0,
    files: Sequence[UploadedFile] = (),
    override_reason: str = "",
) -> PlannerItem:
    """Change or move an item. Students are told when what they see changes."""
    if item.school_id != school.pk or (lesson_period is not None and lesson_period.school_id != school.pk):
        raise NotFound()
    if not can_edit_item(user=actor, roles=roles, item=item):
        raise Forbidden()
    if item.is_cancelled:
        raise Conflict(_("This item was cancelled."))
    _validate(title=title, minutes=minutes, kind=kind, due_date=due_date)
    year = school_year_containing(school=school, day=due_date)
    if year is None or year.pk != item.school_year_id:
        raise ValidationFailed(fields={"due_date": [_("This date is outside the course's school year.")]})
    _lock_class(school, item.class_group)
    candidate = rules.ItemFacts(
        id=item.pk,
        kind=kind,
        title=title,
        course=item.course.name,
        due_date=due_date,
        minutes=minutes,
        original_kind=item.kind,
        original_due_date=item.due_date,
    )
    findings, blocked = _judge(
        school=school,
        actor=actor,
        roles=roles,
        class_group=item.class_group,
        candidate=candidate,
        override_reason=override_reason,
    )
    fields = model_update(item, {"kind": kind, "title": title.strip(), "description": description.strip(),
                                 "due_date": due_date, "lesson_period": lesson_period, "minutes": minutes}, save=False)
    changed = bool(fields) or bool(files)
    if changed:
        item.version += 1
    item.save()
    if {"due_date", "lesson_period"} & set(fields):
        extensions.deadline_changed.send(sender=PlannerItem, school=school, item=item)
    _add_files(school=school, item=item, files=files, actor=actor)
    if findings:
        _log_override(school, item, actor, Override.Action.UPDATE, findings, override_reason, blocked)
    if changed:
        _tell(school=school, item=item, change="changed")
        parts.bump(class_items_scope(school.pk, item.class_group_id))
    return item


@transaction.atomic
def item_cancel(*, school: School, actor: User, roles: frozenset[str], item: PlannerItem) -> PlannerItem:
    if item.school_id != school.pk:
        raise NotFound()
    if not can_edit_item(user=actor, roles=roles, item=item):
        raise Forbidden()
    if item.is_cancelled:
        return item
    item.state = PlannerItem.State.CANCELLED
    item.version += 1
    item.save(update_fields=["state", "version", "updated_at"])
    extensions.item_cancelled.send(sender=PlannerItem, school=school, item=item)
    if item.visible_from <= clock.now():
        _tell(school=school, item=item, change="cancelled")
    parts.bump(class_items_scope(school.pk, item.class_group_id))
    return item


@transaction.atomic
def attachment_remove(*, school: School, actor: User, roles: frozenset[str], attachment: PlannerAttachment) -> None:
    if attachment.school_id != school.pk:
        raise NotFound()
    if not can_edit_item(user=actor, roles=roles, item=attachment.item):
        raise Forbidden()
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _log_override(
    school: School,
    item: PlannerItem,
    actor: User,
    action: str,
    findings: list[rules.Finding],
    reason: str,
    blocked: bool,
) -> None:
    Override.objects.create(
        school=school,
        item=item,
        class_group_id=item.class_group_id,
        actor=actor,
        action=action,
        findings=[f.as_log() for f in findings],
        reason=reason.strip(),
        blocked=blocked,
    )
    logger.info("planner override item=%s actor=%s rules=%s", item.pk, actor.pk, [f.rule for f in findings])


def _tell(*, school: School, item: PlannerItem, change: str) -> None:
    """Students and their parents hear of it through the notification engine, which keeps quiet hours."""
    if not apps.is_installed("krijt.notifications"):
        return
    from krijt.notifications.services import Target, notify

    students = list(
        Enrollment.objects.filter(
            school=school, class_group_id=item.class_group_id, school_year_id=item.school_year_id
        ).values_list("student_id", flat=True)
    )
    if not students:
        return
    targets = [Target(user_id=s, audience="student") for s in students]
    targets += [
        Target(user_id=parent_id, audience="parent", about_student_id=student_id)
        for parent_id, student_id in ParentLink.objects.filter(school=school, student_id__in=students).values_list(
            "parent_id", "student_id"
        )
    ]
    url = school_path(school, "planner:item_detail", item_id=item.pk)
    notify(
        school=school,
        kind=kinds.KIND,
        key=f"planner:{item.pk}:{item.version}",
        targets=targets,
        params={
            "kind": item.kind,
            "title": item.title,
            "course": item.course.name,
            "due_date": item.due_date.isoformat(),
            "change": change,
        },
        url=url,
        moment=max(item.visible_from, clock.now()),
    )


@transaction.atomic
def done_mark_set(*, school: School, student: User, item: PlannerItem, done: bool) -> None:
    if item.school_id != school.pk:
        raise NotFound()
    if not Enrollment.objects.filter(school=school, student=student, class_group_id=item.class_group_id).exists():
        raise Forbidden()
    if done:
        DoneMark.objects.get_or_create(school=school, item=item, student=student)
    else:
        DoneMark.objects.filter(school=school, item=item, student=student).delete()
    parts.bump(done_scope(school.pk, student.pk))


@transaction.atomic
def workload_policy_update(
    *, school: School, actor: User, roles: frozenset[str] | None = None, values: dict[str, Any]
) -> WorkloadPolicy:
    if not can_manage_policy(roles=actor_roles(school=school, actor=actor, roles=roles)):
        raise Forbidden()
    policy = WorkloadPolicy.objects.select_for_update().filter(school=school).first() or WorkloadPolicy(school=school)
    allowed = {f.name for f in WorkloadPolicy._meta.get_fields()} - {"id", "school", "updated_at"}
    model_update(policy, {k: v for k, v in values.items() if k in allowed}, save=False)
    if policy.morning_start >= policy.evening_cutoff:
        raise ValidationFailed(fields={"morning_start": [_("The morning starts before the evening cut-off.")]})
    policy.save()
    return policy


@transaction.atomic
def feed_token_regenerate(*, school: School, user: User) -> str:
    """A new secret address; the old one stops working at once. The token is only ever shown now."""
    token = secrets.token_urlsafe(32)
    FeedToken.objects.filter(school=school, user=user).delete()
    FeedToken.objects.create(school=school, user=user, token_hash=hash_feed_token(token))
    return token


@transaction.atomic
def feed_token_revoke(*, school: School, user: User) -> None:
    FeedToken.objects.filter(school=school, user=user).delete()


def feed_token_touch(*, token: FeedToken) -> None:
    """Record use at most once an hour: calendar apps poll often and a write per poll is waste."""
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(hours=1):
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
