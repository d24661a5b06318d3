"""Serving a stored file to a person who may read it: one shape for every download."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse

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
