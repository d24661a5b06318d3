"""Writes of the follow-up record: writing a note with its context, correcting it (a new version with a
reason), the student's and the parents' side, and the log of who read what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from krijt.accounts.models import Membership, ParentLink, User
from krijt.care import kinds, permissions, rules, selectors
from krijt.care.models import (
    CareSettings,
    CareSharing,
    CareTeamMember,
    ClbConsent,
    Kind,
    LeftRecord,
    Note,
    NoteAttachment,
    NoteStudent,
    NoteVersion,
    NoteView,
    Phase,
    Reply,
    Visibility,
)
from krijt.core import clock
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.core.text import clean_text
from krijt.core.uploads import DOCUMENTS, IMAGES, CheckedFile, Use, check
from krijt.notifications.services import Event, Target, notify_events, withdraw_about
from krijt.schools.calendar import next_school_hours
from krijt.schools.models import Enrollment, School
from krijt.schools.paths import school_path
from krijt.schools.selectors import lesson_hours, school_calendar, school_year_on

MAX_TEXT = 5000
MAX_STUDENTS = 40
MAX_FILES = 5
ATTACHMENT = Use(extensions=DOCUMENTS | IMAGES, max_bytes=10 * 1024 * 1024, field="files")
TEXT_FIELDS = ("what_happened", "situation", "done_so_far", "next_step", "restricted")
LABELS = {"what_happened": gettext_lazy("What happened"), "situation": gettext_lazy("The situation"),
          "next_step": gettext_lazy("The next step"), "phase": gettext_lazy("The care phase"),
          "review_on": gettext_lazy("A review date")}


@dataclass(frozen=True)
class NoteIn:
    kind: str
    students: Sequence[tuple[int, str]]  # (student id, "concerned" | "witness")
    what_happened: str
    situation: str = ""
    done_so_far: str = ""
    next_step: str = ""
    restricted: str = ""
    visibility: int = Visibility.MENTOR
    phase: int | None = None
    review_on: dt.date | None = None
    to_student: bool | None = None  # None: the kind's default (behaviour notes go to the student)
    to_parents: bool = False
    talk_with_id: int | None = None
    talk_at: dt.datetime | None = None


def _checked(data: NoteIn) -> dict[str, object]:
    values: dict[str, object] = {name: clean_text(getattr(data, name)) for name in TEXT_FIELDS}
    values.update(phase=data.phase, review_on=data.review_on)
    errors: dict[str, list[str]] = {}
    if data.kind not in Kind.values:
        errors["kind"] = [_("Choose what kind of note this is.")]
    for name in rules.missing_context(data.kind, values):
        errors[name] = [_("%(field)s is needed for this kind of note.") % {"field": LABELS.get(name, name)}]
    for name in TEXT_FIELDS:
        if len(str(values[name])) > MAX_TEXT:
            errors[name] = [_("Keep it under %(max)d characters.") % {"max": MAX_TEXT}]
    if data.visibility not in Visibility.values:
        errors["visibility"] = [_("Choose who may read the note.")]
    if data.phase is not None and data.phase not in Phase.values:
        errors["phase"] = [_("Choose a care phase.")]
    if data.visibility == Visibility.CLB and (data.phase or 0) < Phase.EXTENDED:
        errors["visibility"] = [_("The CLB reads notes from care phase 2 on.")]
    if not data.students or len(data.students) > MAX_STUDENTS:
        errors["students"] = [_("Choose the students the note is about (at most %(n)d).") % {"n": MAX_STUDENTS}]
    elif not any(role == NoteStudent.Role.CONCERNED for _pk, role in data.students):
        errors["students"] = [_("At least one student is concerned by the note.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return values


@transaction.atomic
def note_create(*, school: School, author: User, roles: frozenset[str], data: NoteIn,
                files: Sequence[UploadedFile] = ()) -> Note:
    """Writes a note about one or more students. It reaches each concerned student (when meant for them)
    inside their school hours; their parents (when meant for them) a school-set number of school hours later,
    in their digest only. A note for the CLB needs the recorded consent of every concerned student. Files go
    through the shared upload checker and are for the staff who read the note."""
    if not roles & permissions.WRITE_ROLES:
        raise Forbidden()
    values = _checked(data)
    checked = _checked_files(files)
    year = school_year_on(school=school, day=clock.local_today(school.time_zone))
    wanted = dict(data.students)
    enrolled = {e.student_id: e for e in Enrollment.objects.filter(
        school=school, school_year=year, student_id__in=wanted).select_related("student")} if year else {}
    if set(wanted) - set(enrolled):
        raise NotFound()
    reader = selectors.reader_for(school=school, user=author, roles=roles)
    class_ids = frozenset(e.class_group_id for e in enrolled.values())
    if not permissions.can_write_about(reader, class_ids=class_ids):
        raise NotFound()
    concerned = {pk for pk, role in wanted.items() if role == NoteStudent.Role.CONCERNED}
    if data.visibility == Visibility.CLB and not concerned <= selectors.consented(school=school,
                                                                                student_ids=concerned):
        raise ValidationFailed(_("The CLB reads a note only with the recorded consent for every concerned student."),
                               fields={"visibility": [_("No consent recorded for the CLB.")]})
    talk_with = None
    if data.talk_with_id is not None:
        talk_with = User.objects.filter(pk=data.talk_with_id, memberships__school=school,
                                        memberships__role__in=list(permissions.STAFF_ROLES)).first()
        if talk_with is None:
            raise ValidationFailed(_("Choose someone of the school to talk with."),
                                   fields={"talk_with": [_("Choose someone of the school to talk with.")]})
    now = clock.now()
    if data.talk_at is not None:
        _check_talk_at(school=school, moment=data.talk_at, class_ids=class_ids, now=now)
    to_student = rules.default_to_student(data.kind) if data.to_student is None else data.to_student
    note = Note.objects.create(
        school=school, kind=data.kind, author=author, written_at=now, visibility=data.visibility, phase=data.phase,
        review_on=data.review_on, to_student=to_student, to_parents=data.to_parents, talk_with=talk_with,
        talk_at=data.talk_at, **{name: values[name] for name in TEXT_FIELDS},
    )
    _place(school=school, note=note, enrolled=enrolled, roles=wanted, now=now)
    _attach(school=school, note=note, checked=checked, actor=author, now=now)
    return note


def _checked_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    if len(files) > MAX_FILES:
        message = _("Add at most %(n)d files to a note.") % {"n": MAX_FILES}
        raise ValidationFailed(message, fields={"files": [message]})
    return [check(upload, ATTACHMENT) for upload in files]


def _attach(*, school: School, note: Note, checked: list[CheckedFile], actor: User, now: dt.datetime) -> None:
    for item in checked:
        row = NoteAttachment(school=school, note=note, name=item.name, size=item.size,
                             content_type=item.content_type, added_by=actor, added_at=now)
        row.file.save(item.name, item.upload, save=False)
        row.save()


def _check_talk_at(*, school: School, moment: dt.datetime, class_ids: frozenset[int], now: dt.datetime) -> None:
    """An invitation to talk names a moment ahead, inside the school hours of every student it concerns."""
    tz, calendar = ZoneInfo(school.time_zone), school_calendar(school=school)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    inside = moment > now and moment - now < dt.timedelta(days=120) and all(
        next_school_hours(moment, hours=lesson_hours(school=school, class_group_id=group), calendar=calendar,
                          tz=tz) == moment for group in class_ids)
    if not inside:
        message = _("Choose a moment in the coming weeks, during the student's school hours.")
        raise ValidationFailed(message, fields={"talk_at": [message]})


def _place(*, school: School, note: Note, enrolled: dict[int, Enrollment], roles: dict[int, str],
           now: dt.datetime) -> None:
    """The note's students with their moments, and what reaches them through the notification engine."""
    tz, calendar = ZoneInfo(school.time_zone), school_calendar(school=school)
    delay = selectors.settings_for(school=school).parent_delay_school_hours
    hidden = selectors.hidden_from_parents(school, set(enrolled))
    links, events = [], []
    hours_by_class = {}
    parents_of: dict[int, list[int]] = {}
    if note.to_parents:
        for parent_id, student_id in ParentLink.objects.filter(school=school, student_id__in=list(enrolled)) \
                .values_list("parent_id", "student_id"):
            parents_of.setdefault(student_id, []).append(parent_id)
    for student_id, enrollment in enrolled.items():
        group = enrollment.class_group_id
        if group not in hours_by_class:
            hours_by_class[group] = lesson_hours(school=school, class_group_id=group)
        hours = hours_by_class[group]
        # The family audience is the concerned students: a witness's family is not told about someone else.
        concerned = roles[student_id] == NoteStudent.Role.CONCERNED
        student_at = next_school_hours(now, hours=hours, calendar=calendar, tz=tz) \
            if note.to_student and concerned else None
        parents_at = None
        if note.to_parents and concerned and student_id not in hidden:
            parents_at = rules.add_school_hours(student_at or now, delay, hours=hours, calendar=calendar, tz=tz)
        links.append(NoteStudent(school=school, note=note, student_id=student_id, role=roles[student_id],
                                 class_group_id=group, student_visible_at=student_at, parent_visible_at=parents_at))
        url = school_path(school, "care:note", note_id=note.pk)
        if student_at is not None:
            events.append(Event(kind=kinds.FOR_STUDENT, key=f"care:{note.pk}:student:{student_id}", url=url,
                                moment=student_at, targets=[Target(user_id=student_id, audience="student")],
                                params={"author": note.author.full_name if note.author else "",
                                        "kind_label": str(note.get_kind_display()),
                                        "talk_with": note.talk_with.full_name if note.talk_with else ""}))
        if parents_at is not None:
            parents = parents_of.get(student_id, [])
            if parents:
                events.append(Event(kind=kinds.FOR_PARENTS, key=f"care:{note.pk}:parents:{student_id}", url=url,
                                    moment=parents_at, params={"child": enrollment.student.first_name},
                                    targets=[Target(user_id=p, audience="parent", about_student_id=student_id)
                                             for p in parents]))
    NoteStudent.objects.bulk_create(links)
    if events:
        notify_events(school=school, events=events)


@transaction.atomic
def note_correct(*, school: School, actor: User, roles: frozenset[str], note_id: int, data: NoteIn,
                 reason: str, files: Sequence[UploadedFile] = ()) -> Note:
    """A correction is a new version: the note as it was is kept with who changed it, when and why. The
    students stay; who may read it (the visibility step) changes only here, logged like every change."""
    reader = selectors.reader_for(school=school, user=actor, roles=roles)
    shown = selectors.note_for_staff(school=school, reader=reader, note_id=note_id)
    note = shown.note
    if note.author_id != actor.pk and not reader.care_team:
        raise Forbidden(_("Only the author and the care team correct a note."))
    reason = clean_text(reason)
    if not reason or len(reason) > 300:
        raise ValidationFailed(_("Say why the note is corrected."), fields={"reason": [_("Say why.")]})
    values = _checked(NoteIn(**{**data.__dict__, "kind": note.kind,
                                "students": [(s.student_id, s.role) for s in shown.links]}))
    if data.visibility == Visibility.CLB:
        concerned = {s.student_id for s in shown.links if s.role == NoteStudent.Role.CONCERNED}
        if not concerned <= selectors.consented(school=school, student_ids=concerned):
            raise ValidationFailed(_("The CLB reads a note only with the recorded consent for every concerned "
                                     "student."), fields={"visibility": [_("No consent recorded for the CLB.")]})
    NoteVersion.objects.create(school=school, note=note, version=note.version, reason=reason, changed_by=actor,
                               changed_at=clock.now(), fields=_snapshot(note))
    for name in TEXT_FIELDS:
        setattr(note, name, values[name])
    note.visibility, note.phase, note.review_on = data.visibility, data.phase, data.review_on
    note.version += 1
    note.save()
    _attach(school=school, note=note, checked=_checked_files(files), actor=actor, now=clock.now())
    return note


@transaction.atomic
def measure_close(*, school: School, actor: User, roles: frozenset[str], note_id: int, reason: str) -> Note:
    """Ends a care measure: logged like a correction (the note as it was, who, when and why); it no longer
    counts as open nor has a review due."""
    reader = selectors.reader_for(school=school, user=actor, roles=roles)
    note = selectors.note_for_staff(school=school, reader=reader, note_id=note_id).note
    if note.author_id != actor.pk and not reader.care_team:
        raise Forbidden(_("Only the author and the care team close a care measure."))
    if note.kind != Kind.CARE_MEASURE or note.closed_on is not None:
        raise Conflict(_("Only an open care measure can be closed."))
    reason = clean_text(reason)
    if not reason or len(reason) > 300:
        raise ValidationFailed(_("Say how the measure ended."), fields={"reason": [_("Say how the measure ended.")]})
    NoteVersion.objects.create(school=school, note=note, version=note.version, reason=reason, changed_by=actor,
                               changed_at=clock.now(), fields=_snapshot(note))
    note.closed_on = clock.local_today(school.time_zone)
    note.version += 1
    note.save(update_fields=["closed_on", "version"])
    return note


def _snapshot(note: Note) -> dict[str, object]:
    return {**{name: getattr(note, name) for name in TEXT_FIELDS}, "visibility": note.visibility,
            "phase": note.phase, "review_on": note.review_on.isoformat() if note.review_on else None,
            "closed_on": note.closed_on.isoformat() if note.closed_on else None}


@transaction.atomic
def reply_write(*, school: School, author: User, roles: frozenset[str], note_id: int, student_id: int,
                text: str) -> Reply:
    """The student's or a parent's side of a note about the student: once, and editable until the school
    read it. Shown with the note wherever the note is shown."""
    now = clock.now()
    link = NoteStudent.objects.filter(school=school, note_id=note_id, student_id=student_id).select_related(
        "student").first()
    if link is None:
        raise NotFound()
    if Role.STUDENT in roles and author.pk == student_id:
        by_parent = False
        if link.student_visible_at is None or link.student_visible_at > now:
            raise NotFound()
    elif Role.PARENT in roles and ParentLink.objects.filter(school=school, parent=author,
                                                            student_id=student_id).exists():
        by_parent = True
        if link.parent_visible_at is None or link.parent_visible_at > now or not selectors.parents_may_see(
                school=school, student=link.student):
            raise NotFound()
    else:
        raise NotFound()
    text = clean_text(text)
    if not text or len(text) > MAX_TEXT:
        raise ValidationFailed(_("Write your side (at most %(max)d characters).") % {"max": MAX_TEXT},
                               fields={"text": [_("Write your side.")]})
    reply = Reply.objects.filter(school=school, note_id=note_id, author=author).first()
    if reply is None:
        return Reply.objects.create(school=school, note_id=note_id, student_id=student_id, author=author,
                                    by_parent=by_parent, text=text, written_at=now)
    if reply.read_by_staff_at is not None:
        raise Conflict(_("The school has read your reply; it can no longer be changed."))
    reply.text, reply.written_at = text, now
    reply.save(update_fields=["text", "written_at"])
    return reply


@transaction.atomic
def note_opened(*, school: School, viewer: User, roles: frozenset[str], note_id: int) -> selectors.Shown:
    """Reading a note, by staff, the student or a parent: what the reader may see of it, logged (the student
    sees who read notes about them). A staff reader's first look at a reply makes it final; a student's first
    look is kept."""
    now = clock.now()
    if roles & permissions.STAFF_ROLES:
        reader = selectors.reader_for(school=school, user=viewer, roles=roles)
        shown = selectors.note_for_staff(school=school, reader=reader, note_id=note_id)
        Reply.objects.filter(school=school, note_id=note_id, read_by_staff_at__isnull=True).update(
            read_by_staff_at=now)
        role = "staff"
    elif Role.STUDENT in roles:
        mine = selectors.notes_for_student(school=school, student=viewer, note_id=note_id)
        if not mine:
            raise NotFound()
        shown = mine[0]
        NoteStudent.objects.filter(school=school, note_id=note_id, student=viewer, student_read_at__isnull=True) \
            .update(student_read_at=now)
        role = "student"
    elif Role.PARENT in roles:
        shown = selectors.note_for_parent(school=school, parent=viewer, note_id=note_id)
        role = "parent"
    else:
        raise NotFound()
    NoteView.objects.create(school=school, note_id=note_id, viewer=viewer, role=role, viewed_at=now)
    return shown


# --- the CLB's consent, the care team, the school's rules ---------------------------------------------


def _care_team(*, school: School, actor: User, roles: frozenset[str]) -> permissions.Reader:
    reader = selectors.reader_for(school=school, user=actor, roles=roles)
    if not reader.care_team:
        raise Forbidden(_("This is for the care team."))
    return reader


@transaction.atomic
def consent_record(*, school: School, actor: User, roles: frozenset[str], student_id: int,
                   given_by: str) -> ClbConsent:
    """The care team records who consented (the parents, or the student from 12) to share the record with
    the CLB; from then on notes for the CLB about this student open to its workers."""
    reader = _care_team(school=school, actor=actor, roles=roles)
    student = selectors.student_for_reader(school=school, reader=reader, student_id=student_id)
    given_by = clean_text(given_by)
    if not given_by or len(given_by) > 200:
        message = _("Say who gave the consent (for example: both parents, on paper).")
        raise ValidationFailed(message, fields={"given_by": [message]})
    current = ClbConsent.objects.select_for_update().filter(school=school, student=student,
                                                            withdrawn_at__isnull=True).first()
    if current is not None:
        raise Conflict(_("A consent is already recorded for this student."))
    return ClbConsent.objects.create(school=school, student=student, given_by=given_by, recorded_by=actor,
                                     recorded_at=clock.now())


@transaction.atomic
def consent_withdraw(*, school: School, actor: User, roles: frozenset[str], student_id: int) -> int:
    """A withdrawn consent closes the CLB's step at once: its workers no longer read the notes."""
    reader = _care_team(school=school, actor=actor, roles=roles)
    student = selectors.student_for_reader(school=school, reader=reader, student_id=student_id)
    return ClbConsent.objects.filter(school=school, student=student, withdrawn_at__isnull=True).update(
        withdrawn_at=clock.now())


def _admin(roles: frozenset[str]) -> None:
    if Role.ADMIN not in roles:
        raise Forbidden(_("The school's administrators decide this."))


@transaction.atomic
def team_add(*, school: School, roles: frozenset[str], user_id: int, function: str) -> CareTeamMember:
    """Administrators name the care team (coordinator, counsellor) and the CLB workers of the school."""
    _admin(roles)
    if function not in CareTeamMember.Function.values:
        raise ValidationFailed(_("Choose a function."), fields={"function": [_("Choose a function.")]})
    person = User.objects.filter(pk=user_id, memberships__school=school,
                                 memberships__role__in=list(permissions.STAFF_ROLES)).first()
    if person is None:
        message = _("Choose someone of the school's staff.")
        raise ValidationFailed(message, fields={"user": [message]})
    row, _created = CareTeamMember.objects.get_or_create(school=school, user=person, function=function)
    return row


@transaction.atomic
def team_remove(*, school: School, roles: frozenset[str], member_id: int) -> None:
    _admin(roles)
    deleted, _by = CareTeamMember.objects.filter(school=school, pk=member_id).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def settings_update(*, school: School, roles: frozenset[str], parent_delay_school_hours: int,
                    keep_after_leaving_days: int) -> CareSettings:
    """How many school hours parents wait after the student (at least one: the student is always first),
    and how long a leaver's record is kept."""
    _admin(roles)
    errors = {}
    if not 1 <= parent_delay_school_hours <= 40:
        errors["parent_delay_school_hours"] = [_("Between 1 and 40 school hours.")]
    if not 30 <= keep_after_leaving_days <= 1825:
        errors["keep_after_leaving_days"] = [_("Between 30 days and five years.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    row, _created = CareSettings.objects.update_or_create(school=school, defaults={
        "parent_delay_school_hours": parent_delay_school_hours, "keep_after_leaving_days": keep_after_leaving_days})
    return row


@transaction.atomic
def sharing_update(*, school: School, student: User, parents_may_see: bool, parents_see_views: bool) -> CareSharing:
    """An adult student decides whether their parents see the notes about them, and whether they see who
    read them. A "no" also takes back every notice about a note the parents have or would still get; the
    engine's gate keeps new ones out."""
    if not student.is_adult_on(clock.local_today(school.time_zone)):
        raise Forbidden(_("Once you are 18 you decide this yourself."))
    if not Enrollment.objects.filter(school=school, student=student).exists():
        raise NotFound()
    row, _created = CareSharing.objects.update_or_create(school=school, student=student, defaults={
        "parents_may_see": parents_may_see, "parents_see_views": parents_may_see and parents_see_views})
    if not parents_may_see:
        withdraw_about(school=school, student_id=student.pk, topic=kinds.TOPIC)
    return row


# --- a leaver's record --------------------------------------------------------------------------------


@transaction.atomic
def record_hold(*, school: School, actor: User, roles: frozenset[str], student_id: int, reason: str) -> LeftRecord:
    """Keeps a leaver's record past its date because a decision about the student is contested."""
    _care_team(school=school, actor=actor, roles=roles)
    row = LeftRecord.objects.select_for_update().filter(school=school, student_id=student_id).first()
    if row is None:
        raise NotFound()
    reason = clean_text(reason)
    if not reason or len(reason) > 300:
        message = _("Say which decision is contested.")
        raise ValidationFailed(message, fields={"reason": [message]})
    row.held_reason, row.held_by, row.held_at = reason, actor, clock.now()
    row.save(update_fields=["held_reason", "held_by", "held_at"])
    return row


@transaction.atomic
def record_release(*, school: School, actor: User, roles: frozenset[str], student_id: int) -> LeftRecord:
    """The contest is over: the record is deleted on its date (or on the next round, if that has passed)."""
    _care_team(school=school, actor=actor, roles=roles)
    row = LeftRecord.objects.select_for_update().filter(school=school, student_id=student_id).first()
    if row is None:
        raise NotFound()
    row.held_reason, row.held_by, row.held_at = "", None, None
    row.save(update_fields=["held_reason", "held_by", "held_at"])
    return row


@dataclass(frozen=True)
class Swept:
    marked: int  # students newly seen as left
    returned: int  # left, then back in the school
    deleted: int  # students whose record was deleted


def records_sweep(*, today: dt.date | None = None) -> Swept:
    """The leavers' records, every school: a student with notes who is no longer a student of the school is
    marked left today, to be deleted after the school's keep period; one who came back is unmarked; a record
    past its date and not held is deleted (the student's part of every note, notes with no concerned student
    left, their replies, consents and choices). Idempotent; a housekeeping chore runs it."""
    marked = returned = deleted = 0
    for school in School.objects.filter(pk__in=NoteStudent.objects.values("school_id").distinct()):
        day = today or clock.local_today(school.time_zone)
        keep = selectors.settings_for(school=school).keep_after_leaving_days
        students = set(Membership.objects.filter(school=school, role=Role.STUDENT).values_list("user_id", flat=True))
        with_notes = set(NoteStudent.objects.filter(school=school).values_list("student_id", flat=True).distinct())
        known = dict(LeftRecord.objects.filter(school=school).values_list("student_id", "pk"))
        for student_id in sorted(with_notes - students - set(known)):
            LeftRecord.objects.create(school=school, student_id=student_id, left_on=day,
                                      delete_on=day + dt.timedelta(days=keep))
            marked += 1
        back = [pk for student_id, pk in known.items() if student_id in students]
        returned += LeftRecord.objects.filter(pk__in=back).delete()[0]
        for row in LeftRecord.objects.filter(school=school, delete_on__lte=day, held_at__isnull=True).exclude(
                pk__in=back).order_by("pk")[:200]:
            _delete_record(school=school, student_id=row.student_id)
            row.delete()
            deleted += 1
    return Swept(marked=marked, returned=returned, deleted=deleted)


@transaction.atomic
def _delete_record(*, school: School, student_id: int) -> None:
    note_ids = list(NoteStudent.objects.filter(school=school, student_id=student_id).values_list("note_id", flat=True))
    Reply.objects.filter(school=school, student_id=student_id).delete()
    NoteView.objects.filter(school=school, viewer_id=student_id).delete()
    NoteStudent.objects.filter(school=school, student_id=student_id).delete()
    still_about = set(NoteStudent.objects.filter(school=school, note_id__in=note_ids,
                                                 role=NoteStudent.Role.CONCERNED).values_list("note_id", flat=True))
    gone = [pk for pk in note_ids if pk not in still_about]
    for attachment in NoteAttachment.objects.filter(school=school, note_id__in=gone):
        attachment.file.delete(save=False)
    Note.objects.filter(school=school, pk__in=gone).delete()
    ClbConsent.objects.filter(school=school, student_id=student_id).delete()
    CareSharing.objects.filter(school=school, student_id=student_id).delete()
