"""Short-lived signed addresses of stored files: a page signs one per file from what it already holds (no
query, no call to the storage), and the address is served without reading the database.

Behind a web server that serves protected files itself (KRIJT_DOCUMENTS_ACCEL_PREFIX, e.g. nginx's internal
location), the answer is an X-Accel-Redirect and no byte passes through a web worker; the embedded demo
streams the file itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing

from krijt.schools.paths import slug_path

SALT = "krijt.documents.file"
MAX_AGE = getattr(settings, "KRIJT_DOCUMENTS_URL_SECONDS", 600)


def file_url(*, slug: str, school_id: int, path: str, name: str, content_type: str) -> str:
    token = signing.dumps({"s": school_id, "p": path, "t": content_type}, salt=SALT, compress=True)
    return slug_path(slug, "documents:file", token=token, name=name)


def read(token: str, *, school_id: int) -> dict[str, Any] | None:
    """The signed file, or None when the address is forged, expired or of another school."""
    try:
        found = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(found, dict) or found.get("s") != school_id:
        return None
    return found
