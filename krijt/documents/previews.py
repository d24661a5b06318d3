"""Previews of course folders' files, made by a worker once per stored content: a PNG of a PDF's first page
(pypdfium2), of an image (Pillow), or of an office file's first page after LibreOffice (headless) turned it
into a PDF, where LibreOffice is installed; where it is not, the preview is marked as skipped for that reason
and the page says so. Rendering happens only here, never in a web request."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from krijt.core import parts
from krijt.documents.models import Blob, Document
from krijt.documents.parts import folder_scope

logger = logging.getLogger(__name__)

WIDTH = 480
IMAGES = frozenset({"jpg", "jpeg", "png", "gif", "webp"})
OFFICE = frozenset({"docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "rtf"})
CONVERT_SECONDS = 60
MAX_PIXELS = 40_000_000  # a picture larger than this is not opened (a decompression bomb)


def converter() -> str | None:
    """LibreOffice's command, where installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _png(image: object) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    picture = image.convert("RGB") if image.mode not in {"RGB", "L"} else image
    if picture.width > WIDTH:
        picture = picture.resize((WIDTH, max(1, round(picture.height * WIDTH / picture.width))))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def pdf_page(data: bytes) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        width, _height = page.get_size()
        return _png(page.render(scale=WIDTH / max(width, 1.0)).to_pil())
    finally:
        document.close()


def image(data: bytes) -> bytes:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)
        return _png(opened.copy())


def office(data: bytes, extension: str, command: str) -> bytes:
    """The office file as PDF by LibreOffice headless, in a directory of its own, with a time limit."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"file.{extension}"
        source.write_bytes(data)
        subprocess.run([command, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", folder,  # noqa: S603
                        str(source)], check=True, capture_output=True, timeout=CONVERT_SECONDS,
                       env={"HOME": folder, "PATH": "/usr/bin:/bin"})
        return pdf_page((Path(folder) / "file.pdf").read_bytes())


def make(blob_id: int) -> str:
    """Makes the preview of one stored content; answers its state. Safe to run again."""
    blob = Blob.objects.filter(pk=blob_id).first()
    if blob is None or blob.preview_state == Blob.Preview.READY:
        return blob.preview_state if blob is not None else ""
    extension = blob.extension
    state, picture = Blob.Preview.SKIPPED, b""
    try:
        if extension == "pdf" or extension in IMAGES or extension in OFFICE:
            with blob.file.open("rb") as handle:
                data = handle.read()
            if extension == "pdf":
                picture, state = pdf_page(data), Blob.Preview.READY
            elif extension in IMAGES:
                picture, state = image(data), Blob.Preview.READY
            elif (command := converter()) is not None:
                picture, state = office(data, extension, command), Blob.Preview.READY
            else:
                state = Blob.Preview.NO_CONVERTER
    except Exception:
        logger.warning("no preview of blob %s (%s)", blob.pk, extension, exc_info=True)
        state = Blob.Preview.FAILED
    with transaction.atomic():
        if picture:
            blob.preview.save(f"{blob.sha256}.png", ContentFile(picture), save=False)
        blob.preview_state = state
        blob.save(update_fields=["preview", "preview_state"])
        folders = set(Document.objects.filter(school_id=blob.school_id, current__blob=blob)
                      .values_list("folder_id", flat=True))
        parts.bump(*(folder_scope(blob.school_id, f) for f in sorted(folders)))
    return str(state)
