"""Virus scans of course folders' files in a worker (krijt/documents/scanner.py talks to clamd).

A new content waits as "pending": its documents are shown to those who edit the folder, marked, and to no
student. A clean verdict shows them and queues the preview; a virus removes the bytes from storage and
keeps the document visible to its editors only, with what was found. A scanner that cannot be reached leaves
the content pending: housekeeping queues it again."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from krijt.core import clock
from krijt.documents import scanner
from krijt.documents.models import Blob, Document, Folder

logger = logging.getLogger(__name__)

RETRY_AFTER = dt.timedelta(minutes=5)


def enqueue_scan(blob_id: int) -> None:
    from krijt.documents.tasks import scan_task

    transaction.on_commit(lambda: scan_task.enqueue(blob_id=blob_id))


def enqueue_preview(blob_id: int) -> None:
    from krijt.documents.tasks import preview_task

    transaction.on_commit(lambda: preview_task.enqueue(blob_id=blob_id))


def scan_blob(blob_id: int) -> str:
    """Scans one stored content that waits for it; answers its state afterwards. Safe to run again."""
    from krijt.documents.services import bump_folder

    blob = Blob.objects.filter(pk=blob_id).first()
    if blob is None:
        return ""
    if blob.scan_state != Blob.Scan.PENDING:
        return str(blob.scan_state)
    finding = None
    if scanner.address():
        try:
            with blob.file.open("rb") as handle:
                finding = scanner.scan(handle)
        except scanner.ScannerUnavailable:
            logger.warning("virus scanner unavailable; blob %s stays pending", blob.pk, exc_info=True)
            return str(Blob.Scan.PENDING)
    with transaction.atomic():
        if finding is not None:
            logger.warning("virus found in blob %s of school %s: %s", blob.pk, blob.school_id, finding)
            blob.file.delete(save=False)
            blob.scan_state, blob.scan_finding = Blob.Scan.INFECTED, finding[:200]
            blob.preview_state = Blob.Preview.SKIPPED
        else:
            blob.scan_state = Blob.Scan.CLEAN
            enqueue_preview(blob.pk)
        blob.save(update_fields=["file", "scan_state", "scan_finding", "preview_state"])
        folder_ids = set(Document.objects.filter(school_id=blob.school_id, current__blob=blob)
                         .values_list("folder_id", flat=True))
        for folder in Folder.objects.filter(school_id=blob.school_id, pk__in=folder_ids):
            bump_folder(folder)
    return str(blob.scan_state)


def rescan_pending() -> int:
    """Queues again the contents whose scan did not come back (the scanner was down): housekeeping."""
    waiting = list(Blob.objects.filter(scan_state=Blob.Scan.PENDING, created_at__lt=clock.now() - RETRY_AFTER)
                   .values_list("pk", flat=True)[:500])
    for blob_id in waiting:
        enqueue_scan(blob_id)
    return len(waiting)
