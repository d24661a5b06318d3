"""Background work for attendance: what follows a register (reviews, the parents' question)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from krijt.attendance import services
from krijt.schools.models import School


@task()
def reviews_after_register_task(school_id: int, day: str, student_ids: list[int]) -> None:
    school = School.objects.filter(pk=school_id).first()
    if school is not None:
        services.reviews_after_register(school=school, day=dt.date.fromisoformat(day), student_ids=student_ids)
