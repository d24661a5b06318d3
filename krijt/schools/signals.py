"""Cached school data follows every write, whichever code path makes it (services, imports, seeds)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core import parts
from krijt.core.roles import Role
from krijt.schools.models import (
    CalendarEntry,
    ClassGroup,
    Course,
    Enrollment,
    LessonPeriod,
    Period,
    School,
    SchoolYear,
    TimetableSlot,
)
from krijt.schools.parts import family_scope, structure_scope
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


@receiver([post_save, post_delete], sender=SchoolYear)
@receiver([post_save, post_delete], sender=Period)
@receiver([post_save, post_delete], sender=CalendarEntry)
@receiver([post_save, post_delete], sender=ClassGroup)
@receiver([post_save, post_delete], sender=Course)
@receiver([post_save, post_delete], sender=Enrollment)
@receiver([post_save, post_delete], sender=LessonPeriod)
@receiver([post_save, post_delete], sender=TimetableSlot)
def _structure_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Every cached part built from the school's structure (krijt/schools/parts.py) is stale."""
    parts.bump(structure_scope(instance.school_id))


@receiver([post_save, post_delete], sender=School)
def _school_structure_changed(sender: Any, instance: School, created: bool = False, **kwargs: Any) -> None:
    parts.bump(structure_scope(instance.pk))  # its school weekdays shape the school days
    if created or kwargs.get("signal") is post_delete:
        parts.bump(parts.epoch_scope(instance.pk))  # nothing cached of a school before it under this id


NAME_FIELDS = frozenset({"first_name", "last_name", "username"})
CHILD_FIELDS = NAME_FIELDS | {"birth_date"}  # a parent's view depends on whether the child is an adult


@receiver(post_save, sender=User)
def _person_changed(sender: Any, instance: User, update_fields: Any = None, created: bool = False,
                    **kwargs: Any) -> None:
    """Lessons (and results' "talk to") show a teacher's name, and a parent's Today names their children
    and follows whether they are adults: a change makes those parts stale. A sign-in (which saves only
    last_login) and a new account (nothing cached of it yet) change nothing here."""
    changed = None if update_fields is None else set(update_fields)
    if created or (changed is not None and not CHILD_FIELDS & changed):
        return
    scopes: list[str] = []
    if changed is None or NAME_FIELDS & changed:
        school_ids = Membership.objects.filter(user=instance, role=Role.TEACHER).values_list("school_id", flat=True)
        scopes += [structure_scope(school_id) for school_id in school_ids]
    parent_ids = ParentLink.objects.filter(student=instance).values_list("parent_id", flat=True)
    parts.bump(*scopes, *(family_scope(pk) for pk in parent_ids))


@receiver([post_save, post_delete], sender=ParentLink)
def _family_changed(sender: Any, instance: ParentLink, **kwargs: Any) -> None:
    parts.bump(family_scope(instance.parent_id))


@receiver([post_save, post_delete], sender=User)
def _account_made_or_removed(sender: Any, instance: User, created: bool = False, **kwargs: Any) -> None:
    """A person's own parts outlive no account: an id used again (SQLite) starts with nothing cached."""
    if created or kwargs.get("signal") is post_delete:
        parts.bump(family_scope(instance.pk))
