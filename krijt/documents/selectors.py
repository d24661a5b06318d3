"""Reads of course folders and own documents: who may do what in a folder, a folder page (its listing from a
cached part, each file's address signed for the reader), one document with its versions, the courses a person
has folders in, a search by name, the space used against each quota."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.parts import fetch
from krijt.core.roles import Role
from krijt.documents import parts, permissions, signing
from krijt.documents.models import Blob, CoTeacher, Document, Folder, FolderShare, Version
from krijt.documents.permissions import Access
from krijt.schools.models import ClassGroup, Course, Enrollment, School
from krijt.schools.selectors import current_school_year

QUOTA_SCHOOL = getattr(settings, "KRIJT_DOCUMENT_QUOTA_SCHOOL", 200 * 1024**3)
QUOTA_COURSE = getattr(settings, "KRIJT_DOCUMENT_QUOTA_COURSE", 2 * 1024**3)
QUOTA_PERSON = getattr(settings, "KRIJT_DOCUMENT_QUOTA_PERSON", 500 * 1024**2)
SEARCH_MAX = 50


def course_access(*, school: School, user: Any, roles: frozenset[str], course: Course) -> Access:
    """What the person may do in a course's folder: two queries at most."""
    is_teacher = course.teacher_id == user.pk
    coteacher = None
    if Role.TEACHER in roles and not is_teacher:
        row = CoTeacher.objects.filter(school=school, folder__course=course, folder__parent=None, user=user).first()
        coteacher = row.can_edit if row is not None else None
    is_student = False
    if Role.STUDENT in roles:
        shared = FolderShare.objects.filter(school=school, folder__course=course, folder__parent=None).values(
            "class_group_id")
        is_student = Enrollment.objects.filter(
            Q(class_group_id=course.class_group_id) | Q(class_group_id__in=shared),
            school=school, student=user, school_year_id=course.school_year_id).exists()
    return permissions.course_access(roles=roles, is_teacher=is_teacher, coteacher=coteacher, is_student=is_student)


def access_to(*, school: School, user: Any, roles: frozenset[str], folder: Folder) -> Access:
    if folder.owner_id is not None:
        return permissions.OWNER if folder.owner_id == user.pk else permissions.NONE
    assert folder.course is not None
    return course_access(school=school, user=user, roles=roles, course=folder.course)


def path_of(*, school: School, folder: Folder) -> list[Folder]:
    """The folders from the root down to `folder` (folders go at most four deep)."""
    found = [folder]
    while found[0].parent_id is not None:
        parent = Folder.objects.filter(school=school, pk=found[0].parent_id).first()
        if parent is None:
            break
        found.insert(0, parent)
    return found


@dataclass(frozen=True)
class Usage:
    used: int
    limit: int

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else 1.0

    @property
    def near(self) -> bool:
        return self.share >= 0.8


def quotas(*, school: School, folder: Folder) -> list[tuple[str, Usage]]:
    """The space the folder's course or owner uses, and the school's, against their quotas. Two queries.
    A course counts every version of its files; the school each stored content once."""
    versions = Version.objects.filter(school=school)
    if folder.course_id is not None:
        versions = versions.filter(document__folder__course_id=folder.course_id)
        label, limit = _("this course"), QUOTA_COURSE
    else:
        versions = versions.filter(document__folder__owner_id=folder.owner_id)
        label, limit = _("your documents"), QUOTA_PERSON
    used = versions.aggregate(total=Sum("blob__size"))["total"] or 0
    school_used = Blob.objects.filter(school=school).aggregate(total=Sum("size"))["total"] or 0
    return [(str(label), Usage(int(used), limit)), (str(_("the school")), Usage(int(school_used), QUOTA_SCHOOL))]


@dataclass(frozen=True)
class Shown:
    """A document as a page lists it."""

    id: int
    name: str
    kind: str
    url: str  # a link's address, or the file's signed address
    visible_from: dt.datetime
    updated_at: dt.datetime
    version: int
    size: int
    extension: str
    hidden: bool  # not visible to students yet
    preview_url: str = ""  # a picture of the first page or of the image, signed like the file
    preview_state: str = ""
    scan: str = "clean"  # pending, clean or infected (krijt/documents/scanning.py)
    finding: str = ""

    @property
    def readable(self) -> bool:
        """Clean, or not a file: what a student may see."""
        return self.scan == "clean"


def shown(row: dict[str, Any], *, slug: str, school_id: int, now: dt.datetime) -> Shown:
    url = row["url"]
    scan = row.get("scan", "clean")
    if row["kind"] == Document.Kind.FILE and row["path"] and scan != "infected":
        url = signing.file_url(slug=slug, school_id=school_id, path=row["path"], name=row["file_name"],
                               content_type=row["content_type"])
    preview = ""
    if row.get("preview") and scan == "clean":
        preview = signing.file_url(slug=slug, school_id=school_id, path=row["preview"], name="preview.png",
                                   content_type="image/png")
    return Shown(row["id"], row["name"], row["kind"], url, row["visible_from"], row["updated_at"], row["version"],
                 row["size"], row["extension"], row["visible_from"] > now, preview, row.get("preview_state", ""), scan,
                 row.get("finding", ""))


@dataclass(frozen=True)
class FolderView:
    folder: Folder
    path: list[Folder]
    access: Access
    folders: list[dict[str, Any]]
    documents: list[Shown]
    course: Course | None


def folder_view(*, school: School, user: Any, roles: frozenset[str], folder_id: int) -> FolderView:
    """A folder page: the access check, the path, and the listing from its cached part; students see each
    document from its moment. A file's address is signed here, without a query."""
    folder = Folder.objects.filter(school=school, pk=folder_id).select_related("course", "course__class_group").first()
    if folder is None:
        raise NotFound()
    access = access_to(school=school, user=user, roles=roles, folder=folder)
    if access.none:
        raise NotFound()
    (listing,) = fetch([parts.listing(school, folder.pk)])
    now = clock.now()
    documents = [shown(r, slug=school.slug, school_id=school.pk, now=now) for r in listing["documents"]
                 if access.sees_hidden or (r["visible_from"] <= now and r.get("scan", "clean") == "clean")]
    return FolderView(folder, path_of(school=school, folder=folder), access, listing["folders"], documents,
                      folder.course)


@dataclass(frozen=True)
class DocumentView:
    document: Document
    shown: Shown
    access: Access
    versions: list[tuple[Version, str]]  # each with its signed address (for those who edit)
    path: list[Folder]


def document_view(*, school: School, user: Any, roles: frozenset[str], document_id: int) -> DocumentView:
    document = (Document.objects.filter(school=school, pk=document_id)
                .select_related("folder", "folder__course", "current", "current__blob").first())
    if document is None:
        raise NotFound()
    access = access_to(school=school, user=user, roles=roles, folder=document.folder)
    now = clock.now()
    blob = document.current.blob if document.current is not None else None
    hidden = document.visible_from > now or (blob is not None and blob.scan_state != Blob.Scan.CLEAN)
    if access.none or (not access.sees_hidden and hidden):
        raise NotFound()
    versions: list[tuple[Version, str]] = []
    if access.edit:
        for version in (Version.objects.filter(school=school, document=document).select_related("blob", "uploaded_by")
                        .order_by("-number")):
            infected = version.blob.scan_state == Blob.Scan.INFECTED
            versions.append((version, "" if infected else signing.file_url(
                slug=school.slug, school_id=school.pk, path=version.blob.file.name, name=version.name,
                content_type=version.blob.content_type)))
    return DocumentView(document, shown(parts.row(document), slug=school.slug, school_id=school.pk, now=now), access,
                        versions, path_of(school=school, folder=document.folder))


@dataclass(frozen=True)
class CourseRow:
    course: Course
    role: str  # "teacher", "coteacher", "student", "office"


def courses_for(*, school: School, user: Any, roles: frozenset[str]) -> list[CourseRow]:
    """The courses of the current school year whose folder the person opens. A few queries."""
    year = current_school_year(school=school)
    if year is None:
        return []
    base = Course.objects.filter(school=school, school_year=year).select_related("class_group", "teacher")
    order = ("class_group__grade", "class_group__name", "name")
    if roles & {Role.ADMIN, Role.STAFF}:
        return [CourseRow(c, "office") for c in base.order_by(*order)]
    rows: list[CourseRow] = []
    if Role.TEACHER in roles:
        rows += [CourseRow(c, "teacher") for c in base.filter(teacher=user).order_by(*order)]
        co = CoTeacher.objects.filter(school=school, user=user, folder__parent=None).values("folder__course_id")
        rows += [CourseRow(c, "coteacher") for c in base.filter(pk__in=co).exclude(teacher=user).order_by(*order)]
    if Role.STUDENT in roles:
        classes = Enrollment.objects.filter(school=school, student=user, school_year=year).values("class_group_id")
        shared = FolderShare.objects.filter(school=school, class_group_id__in=classes).values("folder__course_id")
        rows += [CourseRow(c, "student") for c in base.filter(Q(class_group_id__in=classes) | Q(pk__in=shared))
                 .order_by(*order)]
    return rows


def search(*, school: School, user: Any, roles: frozenset[str], query: str) -> list[tuple[Document, str]]:
    """Documents whose name holds the words, in the person's courses and own folder, visible to them:
    (document, course name or "") at most SEARCH_MAX, newest first."""
    words = query.split()[:5]
    if not words or len(query) > 100:
        return []
    courses = courses_for(school=school, user=user, roles=roles)
    hidden_ok = {row.course.pk for row in courses if row.role != "student"}
    allowed = Q(folder__course_id__in=[row.course.pk for row in courses]) | Q(folder__owner_id=user.pk)
    qs = Document.objects.filter(allowed, school=school).select_related("folder__course", "current__blob")
    for word in words:
        qs = qs.filter(name__icontains=word)
    now = clock.now()
    found = []
    for document in qs.order_by("-updated_at")[: SEARCH_MAX * 2]:
        course = document.folder.course
        if course is not None and course.pk not in hidden_ok and (
                document.visible_from > now or (document.current is not None
                                                and document.current.blob.scan_state != Blob.Scan.CLEAN)):
            continue
        found.append((document, course.name if course is not None else ""))
    return found[:SEARCH_MAX]


@dataclass(frozen=True)
class Sharing:
    course: Course
    classes: list[ClassGroup]  # the other classes of the course's year, to choose from
    teachers: list[User]  # the school's other teachers, to choose from
    shared: set[int]  # the classes chosen
    coteachers: dict[int, bool]  # the co-teachers chosen: may edit


def sharing_for(*, school: School, user: Any, roles: frozenset[str], course_id: int) -> Sharing:
    """A course folder's sharing, for the course's teacher or an administrator (NotFound for anyone else)."""
    course = Course.objects.filter(school=school, pk=course_id).select_related("class_group", "teacher").first()
    if course is None or not course_access(school=school, user=user, roles=roles, course=course).manages:
        raise NotFound()
    shares = set(FolderShare.objects.filter(school=school, folder__course=course, folder__parent=None)
                 .values_list("class_group_id", flat=True))
    coteachers = dict(CoTeacher.objects.filter(school=school, folder__course=course, folder__parent=None)
                      .values_list("user_id", "can_edit"))
    classes = list(ClassGroup.objects.filter(school=school, school_year_id=course.school_year_id)
                   .exclude(pk=course.class_group_id).order_by("grade", "name"))
    teachers = list(User.objects.filter(memberships__school=school, memberships__role=Role.TEACHER)
                    .exclude(pk=course.teacher_id or 0).order_by("last_name", "first_name"))
    return Sharing(course, classes, teachers, shares, coteachers)
