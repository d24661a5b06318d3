"""Writes for a school's structure: years, periods, calendar, classes, enrollments, courses and the timetable.

Every function takes the school explicitly and refuses objects of another school (NotFound), so a
view that forgot a filter still cannot reach across schools.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from krijt.accounts.models import Membership, User
from krijt.accounts.selectors import actor_roles
from krijt.core import clock, uploads
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.core.writes import model_update, save_unique
from krijt.schools import identity
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
from krijt.schools.permissions import can_manage_structure
from krijt.schools.selectors import forget_school


def _own(school: School, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.school_id != school.pk:
            raise NotFound()


def _required_text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(fields={field: [_("This field is required.")]})
    return text


def _check_range(starts_on: dt.date, ends_on: dt.date, *, allow_same_day: bool) -> None:
    if ends_on < starts_on or (ends_on == starts_on and not allow_same_day):
        raise ValidationFailed(fields={"ends_on": [_("The end must be after the start.")]})


def _check_inside_year(year: SchoolYear, starts_on: dt.date, ends_on: dt.date) -> None:
    if starts_on < year.starts_on or ends_on > year.ends_on:
        message = _("Choose dates inside the school year %(name)s (%(start)s to %(end)s).") % {
            "name": year.name,
            "start": year.starts_on.isoformat(),
            "end": year.ends_on.isoformat(),
        }
        raise ValidationFailed(fields={"starts_on": [message]})


def _require_teacher(school: School, user: User | None, field: str) -> None:
    if user is None:
        return
    if not Membership.objects.filter(school=school, user=user, role=Role.TEACHER).exists():
        raise ValidationFailed(fields={field: [_("Choose a teacher of this school.")]})


# ---------------------------------------------------------------- school years, periods, calendar


@transaction.atomic
def _check_manage(*, school: School, actor: User, roles: frozenset[str] | None) -> None:
    """The one check before any change to the school's structure (schools/permissions.py): administrators.
    `roles` when the caller knows them (a page, the API), else read."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    if not can_manage_structure(known):
        raise Forbidden(_("Only the school's administrators may change its classes, courses, timetable and calendar."))


def school_year_create(
    *, school: School, actor: User, roles: frozenset[str] | None = None, name: str, starts_on: dt.date, ends_on: dt.date
) -> SchoolYear:
    _check_manage(school=school, actor=actor, roles=roles)
    name = _required_text(name, "name")
    _check_range(starts_on, ends_on, allow_same_day=False)
    taken = _("There is already a school year with this name.")
    if SchoolYear.objects.filter(school=school, name=name).exists():
        raise Conflict(taken, fields={"name": [taken]})
    # School years may not overlap: "which year is it on this day" must have one answer.
    if SchoolYear.objects.filter(school=school, starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        message = _("These dates overlap another school year.")
        raise ValidationFailed(fields={"starts_on": [message]})
    year = SchoolYear(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
    save_unique(year, unique=("name", taken))
    return year


@transaction.atomic
def school_year_delete(
    *, school: School, actor: User, roles: frozenset[str] | None = None, school_year: SchoolYear
) -> None:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, school_year)
    # Deleting a year cascades to its classes, courses and everything recorded in them.
    if ClassGroup.objects.filter(school=school, school_year=school_year).exists():
        raise Conflict(_("This school year has classes. Delete its classes first."))
    school_year.delete()


@transaction.atomic
def period_create(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    school_year: SchoolYear,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
) -> Period:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, school_year)
    name = _required_text(name, "name")
    _check_range(starts_on, ends_on, allow_same_day=True)
    _check_inside_year(school_year, starts_on, ends_on)
    taken = _("This school year already has a period with this name.")
    if Period.objects.filter(school=school, school_year=school_year, name=name).exists():
        raise Conflict(taken, fields={"name": [taken]})
    if Period.objects.filter(
        school=school, school_year=school_year, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).exists():
        raise ValidationFailed(fields={"starts_on": [_("These dates overlap another period.")]})
    period = Period(school=school, school_year=school_year, name=name, starts_on=starts_on, ends_on=ends_on)
    save_unique(period, unique=("name", taken))
    return period


@transaction.atomic
def period_delete(*, school: School, actor: User, roles: frozenset[str] | None = None, period: Period) -> None:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, period)
    period.delete()


@transaction.atomic
def calendar_entry_create(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    school_year: SchoolYear,
    kind: str,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
) -> CalendarEntry:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, school_year)
    if kind not in CalendarEntry.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose a holiday or a closure day.")]})
    name = _required_text(name, "name")
    _check_range(starts_on, ends_on, allow_same_day=True)
    _check_inside_year(school_year, starts_on, ends_on)
    return CalendarEntry.objects.create(
        school=school, school_year=school_year, kind=kind, name=name, starts_on=starts_on, ends_on=ends_on
    )


@transaction.atomic
def calendar_entry_delete(
    *, school: School, actor: User, roles: frozenset[str] | None = None, entry: CalendarEntry
) -> None:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, entry)
    entry.delete()


# ---------------------------------------------------------------- classes and enrollments


def _class_checks(
    school: School, school_year: SchoolYear, name: str, grade: int, mentor: User | None, exclude: int | None = None
) -> str:
    name = _required_text(name, "name")
    if not 1 <= grade <= 12:
        raise ValidationFailed(fields={"grade": [_("Choose a grade from 1 to 12.")]})
    _require_teacher(school, mentor, "mentor")
    same = ClassGroup.objects.filter(school=school, school_year=school_year, name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        message = _("There is already a class with this name in this school year.")
        raise Conflict(message, fields={"name": [message]})
    return name


@transaction.atomic
def class_create(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    school_year: SchoolYear,
    name: str,
    grade: int,
    mentor: User | None = None,
) -> ClassGroup:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, school_year)
    name = _class_checks(school, school_year, name, grade, mentor)
    group = ClassGroup(school=school, school_year=school_year, name=name, grade=grade, mentor=mentor)
    save_unique(group, unique=("name", _("There is already a class with this name in this school year.")))
    return group


@transaction.atomic
def class_update(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    class_group: ClassGroup,
    name: str,
    grade: int,
    mentor: User | None = None,
) -> ClassGroup:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, class_group)
    name = _class_checks(school, class_group.school_year, name, grade, mentor, exclude=class_group.pk)
    model_update(class_group, {"name": name, "grade": grade, "mentor": mentor},
                 unique=("name", _("There is already a class with this name in this school year.")))
    return class_group


@transaction.atomic
def enrollment_set(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    school_year: SchoolYear,
    student: User,
    class_group: ClassGroup | None,
) -> Enrollment | None:
    """Puts a student in a class for a school year (moving them if needed); None takes them out."""
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, school_year, class_group)
    if class_group is not None and class_group.school_year_id != school_year.pk:
        raise ValidationFailed(fields={"class_group": [_("Choose a class of this school year.")]})
    if not Membership.objects.filter(school=school, user=student, role=Role.STUDENT).exists():
        raise ValidationFailed(fields={"class_group": [_("Only students can be put in a class.")]})
    current = (
        Enrollment.objects.select_for_update().filter(school=school, school_year=school_year, student=student).first()
    )
    if class_group is None:
        if current is not None:
            current.delete()
        return None
    if current is not None:
        if current.class_group_id != class_group.pk:
            current.class_group = class_group
            current.save(update_fields=["class_group"])
        return current
    try:
        with transaction.atomic():
            return Enrollment.objects.create(
                school=school, school_year=school_year, class_group=class_group, student=student
            )
    except IntegrityError as exc:
        raise Conflict(_("This student was just put in a class by someone else. Reload and try again.")) from exc


# ---------------------------------------------------------------- courses


def _course_checks(
    school: School,
    class_group: ClassGroup,
    name: str,
    code: str,
    teacher: User | None,
    hours_per_week: int,
    exclude: int | None = None,
) -> tuple[str, str]:
    name = _required_text(name, "name")
    if not 0 <= hours_per_week <= 40:
        raise ValidationFailed(fields={"hours_per_week": [_("Choose from 0 to 40 hours.")]})
    _require_teacher(school, teacher, "teacher")
    same = Course.objects.filter(school=school, class_group=class_group, name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        message = _("This class already has a course with this name.")
        raise Conflict(message, fields={"name": [message]})
    return name, (code or "").strip()


@transaction.atomic
def course_create(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    class_group: ClassGroup,
    name: str,
    code: str = "",
    teacher: User | None = None,
    hours_per_week: int = 1,
) -> Course:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, class_group)
    name, code = _course_checks(school, class_group, name, code, teacher, hours_per_week)
    course = Course(
        school=school,
        school_year_id=class_group.school_year_id,
        class_group=class_group,
        name=name,
        code=code,
        teacher=teacher,
        hours_per_week=hours_per_week,
    )
    save_unique(course, unique=("name", _("This class already has a course with this name.")))
    return course


@transaction.atomic
def course_update(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    course: Course,
    class_group: ClassGroup,
    name: str,
    code: str = "",
    teacher: User | None = None,
    hours_per_week: int = 1,
) -> Course:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, course, class_group)
    if class_group.pk != course.class_group_id and class_group.school_year_id != course.school_year_id:
        raise ValidationFailed(fields={"class_group": [_("Choose a class of the same school year.")]})
    name, code = _course_checks(school, class_group, name, code, teacher, hours_per_week, exclude=course.pk)
    if class_group.pk != course.class_group_id:
        # The course's lessons move with it: they must not clash with the new class's timetable.
        for slot in TimetableSlot.objects.filter(school=school, course=course):
            _check_clashes(
                school,
                course_class_id=class_group.pk,
                teacher=teacher,
                weekday=slot.weekday,
                lesson_period_id=slot.lesson_period_id,
                room=slot.room,
                school_year_id=course.school_year_id,
                exclude_course=course.pk,
            )
    elif teacher is not None and teacher.pk != course.teacher_id:
        for slot in TimetableSlot.objects.filter(school=school, course=course):
            _check_clashes(
                school,
                course_class_id=None,
                teacher=teacher,
                weekday=slot.weekday,
                lesson_period_id=slot.lesson_period_id,
                room="",
                school_year_id=course.school_year_id,
                exclude_course=course.pk,
            )
    model_update(course, {"class_group": class_group, "name": name, "code": code, "teacher": teacher,
                          "hours_per_week": hours_per_week},
                 unique=("name", _("This class already has a course with this name.")))
    return course


@transaction.atomic
def course_delete(*, school: School, actor: User, roles: frozenset[str] | None = None, course: Course) -> None:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, course)
    course.delete()


# ---------------------------------------------------------------- lesson periods


def _lesson_period_checks(
    school: School, number: int, starts_at: dt.time, ends_at: dt.time, exclude: int | None = None
) -> None:
    if not 1 <= number <= 20:
        raise ValidationFailed(fields={"number": [_("Choose a number from 1 to 20.")]})
    if ends_at <= starts_at:
        raise ValidationFailed(fields={"ends_at": [_("The end must be after the start.")]})
    others = LessonPeriod.objects.filter(school=school)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.filter(number=number).exists():
        message = _("There is already a lesson period with this number.")
        raise Conflict(message, fields={"number": [message]})
    overlapping = others.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).order_by("number").first()
    if overlapping is not None:
        message = _("These times overlap lesson period %(n)s.") % {"n": overlapping.number}
        raise ValidationFailed(fields={"starts_at": [message]})


@transaction.atomic
def lesson_period_create(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    number: int,
    starts_at: dt.time,
    ends_at: dt.time,
) -> LessonPeriod:
    _check_manage(school=school, actor=actor, roles=roles)
    _lesson_period_checks(school, number, starts_at, ends_at)
    period = LessonPeriod(school=school, number=number, starts_at=starts_at, ends_at=ends_at)
    save_unique(period, unique=("number", _("There is already a lesson period with this number.")))
    return period


@transaction.atomic
def lesson_period_update(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    lesson_period: LessonPeriod,
    number: int,
    starts_at: dt.time,
    ends_at: dt.time,
) -> LessonPeriod:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, lesson_period)
    _lesson_period_checks(school, number, starts_at, ends_at, exclude=lesson_period.pk)
    model_update(lesson_period, {"number": number, "starts_at": starts_at, "ends_at": ends_at},
                 unique=("number", _("There is already a lesson period with this number.")))
    return lesson_period


@transaction.atomic
def lesson_period_delete(
    *, school: School, actor: User, roles: frozenset[str] | None = None, lesson_period: LessonPeriod
) -> None:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, lesson_period)
    # Deleting would silently take every lesson in this period out of every timetable.
    if TimetableSlot.objects.filter(school=school, lesson_period=lesson_period).exists():
        raise Conflict(_("Lessons are planned in this lesson period. Remove them from the timetables first."))
    lesson_period.delete()


# ---------------------------------------------------------------- timetable


def _check_clashes(
    school: School,
    *,
    course_class_id: int | None,
    teacher: User | None,
    weekday: int,
    lesson_period_id: int,
    room: str,
    school_year_id: int,
    exclude_course: int | None = None,
) -> None:
    """One class, one teacher and one room can each be in one lesson at a time."""
    same_time = TimetableSlot.objects.filter(
        school=school, school_year_id=school_year_id, weekday=weekday, lesson_period_id=lesson_period_id
    )
    if exclude_course is not None:
        same_time = same_time.exclude(course_id=exclude_course)
    clash = Q()
    if course_class_id is not None:
        clash |= Q(course__class_group_id=course_class_id)
    if teacher is not None:
        clash |= Q(course__teacher=teacher)
    if room:
        clash |= Q(room__iexact=room)
    if not clash:
        return
    other = same_time.filter(clash).select_related("course", "course__class_group", "course__teacher").first()
    if other is None:
        return
    names = {"course": other.course.name, "class": other.course.class_group.name}
    if course_class_id is not None and other.course.class_group_id == course_class_id:
        message = _("This class already has %(course)s at this time.") % names
        field = "lesson_period"
    elif teacher is not None and other.course.teacher_id == teacher.pk:
        message = _("The teacher already teaches %(course)s to %(class)s at this time.") % names
        field = "lesson_period"
    else:
        message = _("This room is taken by %(course)s of %(class)s at this time.") % names
        field = "room"
    raise Conflict(message, fields={field: [message]})


@transaction.atomic
def timetable_slot_create(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    course: Course,
    weekday: int,
    lesson_period: LessonPeriod,
    room: str = "",
) -> TimetableSlot:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, course, lesson_period)
    if weekday not in school.weekdays:
        raise ValidationFailed(fields={"weekday": [_("The school has no lessons on this weekday.")]})
    room = (room or "").strip()
    # Serialise timetable edits of one class, so two admins cannot both pass the clash check.
    ClassGroup.objects.select_for_update().filter(school=school, pk=course.class_group_id).first()
    _check_clashes(
        school,
        course_class_id=course.class_group_id,
        teacher=course.teacher,
        weekday=weekday,
        lesson_period_id=lesson_period.pk,
        room=room,
        school_year_id=course.school_year_id,
    )
    slot = TimetableSlot(
        school=school,
        school_year_id=course.school_year_id,
        course=course,
        weekday=weekday,
        lesson_period=lesson_period,
        room=room,
    )
    save_unique(slot, unique=("lesson_period", _("This course already has a lesson at this time.")))
    return slot


@transaction.atomic
def timetable_slot_delete(
    *, school: School, actor: User, roles: frozenset[str] | None = None, slot: TimetableSlot
) -> None:
    _check_manage(school=school, actor=actor, roles=roles)
    _own(school, slot)
    slot.delete()


# ---------------------------------------------------------------- identity

NOTICE_LONGEST = dt.timedelta(days=14)
LOGO = uploads.Use(extensions=frozenset({"png", "jpg", "jpeg", "webp"}), max_bytes=512 * 1024, field="logo")


@transaction.atomic
def school_identity_update(
    *,
    school: School,
    actor: User,
    roles: frozenset[str] | None = None,
    name: str,
    accent_color: str,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> School:
    """The school's name, colour and logo as the shell shows them. A colour that would make links or
    buttons hard to read is refused with its contrast; a logo goes through the shared upload checker."""
    _check_manage(school=school, actor=actor, roles=roles)
    name = _required_text(name, "name")[:200]
    color = accent_color.strip().lower()
    if color:
        if not identity.HEX.match(color):
            raise ValidationFailed(fields={"accent_color": [_("Write the colour as # and six hexadecimal digits, "
                                                              "for example #1f5fbf.")]})
        ratio = identity.accent_contrast(color)
        if ratio < identity.MINIMUM:
            raise ValidationFailed(fields={"accent_color": [_(
                "This colour is too light to read: its contrast with white is %(ratio)s to 1, and at least "
                "4.5 to 1 is needed. Choose a darker shade.") % {"ratio": number_format(ratio, 1)}]})
    checked = uploads.check(logo, LOGO) if logo is not None else None
    old_logo = school.logo.name if school.logo else ""
    school.name, school.accent_color = name, color
    if checked is not None:
        school.logo.save(f"{school.slug}-{uuid.uuid4().hex[:12]}.{checked.extension}", checked.upload, save=False)
        school.logo_type = checked.content_type
    elif remove_logo:
        school.logo = ""  # type: ignore[assignment]
        school.logo_type = ""
    school.save(update_fields=["name", "accent_color", "logo", "logo_type", "updated_at"])
    if old_logo and old_logo != (school.logo.name if school.logo else ""):
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    slug = school.slug
    transaction.on_commit(lambda: forget_school(slug))  # the shell's fragments are keyed by these values
    return school


@transaction.atomic
def school_notice_set(*, school: School, actor: User, roles: frozenset[str] | None = None, notice: str,
                      until: dt.datetime | None) -> School:
    """A notice on every page of the school until `until` (at most two weeks ahead); an empty text ends it."""
    _check_manage(school=school, actor=actor, roles=roles)
    notice = " ".join(notice.split())[:300]
    now = clock.now()
    if notice:
        if until is None or until <= now:
            raise ValidationFailed(fields={"notice_until": [_("Choose until when the notice shows, in the future.")]})
        if until > now + NOTICE_LONGEST:
            raise ValidationFailed(fields={"notice_until": [_(
                "A notice shows for at most two weeks; for longer news, send a message.")]})
    school.notice, school.notice_until = notice, (until if notice else None)
    school.save(update_fields=["notice", "notice_until", "updated_at"])
    slug = school.slug
    transaction.on_commit(lambda: forget_school(slug))
    return school
