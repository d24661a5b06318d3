"""Cached school data follows every write, whichever code path makes it (services, imports, seeds)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from krijt.schools.models import CalendarEntry, School, SchoolYear
from krijt.schools.selectors import forget_calendar, forget_school


@receiver([post_save, post_delete], sender=SchoolYear)
@receiver([post_save, post_delete], sender=CalendarEntry)
def _calendar_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    school_id = instance.school_id
    forget_calendar(school_id)
    # A reader inside the open transaction may cache the old rows again; forget once more at commit.
    transaction.on_commit(lambda: forget_calendar(school_id))


@receiver([post_save, post_delete], sender=School)
def _school_changed(sender: Any, instance: School, **kwargs: Any) -> None:
    forget_school(instance.slug)
    forget_calendar(instance.pk)
