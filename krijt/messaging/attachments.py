"""What may be attached to a message: documents, images and text, at most 10 MB each (krijt.core.uploads)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from krijt.core import uploads

MAX_BYTES: int = getattr(settings, "KRIJT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
MAX_FILES = 10

MESSAGE_ATTACHMENT = uploads.Use(extensions=(uploads.DOCUMENTS | uploads.IMAGES | {"csv"}) - {"heic", "heif"},
                                 max_bytes=MAX_BYTES, field="attachments")
ACCEPT = MESSAGE_ATTACHMENT.accept


def check(upload: UploadedFile) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable upload; raises for a wrong type or size."""
    checked = uploads.check(upload, MESSAGE_ATTACHMENT)
    return checked.name, checked.content_type
