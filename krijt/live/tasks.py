"""Background work of live lessons: creating a meeting a few minutes before its lesson."""

from __future__ import annotations

from django_tasks import task


@task()
def create_meeting_task(meeting_id: int) -> None:
    from krijt.live import services

    services.meeting_create(meeting_id)
