"""Serving a stored file to a person who may read it: one shape for every download."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from krijt.core.errors import NotFound


def stored_file_response(file: Any, *, filename: str, content_type: str | None = None,
                         inline: bool = False) -> FileResponse:
    """The file as a download (or inline), never sniffed or kept by shared caches.

    A row whose file is gone from storage is a 404 for the reader, not a server error.
    """
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise NotFound() from error
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def made_file_response(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Bytes made for this person (an export) as a download, never sniffed or kept by shared caches."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
