"""Short-lived signed addresses of stored files: a page signs one per file from what it already holds (no
query, no call to the storage), and the address is served without reading the database.

An address holds until a moment rounded up to the next five minutes, so the pages of those minutes give the
same address for the same file and a browser may reuse what it fetched (a folder's thumbnails).

Behind a web server that serves protected files itself (KRIJT_DOCUMENTS_ACCEL_PREFIX, e.g. nginx's internal
location), the answer is an X-Accel-Redirect and no byte passes through a web worker; the embedded demo
streams the file.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core import signing

from krijt.core import clock
from krijt.schools.paths import slug_path

SALT = "krijt.documents.file"
MAX_AGE = getattr(settings, "KRIJT_DOCUMENTS_URL_SECONDS", 600)
BUCKET = 300


def _now() -> float:
    return clock.now().timestamp()


def file_url(*, slug: str, school_id: int, path: str, name: str, content_type: str) -> str:
    until = math.ceil((_now() + MAX_AGE) / BUCKET) * BUCKET
    token = signing.Signer(salt=SALT).sign_object({"s": school_id, "p": path, "t": content_type, "u": until},
                                                  compress=True)
    return slug_path(slug, "documents:file", token=token, name=name)


def read(token: str, *, school_id: int) -> dict[str, Any] | None:
    """The signed file, or None when the address is forged, expired or of another school."""
    try:
        found = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(found, dict) or found.get("s") != school_id:
        return None
    if not isinstance(found.get("u"), int) or found["u"] < _now():
        return None
    return found


def seconds_left(found: dict[str, Any]) -> int:
    return max(0, int(found["u"] - _now()))
