"""Course folders and a person's own documents.

Every course has a folder (made when first opened) with subfolders, files and links. A file's bytes are a
`Blob`: stored once per school under their SHA-256, however many documents, versions or folders hold them.
A `Document` keeps its address while its file is replaced: each upload is a `Version`, and restoring an
older one adds a version that points at the older bytes again, so the history is never rewritten.
A document becomes visible to students at its moment (`visible_from`), as a scheduled message does.

A course folder is for the students of the course's class and of the classes it is shared with
(`FolderShare`), edited by the course's teacher and read or edited by co-teachers (`CoTeacher`). A person's
own folder ("My documents") has an owner and no course: only they see it, never their parents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped


def blob_path(instance: Blob, filename: str) -> str:
    """documents/<school>/<ab>/<sha256>.<ext>: the same bytes have one path in a school."""
    suffix = f".{instance.extension}" if instance.extension else ""
    return f"documents/{instance.school_id}/{instance.sha256[:2]}/{instance.sha256}{suffix}"


def preview_path(instance: Blob, filename: str) -> str:
    return f"documents/{instance.school_id}/{instance.sha256[:2]}/{instance.sha256}.preview.png"


class Blob(SchoolScoped):
    class Preview(models.TextChoices):
        WAITING = "waiting", _("Waiting for the worker")
        READY = "ready", _("Ready")
        SKIPPED = "skipped", _("No preview for this kind of file")
        NO_CONVERTER = "no_converter", _("No office converter installed")
        FAILED = "failed", _("The file could not be read")

    class Scan(models.TextChoices):
        PENDING = "pending", _("Being checked for viruses")
        CLEAN = "clean", _("Clean")
        INFECTED = "infected", _("A virus was found")

    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=120)
    file = models.FileField(upload_to=blob_path, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    # A picture of the first page (a PDF, an office file converted to PDF) or of the image itself, made by a
    # worker once per stored content (krijt/documents/previews.py).
    preview = models.FileField(upload_to=preview_path, max_length=300, blank=True)
    preview_state = models.CharField(max_length=12, choices=Preview.choices, default=Preview.WAITING)
    # Where a virus scanner is configured, a new content waits for its verdict before a student sees it; an
    # infected one is removed from storage and never shown (krijt/documents/scanning.py).
    scan_state = models.CharField(max_length=8, choices=Scan.choices, default=Scan.CLEAN)
    scan_finding = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "sha256"], name="blob_unique_content")]


class Folder(SchoolScoped):
    course = models.ForeignKey("schools.Course", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="folders")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(course__isnull=True) ^ models.Q(owner__isnull=True),
                                   name="folder_course_or_owner"),
            models.UniqueConstraint(fields=["school", "course"], condition=models.Q(parent__isnull=True,
                                                                                   course__isnull=False),
                                    name="folder_one_root_per_course"),
            models.UniqueConstraint(fields=["school", "owner"], condition=models.Q(parent__isnull=True,
                                                                                  owner__isnull=False),
                                    name="folder_one_root_per_owner"),
        ]
        indexes = [models.Index(fields=["school", "parent"], name="folder_parent_idx")]

    def __str__(self) -> str:
        return self.name


class FolderShare(SchoolScoped):
    """Another class whose students read a course's folder (a parallel class, a class of the same grade)."""

    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="shares")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "folder", "class_group"], name="foldershare_unique")]


class CoTeacher(SchoolScoped):
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="coteachers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    can_edit = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "folder", "user"], name="coteacher_unique")]


class Document(SchoolScoped):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.FILE)
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    visible_from = models.DateTimeField()
    current = models.ForeignKey("Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["school", "folder", "name"], name="document_folder_idx"),
            models.Index(fields=["school", "-updated_at"], name="document_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Version(SchoolScoped):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField(max_length=200)  # the uploaded file's name, for the download
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "document", "number"], name="version_unique")]
