"""Writes for imports: upload a file, validate it into a preview, apply it whole or not at all."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.accounts.selectors import account_scope, actor_roles
from krijt.accounts.services import parent_link_create, user_create
from krijt.core import clock, parts
from krijt.core.errors import Conflict, Forbidden, KrijtError, NotFound, PayloadTooLarge, ValidationFailed
from krijt.imports.models import ImportJob
from krijt.imports.parsing import (
    EXTENSIONS,
    FileRejected,
    Kind,
    RowError,
    Table,
    extension_of,
    read_table,
    unknown_extension_message,
)
from krijt.imports.permissions import can_import
from krijt.imports.planning import ROLE_OF_KIND, Plan, build_plan
from krijt.imports.selectors import PROGRESS_SECONDS, existing_state, progress_key
from krijt.schools.models import Enrollment, School
from krijt.schools.parts import structure_scope

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 500


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} row errors")
        self.errors = errors


def _check_import(*, school: School, actor: User, roles: frozenset[str] | None) -> None:
    """The one check before an import is uploaded or applied (imports/permissions.py): administrators."""
    if not can_import(actor_roles(school=school, actor=actor, roles=roles)):
        raise Forbidden(_("Only the school's administrators may import people."))


# ---------------------------------------------------------------- upload


@transaction.atomic
def import_job_create(
    *,
    school: School,
    user: User,
    kind: str,
    upload: UploadedFile,
    language: str = "",
    roles: frozenset[str] | None = None,
) -> ImportJob:
    """Stores the file and queues its validation; refuses unknown types and files over the size limit."""
    _check_import(school=school, actor=user, roles=roles)
    if kind not in ImportJob.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose what the file holds.")]})
    name = os.path.basename(upload.name or "").strip()
    ext = extension_of(name)
    if ext not in EXTENSIONS:
        message = unknown_extension_message(ext)
        raise ValidationFailed(message, fields={"file": [message]})
    limit: int = settings.KRIJT_IMPORT_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        message = _("The file is too big (%(size)s). The limit is %(limit)s: split it into smaller files.") % {
            "size": filesizeformat(size), "limit": filesizeformat(limit)}
        raise PayloadTooLarge(message, fields={"file": [message]})
    job = ImportJob(school=school, kind=kind, original_name=name[:255], created_by=user, language=language[:8])
    job.file.save(name, upload, save=False)
    job.save()
    from krijt.imports.tasks import import_validate_task

    import_validate_task.enqueue(job_id=job.pk)
    return job


# ---------------------------------------------------------------- progress


def _progress(job: ImportJob, done: int, *, persist: bool) -> None:
    try:
        cache.set(progress_key(job.pk), done, PROGRESS_SECONDS)
    except Exception:
        logger.warning("import %s: progress not cached", job.pk)
    if persist:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done)


def _every(total: int) -> int:
    return max(25, total // 50)


def _read(job: ImportJob) -> Table:
    if not job.file:
        raise FileRejected([RowError(1, "", _("The uploaded file is no longer stored. Upload it again."))])
    with job.file.open("rb") as handle:
        data = handle.read()
    return read_table(kind=job.kind, name=job.original_name, data=data)


def _forget_file(job: ImportJob) -> None:
    """Uploaded files hold personal data: keep them only while they can still be applied."""
    name = job.file.name
    if not name:
        return
    job.file = ""  # type: ignore[assignment]
    transaction.on_commit(lambda: default_storage.delete(name))


def _store_errors(job: ImportJob, errors: list[RowError]) -> None:
    job.errors = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    job.summary = {**(job.summary or {}), "errors_total": len(errors)}


def _fail(job_id: int, message: str, errors: list[RowError] | None = None) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        job.status = ImportJob.Status.FAILED
        job.message = message
        if errors is not None:
            _store_errors(job, errors)
        _forget_file(job)
        job.save()


# ---------------------------------------------------------------- validate (runs in a task)


def import_validate(*, job_id: int) -> None:
    """Reads and checks every row; the job then holds either the errors or the planned changes."""
    # Claim the job: a task that runs twice does the work once.
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.UPLOADED).update(
        status=ImportJob.Status.VALIDATING, updated_at=clock.now()
    ):
        return
    job = ImportJob.objects.select_related("school").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _validate(job)
        except Exception:
            logger.exception("import %s: validation failed", job_id)
            _fail(job_id, _("The file could not be checked because of an error on our side. Please upload it again."))


def _validate(job: ImportJob) -> None:
    try:
        table = _read(job)
    except FileRejected as exc:
        with transaction.atomic():
            job.status = ImportJob.Status.PREVIEW
            job.summary = {}
            _store_errors(job, exc.errors)
            job.validated_at = clock.now()
            _forget_file(job)
            job.save()
        return
    total = len(table.rows)
    ImportJob.objects.filter(pk=job.pk).update(rows_total=total, rows_done=0)
    job.rows_total = total
    existing = existing_state(school=job.school, kind=job.kind, table=table)
    plan = build_plan(kind=job.kind, table=table, existing=existing,
                      progress=lambda n: _progress(job, n, persist=True), every=_every(total))
    with transaction.atomic():
        job.status = ImportJob.Status.PREVIEW
        job.rows_done = total
        job.summary = plan.summary()
        _store_errors(job, plan.errors)
        job.validated_at = clock.now()
        if plan.errors:
            _forget_file(job)
        job.save()


# ---------------------------------------------------------------- apply


@transaction.atomic
def import_apply_start(
    *, school: School, actor: User, job_id: int, roles: frozenset[str] | None = None
) -> ImportJob:
    """Queues the apply of a checked import without errors; a second click changes nothing."""
    _check_import(school=school, actor=actor, roles=roles)
    job = ImportJob.objects.select_for_update().filter(school=school, pk=job_id).first()
    if job is None:
        raise NotFound()
    if job.status == ImportJob.Status.APPLYING:
        return job
    if not job.can_apply:
        raise Conflict(_("This import cannot be applied: it has errors, or it was applied already."))
    job.status = ImportJob.Status.APPLYING
    job.rows_done = 0
    job.message = ""
    job.save(update_fields=["status", "rows_done", "message", "updated_at"])
    _progress(job, 0, persist=False)  # the cache still holds the validation's final count
    from krijt.imports.tasks import import_apply_task

    import_apply_task.enqueue(job_id=job.pk)
    return job


def import_apply(*, job_id: int) -> None:
    """Applies the file in one transaction: every row, or, on any failure, nothing at all."""
    job = ImportJob.objects.select_related("school").filter(pk=job_id, status=ImportJob.Status.APPLYING).first()
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _apply(job)
        except ImportRejected as exc:
            _fail(job_id, _("Nothing was changed: the school's data changed since the preview and some rows "
                            "no longer fit. Fix them and upload the file again."), exc.errors)
        except FileRejected as exc:
            _fail(job_id, _("Nothing was changed: the file could not be read again."), exc.errors)
        except KrijtError as exc:
            _fail(job_id, _("Nothing was changed: %(reason)s") % {"reason": exc.message})
        except Exception:
            logger.exception("import %s: apply failed", job_id)
            _fail(job_id, _("Nothing was changed: the import stopped because of an error on our side. "
                            "Please try again later."))


def _apply(job: ImportJob) -> None:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportJob.Status.APPLYING).first()
        if locked is None:
            return
        table = _read(job)
        # Planned again inside the transaction: the preview may be minutes old.
        plan = build_plan(kind=job.kind, table=table, existing=existing_state(school=job.school, kind=job.kind,
                                                                               table=table))
        if plan.errors:
            raise ImportRejected(plan.errors)
        total = len(table.rows)
        _execute(job, plan, every=_every(total))
        locked.status = ImportJob.Status.DONE
        locked.rows_total = total
        locked.rows_done = total
        locked.summary = {**plan.summary(), "applied": True}
        locked.errors = []
        locked.applied_at = clock.now()
        _forget_file(locked)
        locked.save()
    _progress(job, total, persist=False)


def _execute(job: ImportJob, plan: Plan, *, every: int) -> None:
    school = job.school
    role = ROLE_OF_KIND[job.kind]
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        before = done
        done += n
        if done // every != before // every:
            _progress(job, done, persist=False)

    school_year_id = 0
    if job.kind == Kind.STUDENTS:
        from krijt.schools.selectors import current_school_year

        year = current_school_year(school=school)
        assert year is not None  # the plan refuses students without a school year
        school_year_id = year.pk

    users: dict[str, User] = {}
    new_enrollments: list[Enrollment] = []
    for person in plan.people:
        if person.action != "create":
            continue
        user = user_create(school=school, username=person.username, first_name=person.first_name,
                           last_name=person.last_name, role=role, email=person.email, birth_date=person.birth_date)
        users[person.username] = user
        if person.class_id is not None:
            new_enrollments.append(Enrollment(school=school, school_year_id=school_year_id,
                                              class_group_id=person.class_id, student=user))
        tick()

    changed = [p for p in plan.people if p.existing is not None and p.user_changes]
    if changed:
        fields: set[str] = set()
        existing_users = User.objects.in_bulk([p.existing.id for p in changed if p.existing])
        for person in changed:
            assert person.existing is not None
            user = existing_users[person.existing.id]
            for change in person.user_changes:
                setattr(user, change.field, change.new)
                fields.add(change.field)
        User.objects.bulk_update(list(existing_users.values()), sorted(fields), batch_size=500)
        # A bulk write sends no signal: the rows (and names) every request reads from the cache follow here.
        parts.bump(*(account_scope(pk) for pk in existing_users))

    moved = {p.existing.id: p.class_id for p in plan.people
             if p.existing is not None and p.class_id is not None and any(c.field == "class" for c in p.changes)}
    if moved:
        enrollments = list(Enrollment.objects.filter(school=school, school_year_id=school_year_id,
                                                     student_id__in=list(moved)))
        for enrollment in enrollments:
            enrollment.class_group_id = moved.pop(enrollment.student_id)  # type: ignore[assignment]
        Enrollment.objects.bulk_update(enrollments, ["class_group"], batch_size=500)
        new_enrollments += [Enrollment(school=school, school_year_id=school_year_id, class_group_id=class_id,
                                       student_id=student_id) for student_id, class_id in moved.items()]
    if new_enrollments:
        Enrollment.objects.bulk_create(new_enrollments, batch_size=500)
    parts.bump(structure_scope(school.pk))  # bulk writes send no signals: say it here

    if job.kind == Kind.PARENTS:
        _link_parents(school, plan, users, tick)


def _link_parents(school: School, plan: Plan, created: dict[str, User], tick: Callable[[], None]) -> None:
    student_ids = {sid for p in plan.people for _row, sid, _name in p.new_children}
    students = User.objects.in_bulk(list(student_ids))
    parents = User.objects.in_bulk([p.existing.id for p in plan.people if p.existing and p.new_children])
    for person in plan.people:
        if not person.new_children:
            continue
        parent = created.get(person.username) or parents[person.existing.id]  # type: ignore[union-attr]
        for _row, student_id, _name in person.new_children:
            parent_link_create(school=school, parent=parent, student=students[student_id])
            tick()


# ---------------------------------------------------------------- housekeeping

STALLED_AFTER = dt.timedelta(minutes=30)
PREVIEW_KEPT_FOR = dt.timedelta(days=7)


def import_jobs_tidy(*, now: dt.datetime | None = None) -> int:
    """Ends jobs whose worker died, and previews nobody applied, so no personal data lingers.

    A job still checking or applying after STALLED_AFTER lost its worker: applying runs in one
    transaction, so nothing was written. A preview waits PREVIEW_KEPT_FOR, then its file is deleted.
    Returns how many jobs were ended.
    """
    moment = now or clock.now()
    stalled = ImportJob.objects.filter(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING], updated_at__lt=moment - STALLED_AFTER
    ).values_list("pk", "language")
    expired = ImportJob.objects.filter(
        status=ImportJob.Status.PREVIEW, updated_at__lt=moment - PREVIEW_KEPT_FOR
    ).values_list("pk", "language")
    ended = 0
    for job_id, language in list(stalled):
        with translation.override(language or None):
            _fail(job_id, _("The import stopped before it finished; nothing was changed. Upload the file again."))
        ended += 1
    for job_id, language in list(expired):
        with translation.override(language or None):
            _fail(job_id, _("This preview was not applied within 7 days; its file was deleted. Upload it again."))
        ended += 1
    return ended
