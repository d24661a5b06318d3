"""Background work for announcements: telling the audience, and a reminder to those who have not answered."""

from __future__ import annotations

from django_tasks import task

from krijt.announcements import services


@task()
def announcement_fanout_task(announcement_id: int, generation: int) -> None:
    services.announcement_fanout(announcement_id=announcement_id, generation=generation)


@task()
def announcement_reminder_task(announcement_id: int, number: int) -> None:
    services.reminder_fanout(announcement_id=announcement_id, number=number)
