"""Writes of course folders and own documents: folders, files (several at once, each stored once per school
by its content), links, a new version of a file, restoring an older one, renaming and rescheduling, removing,
and a course folder's sharing. Every write checks the folder's access and the quotas, and drops the cached
listing of the folder it changed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.accounts.selectors import actor_roles
from krijt.core import clock, parts
from krijt.core.errors import Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from krijt.core.roles import Role
from krijt.core.uploads import DOCUMENTS, IMAGES, CheckedFile, Use, check
from krijt.documents import permissions, scanner, scanning, selectors
from krijt.documents.models import Blob, CoTeacher, Document, Folder, FolderShare, Version
from krijt.documents.parts import folder_scope, recent_scope, sharing_scope
from krijt.schools.models import ClassGroup, Course, School

FILE = Use(extensions=DOCUMENTS | IMAGES,
           max_bytes=getattr(settings, "KRIJT_DOCUMENT_MAX_BYTES", 50 * 1024 * 1024), field="files")
MAX_FILES = 20
NAME_MAX = 200
FOLDER_NAME_MAX = 120
MAX_DEPTH = 4
NOW_TOLERANCE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Placed:
    document: Document
    new_version: bool  # a file of the same name was there: it is its next version


def _folder(*, school: School, actor: User, roles: frozenset[str], folder_id: int, lock: bool = False) -> Folder:
    qs = Folder.objects.select_for_update(of=("self",)) if lock else Folder.objects
    folder = qs.filter(school=school, pk=folder_id).select_related("course").first()
    if folder is None:
        raise NotFound()
    access = selectors.access_to(school=school, user=actor, roles=roles, folder=folder)
    if access.none:
        raise NotFound()
    if not access.edit:
        raise Forbidden()
    return folder


def _visible_from(moment: dt.datetime | None, errors: dict[str, list[str]]) -> dt.datetime:
    now = clock.now()
    if moment is None:
        return now
    if moment.tzinfo is None:
        errors["visible_from"] = [_("Choose a date and time.")]
        return now
    if moment < now - NOW_TOLERANCE:
        errors["visible_from"] = [_("Choose a moment in the future, or leave it empty for now.")]
    return max(moment, now)


def _name(value: str, limit: int, field: str) -> str:
    text = " ".join((value or "").split()).replace("/", "-")
    if not text:
        raise ValidationFailed(fields={field: [_("Write a name.")]})
    if len(text) > limit:
        raise ValidationFailed(fields={field: [_("At most %(n)s characters.") % {"n": limit}]})
    return text


def _check_quota(*, school: School, folder: Folder, adding: int) -> None:
    """Refuses what would take the course, the owner or the school past its quota."""
    for label, usage in selectors.quotas(school=school, folder=folder):
        if usage.used + adding > usage.limit:
            message = _("This would take %(what)s past its space: %(used)s of %(limit)s used, %(adding)s more.") % {
                "what": label, "used": filesizeformat(usage.used), "limit": filesizeformat(usage.limit),
                "adding": filesizeformat(adding)}
            raise PayloadTooLarge(message, fields={"files": [message]})


def _blob(school: School, checked: CheckedFile) -> Blob:
    """The stored bytes of a checked upload: the school's existing blob of the same content, else a new one."""
    digest = hashlib.sha256()
    for chunk in checked.upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    # Locked: the housekeeping that forgets orphaned contents must not take this one while it is taken up again.
    found = Blob.objects.select_for_update().filter(school=school, sha256=sha).first()
    if found is not None:
        return found
    scanned = bool(scanner.address())
    blob = Blob(school=school, sha256=sha, size=checked.size, extension=checked.extension,
                content_type=checked.content_type, scan_state=Blob.Scan.PENDING if scanned else Blob.Scan.CLEAN)
    checked.upload.seek(0)
    blob.file.save(checked.name, checked.upload, save=False)
    try:
        with transaction.atomic():
            blob.save()
    except IntegrityError:  # the same bytes uploaded at the same moment by someone else
        return Blob.objects.get(school=school, sha256=sha)
    if scanned:
        scanning.enqueue_scan(blob.pk)  # the preview follows a clean verdict
    else:
        scanning.enqueue_preview(blob.pk)
    return blob


def _add_version(document: Document, blob: Blob, *, name: str, actor: User, restored_from: int | None = None
                 ) -> Version:
    last = Version.objects.filter(school_id=document.school_id, document=document).order_by("-number").first()
    version = Version.objects.create(school_id=document.school_id, document=document,
                                     number=(last.number + 1) if last else 1, blob=blob, name=name,
                                     uploaded_by=actor, uploaded_at=clock.now(), restored_from=restored_from)
    document.current = version
    document.save(update_fields=["current", "updated_at"])
    return version


def bump_folder(folder: Folder) -> None:
    """The folder's listing and what is new for the classes that read it (a course's own and shared ones)."""
    scopes = [folder_scope(folder.school_id, folder.pk)]
    if folder.course_id is not None:
        classes = set(FolderShare.objects.filter(school_id=folder.school_id, folder__course_id=folder.course_id)
                      .values_list("class_group_id", flat=True))
        classes.add(Course.objects.filter(pk=folder.course_id).values_list("class_group_id", flat=True).get())
        scopes += [recent_scope(folder.school_id, class_id) for class_id in sorted(classes)]
    parts.bump(*scopes)


@transaction.atomic
def root_folder(*, school: School, actor: User, roles: frozenset[str] | None = None, course_id: int | None = None
                ) -> Folder:
    """A course's folder, or the actor's own when no course is given: made the first time it is asked for."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    if course_id is None:
        if not known & permissions.OWN_FOLDER_ROLES:
            raise Forbidden()
        folder, _made = Folder.objects.get_or_create(school=school, owner=actor, parent=None,
                                                     defaults={"name": _("My documents"), "created_by": actor})
        return folder
    course = Course.objects.filter(school=school, pk=course_id).select_related("class_group").first()
    if course is None or selectors.course_access(school=school, user=actor, roles=known, course=course).none:
        raise NotFound()
    existing = Folder.objects.filter(school=school, course=course, parent=None).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Folder.objects.create(school=school, course=course, name=course.name, created_by=actor)
    except IntegrityError:
        return Folder.objects.get(school=school, course=course, parent=None)


@transaction.atomic
def folder_create(*, school: School, actor: User, parent_id: int, name: str,
                  roles: frozenset[str] | None = None) -> Folder:
    known = actor_roles(school=school, actor=actor, roles=roles)
    parent = _folder(school=school, actor=actor, roles=known, folder_id=parent_id)
    name = _name(name, FOLDER_NAME_MAX, "name")
    if len(selectors.path_of(school=school, folder=parent)) >= MAX_DEPTH:
        raise ValidationFailed(fields={"name": [_("Folders go at most %(n)s deep.") % {"n": MAX_DEPTH}]})
    if Folder.objects.filter(school=school, parent=parent, name__iexact=name).exists():
        raise ValidationFailed(fields={"name": [_("There is a folder of that name here already.")]})
    folder = Folder.objects.create(school=school, course=parent.course, owner=parent.owner, parent=parent, name=name,
                                   created_by=actor)
    bump_folder(parent)
    return folder


@transaction.atomic
def files_add(*, school: School, actor: User, folder_id: int, files: Sequence[UploadedFile],
              visible_from: dt.datetime | None = None, roles: frozenset[str] | None = None) -> list[Placed]:
    """Adds files to a folder: each checked by the upload checker, stored once per school by its content. A file
    of the same name as a document in the folder becomes that document's next version (its address stays)."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    folder = _folder(school=school, actor=actor, roles=known, folder_id=folder_id, lock=True)
    if not files:
        raise ValidationFailed(fields={"files": [_("Choose one or more files.")]})
    if len(files) > MAX_FILES:
        raise ValidationFailed(fields={"files": [_("At most %(n)s files at once.") % {"n": MAX_FILES}]})
    errors: dict[str, list[str]] = {}
    moment = _visible_from(visible_from, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    checked = [check(upload, FILE) for upload in files]
    _check_quota(school=school, folder=folder, adding=sum(c.size for c in checked))
    existing = {d.name.lower(): d for d in Document.objects.filter(school=school, folder=folder,
                                                                  kind=Document.Kind.FILE)}
    placed = []
    for upload in checked:
        blob = _blob(school, upload)
        document = existing.get(upload.name.lower())
        if document is None:
            document = Document.objects.create(school=school, folder=folder, name=upload.name, visible_from=moment,
                                               created_by=actor)
            existing[upload.name.lower()] = document
            placed.append(Placed(document, False))
        else:
            placed.append(Placed(document, True))
        _add_version(document, blob, name=upload.name, actor=actor)
    bump_folder(folder)
    return placed


@transaction.atomic
def link_add(*, school: School, actor: User, folder_id: int, name: str, url: str,
             visible_from: dt.datetime | None = None, roles: frozenset[str] | None = None) -> Document:
    known = actor_roles(school=school, actor=actor, roles=roles)
    folder = _folder(school=school, actor=actor, roles=known, folder_id=folder_id)
    errors: dict[str, list[str]] = {}
    moment = _visible_from(visible_from, errors)
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except Exception:
        errors["url"] = [_("Give a web address that starts with https://.")]
    if len(url) > 500:
        errors["url"] = [_("At most %(n)s characters.") % {"n": 500}]
    if errors:
        raise ValidationFailed(fields=errors)
    document = Document.objects.create(school=school, folder=folder, kind=Document.Kind.LINK,
                                       name=_name(name or url, NAME_MAX, "name"), url=url, visible_from=moment,
                                       created_by=actor)
    bump_folder(folder)
    return document


def _document(*, school: School, actor: User, roles: frozenset[str], document_id: int) -> Document:
    document = Document.objects.select_for_update().filter(school=school, pk=document_id).first()
    if document is None:
        raise NotFound()
    _folder(school=school, actor=actor, roles=roles, folder_id=document.folder_id)
    return document


@transaction.atomic
def document_replace(*, school: School, actor: User, document_id: int, upload: UploadedFile,
                     roles: frozenset[str] | None = None) -> Version:
    """A new version of a file: the document keeps its name and address; the older versions stay."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    document = _document(school=school, actor=actor, roles=known, document_id=document_id)
    if document.kind != Document.Kind.FILE:
        raise ValidationFailed(fields={"files": [_("A link has no file to replace.")]})
    checked = check(upload, FILE)
    _check_quota(school=school, folder=document.folder, adding=checked.size)
    version = _add_version(document, _blob(school, checked), name=checked.name, actor=actor)
    bump_folder(document.folder)
    return version


@transaction.atomic
def version_restore(*, school: School, actor: User, document_id: int, number: int,
                    roles: frozenset[str] | None = None) -> Version:
    """Makes an older version the current one again, as a new version: the history is kept as it was."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    document = _document(school=school, actor=actor, roles=known, document_id=document_id)
    old = Version.objects.filter(school=school, document=document, number=number).select_related("blob").first()
    if old is None:
        raise NotFound()
    if document.current_id == old.pk:
        raise ValidationFailed(fields={"number": [_("This is the current version already.")]})
    if old.blob.scan_state == Blob.Scan.INFECTED:
        raise ValidationFailed(fields={"number": [_("This version held a virus and was removed.")]})
    version = _add_version(document, old.blob, name=old.name, actor=actor, restored_from=old.number)
    bump_folder(document.folder)
    return version


@transaction.atomic
def document_change(*, school: School, actor: User, document_id: int, name: str,
                    visible_from: dt.datetime | None, roles: frozenset[str] | None = None) -> Document:
    """Renames a document or moves its moment (a moment already past stays as it was when left empty)."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    document = _document(school=school, actor=actor, roles=known, document_id=document_id)
    document.name = _name(name, NAME_MAX, "name")
    if visible_from is not None:
        errors: dict[str, list[str]] = {}
        document.visible_from = _visible_from(visible_from, errors)
        if errors:
            raise ValidationFailed(fields=errors)
    document.save(update_fields=["name", "visible_from", "updated_at"])
    bump_folder(document.folder)
    return document


@transaction.atomic
def document_remove(*, school: School, actor: User, document_id: int, roles: frozenset[str] | None = None) -> None:
    known = actor_roles(school=school, actor=actor, roles=roles)
    document = _document(school=school, actor=actor, roles=known, document_id=document_id)
    folder = document.folder
    document.delete()
    bump_folder(folder)


@transaction.atomic
def sharing_set(*, school: School, actor: User, course_id: int, class_ids: Sequence[int],
                coteachers: dict[int, bool], roles: frozenset[str] | None = None) -> Folder:
    """The classes besides the course's own whose students read its folder, and its co-teachers (user id:
    may edit). Only the course's teacher and administrators decide."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    folder = root_folder(school=school, actor=actor, roles=known, course_id=course_id)
    course = folder.course
    assert course is not None
    if not selectors.course_access(school=school, user=actor, roles=known, course=course).manages:
        raise Forbidden()
    groups = list(ClassGroup.objects.filter(school=school, school_year_id=course.school_year_id,
                                            pk__in=list(class_ids)).exclude(pk=course.class_group_id))
    if len(groups) != len(set(class_ids) - {course.class_group_id}):
        raise ValidationFailed(fields={"classes": [_("Choose the classes from the list.")]})
    teachers = set(User.objects.filter(memberships__school=school, memberships__role=Role.TEACHER,
                                       pk__in=list(coteachers)).exclude(pk=course.teacher_id or 0)
                   .values_list("pk", flat=True))
    if teachers != set(coteachers) - {course.teacher_id}:
        raise ValidationFailed(fields={"coteachers": [_("Choose the teachers from the list.")]})
    FolderShare.objects.filter(school=school, folder=folder).delete()
    FolderShare.objects.bulk_create([FolderShare(school=school, folder=folder, class_group=g) for g in groups])
    CoTeacher.objects.filter(school=school, folder=folder).delete()
    CoTeacher.objects.bulk_create([CoTeacher(school=school, folder=folder, user_id=pk, can_edit=coteachers[pk])
                                   for pk in sorted(teachers)])
    parts.bump(sharing_scope(school.pk))
    return folder


ORPHAN_GRACE = dt.timedelta(days=1)


def forget_orphans(*, limit: int = 500) -> int:
    """Stored contents no version holds any more (their documents were removed a day ago or longer): their
    bytes and preview leave the storage, their rows the database. Housekeeping; safe in several processes."""
    cutoff = clock.now() - ORPHAN_GRACE
    removed = 0
    for blob in Blob.objects.filter(versions__isnull=True, created_at__lt=cutoff).order_by("pk")[:limit]:
        with transaction.atomic():
            locked = Blob.objects.select_for_update(skip_locked=True).filter(pk=blob.pk).first()
            if locked is None or Version.objects.filter(blob=locked).exists():
                continue  # another process has it, or a version took it up again meanwhile
            locked.file.delete(save=False)
            locked.preview.delete(save=False)
            locked.delete()
            removed += 1
    return removed
