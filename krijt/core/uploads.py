"""The one upload checker: which files a use accepts, confirmed by their first bytes, stored under opaque names.

A use (a hand-in, a message attachment, a task's attachment) names the extensions it accepts and its size
limit. The type is decided by the file's name and confirmed by its content; what the browser claims is
ignored, so a renamed program or web page is refused. The uploader's file name is kept for display and
downloads, never in the storage path: stored files get a random name with the checked extension.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from krijt.core.errors import PayloadTooLarge, ValidationFailed

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
TEXT = ()  # checked as text: UTF-8 without NUL bytes

# extension -> (content type served, accepted leading bytes; () means checked below or as text)
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "odp": ("application/vnd.oasis.opendocument.presentation", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "ppt": ("application/vnd.ms-powerpoint", OLE),
    "rtf": ("application/rtf", (b"{\\rtf",)),
    "txt": ("text/plain; charset=utf-8", TEXT),
    "csv": ("text/csv; charset=utf-8", TEXT),
    "zip": ("application/zip", ZIP),  # QTI item packages (krijt/exercises/qti.py)
    "xml": ("application/xml", TEXT),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", ()),  # RIFF....WEBP
    "heic": ("image/heic", ()),  # an ISO media "ftyp" box with a HEIF brand
    "heif": ("image/heif", ()),
}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}
# Shown inline in the browser (a phone opens them in its viewer); everything else is downloaded.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"}

DOCUMENTS = frozenset({"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "rtf", "txt"})
IMAGES = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "heif"})


@dataclass(frozen=True)
class Use:
    """What one kind of upload accepts."""

    extensions: frozenset[str]
    max_bytes: int
    field: str  # the form field errors are shown at

    @property
    def accept(self) -> str:
        """The `accept` attribute of the file input."""
        return ",".join(f".{ext}" for ext in sorted(self.extensions))

    @property
    def kinds(self) -> str:
        """The accepted types as people name them, e.g. "PDF, DOCX, PNG"."""
        return ", ".join(sorted({"JPG" if e == "jpeg" else e.upper() for e in self.extensions}))


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str  # the uploader's name, cleaned: for display and downloads only
    extension: str
    content_type: str
    size: int


def clean_name(raw: str) -> str:
    """A file name safe for a Content-Disposition header and a page, keeping its extension."""
    raw = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    raw = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    raw = re.sub(r"[\"<>:|?*]+", "_", raw).strip(" .")
    if "." in raw:
        stem, ext = raw.rsplit(".", 1)
        return f"{stem[:150].strip() or 'file'}.{ext[:10].lower()}"
    return raw[:150] or "file"


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut off at the end of the sample is still text.
        if error.start < len(head) - 4:
            return False
    return True


def content_matches(ext: str, head: bytes) -> bool:
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext in {"heic", "heif"}:
        return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS
    signatures = TYPES[ext][1]
    if not signatures:
        return _looks_like_text(head)
    return any(head.startswith(sig) for sig in signatures)


def check(upload: UploadedFile, use: Use) -> CheckedFile:
    """The checked file; PayloadTooLarge (413) over the size limit, ValidationFailed for anything else."""
    name = clean_name(upload.name or "")
    size = int(upload.size or 0)
    if size > use.max_bytes:
        message = _("%(name)s is %(size)s; a file may be at most %(max)s.") % {
            "name": name, "size": filesizeformat(size), "max": filesizeformat(use.max_bytes)}
        raise PayloadTooLarge(message, fields={use.field: [message]})
    if size == 0:
        message = _("%(name)s is empty.") % {"name": name}
        raise ValidationFailed(message, fields={use.field: [message]})
    ext = extension_of(name)
    if ext not in use.extensions or ext not in TYPES:
        message = _("%(name)s is not a type of file accepted here (%(kinds)s).") % {"name": name, "kinds": use.kinds}
        raise ValidationFailed(message, fields={use.field: [message]})
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    if not content_matches(ext, head):
        message = _("%(name)s is not really a .%(ext)s file.") % {"name": name, "ext": ext}
        raise ValidationFailed(message, fields={use.field: [message]})
    return CheckedFile(upload=upload, name=name, extension=ext, content_type=TYPES[ext][0], size=size)


def opaque_path(folder: str, school_id: int, name: str) -> str:
    """A storage path that says nothing of the uploader's file name: folder/school/random.extension."""
    ext = extension_of(name)
    suffix = f".{ext}" if ext in TYPES else ""
    return f"{folder}/{school_id}/{uuid.uuid4().hex}{suffix}"
