"""Which files may be handed in: common documents and images, at most 20 MB each.

The type is decided by the file's name and confirmed by its first bytes; what the browser claims is
ignored, so a renamed program or web page is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
MAX_TEXT_CHARS = 20_000

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
TEXT = ()  # checked as text: valid UTF-8 (or Latin-1 without control bytes)

# extension -> (content type served, accepted leading bytes; () means a text file)
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
    "txt": ("text/plain", TEXT),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", ()),  # RIFF....WEBP, checked below
    "heic": ("image/heic", ()),  # ISO media "ftyp" box, checked below
    "heif": ("image/heif", ()),
}
ACCEPT = ",".join(f".{ext}" for ext in TYPES)
# Shown inline in the browser (a phone opens them in its viewer); everything else is downloaded.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}


class TooBig(ValueError):
    """A file over the size limit (told apart so the answer can be 413)."""


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size: int


def clean_name(raw: str) -> str:
    """A file name safe for storage and for a Content-Disposition header, keeping its extension."""
    raw = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    raw = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    raw = re.sub(r"[\"<>:|?*]+", "_", raw).strip(" .")
    if "." in raw:
        stem, ext = raw.rsplit(".", 1)
        return f"{stem[:150].strip() or 'file'}.{ext[:10].lower()}"
    return raw[:150] or "file"


def _extension(name: str) -> str:
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


def _head_matches(ext: str, head: bytes) -> bool:
    if ext in {"webp"}:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext in {"heic", "heif"}:
        return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS
    signatures = TYPES[ext][1]
    if not signatures:
        return _looks_like_text(head)
    return any(head.startswith(sig) for sig in signatures)


def check_upload(upload: UploadedFile) -> CheckedFile:
    """The checked file, or ValueError with a message for the person who uploaded it."""
    name = clean_name(upload.name or "")
    size = int(upload.size or 0)
    if size > MAX_FILE_BYTES:
        raise TooBig(
            _("%(name)s is %(size)s; a file may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_FILE_BYTES)}
        )
    if size == 0:
        raise ValueError(_("%(name)s is empty.") % {"name": name})
    ext = _extension(name)
    if ext not in TYPES:
        raise ValueError(
            _("%(name)s is not a document or image type that can be handed in (PDF, Word, Excel, "
              "PowerPoint, OpenDocument, text, JPEG, PNG, GIF, WebP or HEIC).") % {"name": name}
        )
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    if not _head_matches(ext, head):
        raise ValueError(_("%(name)s is not really a .%(ext)s file.") % {"name": name, "ext": ext})
    return CheckedFile(upload=upload, name=name, content_type=TYPES[ext][0], size=size)
