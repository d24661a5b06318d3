"""Background work of course folders: previews."""

from __future__ import annotations

from django_tasks import task

from krijt.documents import previews


@task()
def preview_task(blob_id: int) -> None:
    previews.make(blob_id)


@task()
def scan_task(blob_id: int) -> None:
    from krijt.documents import scanning

    scanning.scan_blob(blob_id)
