"""Which files may be handed in: common documents and images, at most 20 MB each (krijt.core.uploads checks)."""

from __future__ import annotations

from krijt.core.uploads import DOCUMENTS, IMAGES, INLINE_TYPES, Use

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
MAX_TEXT_CHARS = 20_000

# Anything bigger cannot be a valid hand-in: both faces refuse it before the upload is read.
MAX_REQUEST_BYTES = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024

HAND_IN = Use(extensions=DOCUMENTS | IMAGES, max_bytes=MAX_FILE_BYTES, field="files")
ACCEPT = HAND_IN.accept

__all__ = ["ACCEPT", "HAND_IN", "INLINE_TYPES", "MAX_FILES", "MAX_FILE_BYTES", "MAX_REQUEST_BYTES", "MAX_TEXT_CHARS"]
