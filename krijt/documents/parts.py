"""Course folders as cached parts: a folder's listing (its subfolders and documents with what a page needs to
sign their addresses), kept by a version per folder that every write in it bumps. A folder page read by a
class at 08:25 costs the access check and no listing query once one student has opened it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from krijt.core import parts
from krijt.documents.models import Document, Folder, FolderShare
from krijt.schools.models import School


def folder_scope(school_id: int, folder_id: int) -> str:
    return parts.scope(school_id, "docs-folder", folder_id)


def recent_scope(school_id: int, class_id: int) -> str:
    """What is new in the course folders a class reads: bumped by every change in them."""
    return parts.scope(school_id, "docs-recent", class_id)


def sharing_scope(school_id: int) -> str:
    return parts.scope(school_id, "docs-sharing")


def row(document: Document) -> dict[str, Any]:
    version = document.current
    blob = version.blob if version is not None else None
    return {"id": document.pk, "name": document.name, "kind": document.kind, "url": document.url,
            "visible_from": document.visible_from, "updated_at": document.updated_at,
            "version": version.number if version else 0, "file_name": version.name if version else "",
            "path": blob.file.name if blob else "", "size": blob.size if blob else 0,
            "extension": blob.extension if blob else "", "content_type": blob.content_type if blob else "",
            "folder_id": document.folder_id, "preview": blob.preview.name if blob and blob.preview else "",
            "preview_state": blob.preview_state if blob else "", "scan": blob.scan_state if blob else "clean",
            "finding": blob.scan_finding if blob else ""}


def listing(school: School, folder_id: int) -> parts.Part:
    """{"folders": [{"id", "name"}], "documents": [row, ...]} by name: two queries when built."""

    def build() -> dict[str, Any]:
        folders = list(Folder.objects.filter(school=school, parent_id=folder_id).order_by("name")
                       .values("id", "name"))
        documents = (Document.objects.filter(school=school, folder_id=folder_id)
                     .select_related("current", "current__blob").order_by("name"))
        return {"folders": folders, "documents": [row(d) for d in documents]}

    return parts.Part(parts.key(school.pk, "docs-folder", folder_id), (folder_scope(school.pk, folder_id),), build)


RECENT_DAYS = 14
RECENT_KEPT = 12


def class_recent(school: School, class_id: int, today: dt.date) -> parts.Part:
    """[{"id", "name", "kind", "course", "visible_from"}, ...]: the newest documents of the course folders a
    class reads (its courses' and those shared with it), newest moment first. One query when built. Rows keep
    their moments: Today shows each from its own, without a change to make it appear."""

    def build() -> list[dict[str, Any]]:
        since = dt.datetime.combine(today - dt.timedelta(days=RECENT_DAYS), dt.time(0), tzinfo=dt.UTC)
        shared = FolderShare.objects.filter(school=school, class_group_id=class_id).values("folder__course_id")
        rows = (Document.objects.filter(Q(folder__course__class_group_id=class_id) | Q(folder__course_id__in=shared),
                                        Q(current__isnull=True) | Q(current__blob__scan_state="clean"),
                                        school=school, visible_from__gte=since)
                .select_related("folder__course").order_by("-visible_from", "-pk")[:RECENT_KEPT])
        return [{"id": d.pk, "name": d.name, "kind": d.kind, "course": d.folder.course.name if d.folder.course else "",
                 "visible_from": d.visible_from} for d in rows]

    return parts.Part(parts.key(school.pk, "docs-recent", class_id, today.isoformat()),
                      (recent_scope(school.pk, class_id), sharing_scope(school.pk)), build)
