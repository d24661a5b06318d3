"""Course folders and own documents as JSON, through the same doors as the pages: the courses with a folder,
a folder's contents (each file with a short-lived signed address), one document with its versions; for
those who edit: files (multipart), links, subfolders, a new version and restoring an older one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from krijt.core.api import caller, ok
from krijt.documents import permissions, selectors, services

router: Router = Router(tags=["documents"])


class CourseFolderOut(Schema):
    course_id: int
    name: str
    class_name: str
    role: str = Field(..., description="teacher, coteacher, student or office.")


class DocumentOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="file or link.")
    url: str = Field(..., description="A link's address, or the file's signed address (valid for some minutes).")
    visible_from: dt.datetime
    updated_at: dt.datetime
    version: int
    size: int
    hidden: bool = Field(..., description="Not visible to students yet (only those who edit see it).")


class SubfolderOut(Schema):
    id: int
    name: str


class FolderOut(Schema):
    id: int
    name: str
    course_id: int | None
    path: list[SubfolderOut]
    may_edit: bool
    folders: list[SubfolderOut]
    documents: list[DocumentOut]


class VersionOut(Schema):
    number: int
    name: str
    size: int
    uploaded_at: dt.datetime
    restored_from: int | None
    url: str
    current: bool


class DocumentDetailOut(DocumentOut):
    folder_id: int
    versions: list[VersionOut] = Field(..., description="For those who edit the folder; empty for readers.")


class FilesIn(Schema):
    visible_from: dt.datetime | None = Field(None, description="Visible to students from; empty: now.")


class LinkIn(Schema):
    url: str = Field(..., max_length=500)
    name: str = Field("", max_length=services.NAME_MAX)
    visible_from: dt.datetime | None = None


class FolderIn(Schema):
    name: str = Field(..., max_length=services.FOLDER_NAME_MAX)


def _document(d: selectors.Shown) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "kind": d.kind, "url": d.url, "visible_from": d.visible_from,
            "updated_at": d.updated_at, "version": d.version, "size": d.size, "hidden": d.hidden}


def _folder(view: selectors.FolderView) -> dict[str, Any]:
    return {"id": view.folder.pk, "name": view.folder.name, "course_id": view.folder.course_id,
            "path": [{"id": f.pk, "name": f.name} for f in view.path], "may_edit": view.access.edit,
            "folders": view.folders, "documents": [_document(d) for d in view.documents]}


@router.get("/documents/courses", response=ok(list[CourseFolderOut], 403), summary="Course folders")
def courses(request: HttpRequest) -> list[dict[str, Any]]:
    c = caller(request, permissions.READ_ROLES)
    return [{"course_id": r.course.pk, "name": r.course.name, "class_name": r.course.class_group.name,
             "role": r.role} for r in selectors.courses_for(school=c.school, user=c.user, roles=c.roles)]


@router.get("/documents/courses/{course_id}/folder", response=ok(FolderOut, 403), summary="A course's folder")
def course_folder(request: HttpRequest, course_id: int) -> dict[str, Any]:
    c = caller(request, permissions.READ_ROLES)
    root = services.root_folder(school=c.school, actor=c.user, roles=c.roles, course_id=course_id)
    return _folder(selectors.folder_view(school=c.school, user=c.user, roles=c.roles, folder_id=root.pk))


@router.get("/documents/mine", response=ok(FolderOut, 403), summary="My documents")
def mine(request: HttpRequest) -> dict[str, Any]:
    c = caller(request, permissions.OWN_FOLDER_ROLES)
    root = services.root_folder(school=c.school, actor=c.user, roles=c.roles)
    return _folder(selectors.folder_view(school=c.school, user=c.user, roles=c.roles, folder_id=root.pk))


@router.get("/documents/folders/{folder_id}", response=ok(FolderOut, 403), summary="A folder")
def folder(request: HttpRequest, folder_id: int) -> dict[str, Any]:
    c = caller(request, permissions.READ_ROLES)
    return _folder(selectors.folder_view(school=c.school, user=c.user, roles=c.roles, folder_id=folder_id))


@router.post("/documents/folders/{folder_id}/folders", response=ok(SubfolderOut, 403, status=201),
             summary="Make a subfolder")
def subfolder(request: HttpRequest, folder_id: int, body: FolderIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.READ_ROLES)
    made = services.folder_create(school=c.school, actor=c.user, roles=c.roles, parent_id=folder_id, name=body.name)
    return Status(201, {"id": made.pk, "name": made.name})


@router.post("/documents/folders/{folder_id}/files", response=ok(list[DocumentOut], 403, 413, status=201),
             summary="Add files")
def add_files(request: HttpRequest, folder_id: int, body: Form[FilesIn],
              files: File[list[UploadedFile]] = None) -> Status[list[dict[str, Any]]]:  # type: ignore[assignment]
    """Multipart form data: `files` (several) and `visible_from`. A file with the name of a document in the
    folder becomes its next version."""
    c = caller(request, permissions.READ_ROLES)
    placed = services.files_add(school=c.school, actor=c.user, roles=c.roles, folder_id=folder_id,
                                files=list(files or []), visible_from=body.visible_from)
    view = selectors.folder_view(school=c.school, user=c.user, roles=c.roles, folder_id=folder_id)
    wanted = {p.document.pk for p in placed}
    return Status(201, [_document(d) for d in view.documents if d.id in wanted])


@router.post("/documents/folders/{folder_id}/links", response=ok(DocumentOut, 403, status=201), summary="Add a link")
def add_link(request: HttpRequest, folder_id: int, body: LinkIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.READ_ROLES)
    made = services.link_add(school=c.school, actor=c.user, roles=c.roles, folder_id=folder_id, name=body.name,
                             url=body.url, visible_from=body.visible_from)
    return Status(201, _detail(request, made.pk))


def _detail(request: HttpRequest, document_id: int) -> dict[str, Any]:
    c = caller(request, permissions.READ_ROLES)
    view = selectors.document_view(school=c.school, user=c.user, roles=c.roles, document_id=document_id)
    return {**_document(view.shown), "folder_id": view.document.folder_id, "versions": [
        {"number": v.number, "name": v.name, "size": v.blob.size, "uploaded_at": v.uploaded_at,
         "restored_from": v.restored_from, "url": url, "current": v.pk == view.document.current_id}
        for v, url in view.versions]}


@router.get("/documents/{document_id}", response=ok(DocumentDetailOut, 403), summary="A document")
def document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    return _detail(request, document_id)


@router.post("/documents/{document_id}/versions", response=ok(DocumentDetailOut, 403, 413, status=201),
             summary="Upload a new version")
def replace(request: HttpRequest, document_id: int, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    c = caller(request, permissions.READ_ROLES)
    services.document_replace(school=c.school, actor=c.user, roles=c.roles, document_id=document_id, upload=file)
    return Status(201, _detail(request, document_id))


@router.post("/documents/{document_id}/versions/{number}/restore", response=ok(DocumentDetailOut, 403),
             summary="Restore an older version")
def restore(request: HttpRequest, document_id: int, number: int) -> dict[str, Any]:
    c = caller(request, permissions.READ_ROLES)
    services.version_restore(school=c.school, actor=c.user, roles=c.roles, document_id=document_id, number=number)
    return _detail(request, document_id)
