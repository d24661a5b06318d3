"""What may be attached to a message: a size limit, and a short list of types checked by content too."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from krijt.core.errors import PayloadTooLarge, ValidationFailed

MAX_BYTES: int = getattr(settings, "KRIJT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
MAX_FILES = 10

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# extension -> (content type served, accepted leading bytes; None: text, checked as UTF-8)
TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "odp": ("application/vnd.oasis.opendocument.presentation", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "ppt": ("application/vnd.ms-powerpoint", _OLE),
    "txt": ("text/plain; charset=utf-8", None),
    "csv": ("text/csv; charset=utf-8", None),
}
ACCEPT = ",".join("." + ext for ext in TYPES)


def clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return base[:255] or "file"


def check(upload: UploadedFile) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable upload; raises for a wrong type or size."""
    name = clean_name(upload.name or "")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        message = _("%(name)s: this type of file cannot be attached. Use PDF, images, office documents or text.") % {
            "name": name}
        raise ValidationFailed(message, fields={"attachments": [message]})
    size = upload.size or 0
    if size > MAX_BYTES:
        message = _("%(name)s is too big (%(size)s). The limit is %(limit)s per file.") % {
            "name": name, "size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)}
        raise PayloadTooLarge(message, fields={"attachments": [message]})
    content_type, magic = TYPES[ext]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if magic is None:
        ok = b"\x00" not in head
        if ok:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                # A multi-byte character cut at the end of the sample is fine.
                ok = exc.start >= len(head) - 3
    else:
        ok = any(head.startswith(m) for m in magic)
    if not ok or size == 0:
        message = _("%(name)s does not look like a .%(ext)s file.") % {"name": name, "ext": ext}
        raise ValidationFailed(message, fields={"attachments": [message]})
    return name, content_type
