"""Background work for imports, on the "imports" queue so a large file never delays other tasks."""

from __future__ import annotations

from django_tasks import task

from krijt.imports import services


@task(queue_name="imports")
def import_validate_task(job_id: int) -> None:
    services.import_validate(job_id=job_id)


@task(queue_name="imports")
def import_apply_task(job_id: int) -> None:
    services.import_apply(job_id=job_id)
