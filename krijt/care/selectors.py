"""Reads of the follow-up record. Each takes the school; those for a person check what they may read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from krijt.accounts.models import ParentLink, User
from krijt.accounts.selectors import adults_keeping_private
from krijt.care import permissions
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
    Reply,
)
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.schools.models import ClassGroup, Course, Enrollment, School
from krijt.schools.selectors import school_year_on


def settings_for(*, school: School) -> CareSettings:
    return CareSettings.objects.filter(school=school).first() or CareSettings(school=school)


def reader_for(*, school: School, user: User, roles: frozenset[str]) -> permissions.Reader:
    """What decides what a staff member reads: their classes this school year and their care functions."""
    year = school_year_on(school=school, day=clock.local_today(school.time_zone))
    mentored: set[int] = set()
    taught: set[int] = set()
    if year is not None and roles & permissions.STAFF_ROLES:
        mentored = set(ClassGroup.objects.filter(school=school, school_year=year, mentor=user)
                       .values_list("pk", flat=True))
        taught = set(Course.objects.filter(school=school, school_year=year, teacher=user)
                     .values_list("class_group_id", flat=True))
    functions = set(CareTeamMember.objects.filter(school=school, user=user).values_list("function", flat=True))
    return permissions.Reader(
        user_id=user.pk, mentored=frozenset(mentored), taught=frozenset(taught),
        care_team=bool(functions & {CareTeamMember.Function.COORDINATOR, CareTeamMember.Function.COUNSELLOR}),
        clb=CareTeamMember.Function.CLB in functions,
    )


def consented(*, school: School, student_ids: set[int]) -> set[int]:
    """Of `student_ids`, those whose consent to share with the CLB is recorded and not withdrawn."""
    return set(ClbConsent.objects.filter(school=school, student_id__in=student_ids, withdrawn_at__isnull=True)
               .values_list("student_id", flat=True))


@dataclass
class Shown:
    note: Note
    links: list[NoteStudent]
    restricted: bool  # whether the reader may see the restricted part
    replies: list[Reply]

    @property
    def class_ids(self) -> frozenset[int]:
        return frozenset(link.class_group_id for link in self.links if link.class_group_id)


def _consent_ok(note: Note, links: list[NoteStudent], consent: set[int]) -> bool:
    concerned = {link.student_id for link in links if link.role == NoteStudent.Role.CONCERNED}
    return bool(concerned) and concerned <= consent


def _visible_to(reader: permissions.Reader) -> Q:
    """The ladder of permissions.can_read as a query, so that a list is never cut short by notes its reader
    may not see; the CLB's consent is checked afterwards, per note."""
    classes = reader.mentored | reader.taught
    visible = Q(author_id=reader.user_id)
    if reader.mentored:
        visible |= Q(visibility__gte=1, students__class_group_id__in=reader.mentored)
    if classes:
        visible |= Q(visibility__gte=2, students__class_group_id__in=classes)
    if reader.care_team:
        visible |= Q(visibility__gte=3)
    if reader.clb:
        visible |= Q(visibility__gte=4, phase__gte=2)
    return visible


def notes_for_staff(*, school: School, reader: permissions.Reader, student: User | None = None,
                    limit: int = 200, note_id: int | None = None) -> list[Shown]:
    """The notes a staff member may read (about one student, one note, or all), newest first. Five queries."""
    qs = Note.objects.filter(school=school).filter(_visible_to(reader))
    if note_id is not None:
        qs = qs.filter(pk=note_id)
    if student is not None:
        qs = qs.filter(students__student=student)
    notes = list(qs.select_related("author", "talk_with").order_by("-written_at", "-pk").distinct()[: limit * 3])
    links: dict[int, list[NoteStudent]] = {}
    for link in NoteStudent.objects.filter(school=school, note__in=notes).select_related("student"):
        links.setdefault(link.note_id, []).append(link)
    consent = consented(school=school, student_ids={s.student_id for ls in links.values() for s in ls}) \
        if reader.clb else set()
    replies: dict[int, list[Reply]] = {}
    shown = []
    for note in notes:
        mine = links.get(note.pk, [])
        class_ids = frozenset(link.class_group_id for link in mine if link.class_group_id)
        ok = _consent_ok(note, mine, consent)
        if not permissions.can_read(reader, author_id=note.author_id, visibility=note.visibility, phase=note.phase,
                                    class_ids=class_ids, consented=ok):
            continue
        shown.append(Shown(note, mine, permissions.can_read_restricted(
            reader, author_id=note.author_id, visibility=note.visibility, consented=ok, phase=note.phase), []))
        if len(shown) == limit:
            break
    for reply in Reply.objects.filter(school=school, note__in=[s.note for s in shown]).select_related("author"):
        replies.setdefault(reply.note_id, []).append(reply)
    for item in shown:
        item.replies = replies.get(item.note.pk, [])
    return shown


def note_for_staff(*, school: School, reader: permissions.Reader, note_id: int) -> Shown:
    found = notes_for_staff(school=school, reader=reader, note_id=note_id, limit=1)
    if not found:
        raise NotFound()
    return found[0]


def parents_may_see(*, school: School, student: User, today: dt.date | None = None) -> bool:
    """Parents see notes about a student (meant for them) unless the student is an adult who said no."""
    today = today or clock.local_today(school.time_zone)
    if not student.is_adult_on(today):
        return True
    return student.pk not in adults_keeping_private(CareSharing, school=school, student_ids={student.pk},
                                                    today=today)


def notes_for_student(*, school: School, student: User, at: dt.datetime | None = None,
                      note_id: int | None = None) -> list[Shown]:
    """The notes about a student that are for them (or one of them), from their moment on; never the
    restricted part."""
    at = at or clock.now()
    qs = NoteStudent.objects.filter(school=school, student=student, student_visible_at__lte=at)
    if note_id is not None:
        qs = qs.filter(note_id=note_id)
    links = list(qs.select_related("note", "note__talk_with").order_by("-note__written_at"))
    return _for_family(school=school, links=links)


def notes_for_parent(*, school: School, parent: User, student_id: int, at: dt.datetime | None = None) -> list[Shown]:
    at = at or clock.now()
    link = ParentLink.objects.filter(school=school, parent=parent, student_id=student_id).select_related(
        "student").first()
    if link is None or not parents_may_see(school=school, student=link.student):
        raise NotFound()
    links = list(NoteStudent.objects.filter(school=school, student_id=student_id, parent_visible_at__lte=at)
                 .select_related("note", "note__talk_with").order_by("-note__written_at"))
    return _for_family(school=school, links=links)


def _for_family(*, school: School, links: list[NoteStudent]) -> list[Shown]:
    replies: dict[int, list[Reply]] = {}
    for reply in Reply.objects.filter(school=school, note__in=[link.note for link in links],
                                      student__in={link.student_id for link in links}).select_related("author"):
        replies.setdefault(reply.note_id, []).append(reply)
    return [Shown(link.note, [link], False, replies.get(link.note_id, [])) for link in links]


def views_of(*, school: School, student: User) -> list[NoteView]:
    """Who read the notes about a student, newest first: for the student (and, with consent, the parents)."""
    return list(NoteView.objects.filter(school=school, note__students__student=student)
                .select_related("viewer", "note").order_by("-viewed_at", "-pk")[:200])


def current_class(*, school: School, student_id: int) -> int | None:
    year = school_year_on(school=school, day=clock.local_today(school.time_zone))
    if year is None:
        return None
    return Enrollment.objects.filter(school=school, school_year=year, student_id=student_id).values_list(
        "class_group_id", flat=True).first()


def hidden_from_parents(school: School, student_ids: set[int]) -> set[int]:
    """Of `student_ids`, the adult students who keep notes about them from their parents. One query."""
    return adults_keeping_private(CareSharing, school=school, student_ids=student_ids,
                                  today=clock.local_today(school.time_zone))


def note_for_parent(*, school: School, parent: User, note_id: int, at: dt.datetime | None = None) -> Shown:
    """A note as a parent sees it: about one of their children, meant for the parents and past its moment,
    unless that child is an adult who keeps notes private. Anything else: not found."""
    at = at or clock.now()
    children = ParentLink.objects.filter(school=school, parent=parent).values("student_id")
    for link in (NoteStudent.objects.filter(school=school, note_id=note_id, student_id__in=children,
                                            parent_visible_at__lte=at)
                 .select_related("note", "note__talk_with", "student")):
        if parents_may_see(school=school, student=link.student):
            return _for_family(school=school, links=[link])[0]
    raise NotFound()


def versions_of(*, school: School, note: Note) -> list[NoteVersion]:
    return list(NoteVersion.objects.filter(school=school, note=note).select_related("changed_by"))


def children_of_parent(*, school: School, parent: User) -> list[User]:
    return [link.student for link in ParentLink.objects.filter(school=school, parent=parent)
            .select_related("student").order_by("student__first_name", "pk")]


def student_for_reader(*, school: School, reader: permissions.Reader, student_id: int) -> User:
    """A student whose notes a staff member may list: of a class they teach or mentor, or any for the care
    team and the CLB (each note is still filtered by its own visibility)."""
    enrollment = (Enrollment.objects.filter(school=school, student_id=student_id).select_related("student")
                  .order_by("-school_year__starts_on").first())
    if enrollment is None:
        # A student who left during the year loses this year's class; the care team still keeps their record.
        link = NoteStudent.objects.filter(school=school, student_id=student_id).select_related("student").first()
        if link is not None and (reader.care_team or reader.clb):
            return link.student
        raise NotFound()
    if reader.care_team or reader.clb or enrollment.class_group_id in (reader.mentored | reader.taught):
        return enrollment.student
    raise NotFound()


def class_to_write_about(*, school: School, reader: permissions.Reader, class_id: object) -> ClassGroup:
    """The class whose students a note is about: one the writer teaches or mentors (any for the care team)."""
    year = school_year_on(school=school, day=clock.local_today(school.time_zone))
    allowed = ClassGroup.objects.filter(school=school, school_year=year).order_by("grade", "name")
    if not reader.care_team:
        allowed = allowed.filter(pk__in=reader.mentored | reader.taught)
    chosen = allowed.filter(pk=int(str(class_id))).first() if str(class_id or "").isdigit() else None
    if chosen is None:
        raise NotFound()
    return chosen


def staff_choices(*, school: School) -> list[tuple[int, str]]:
    people = User.objects.filter(memberships__school=school, memberships__role__in=list(permissions.STAFF_ROLES)) \
        .distinct().order_by("last_name", "first_name")
    return [(u.pk, u.full_name or u.username) for u in people]


# --- the care coordinator's view ----------------------------------------------------------------------

REVIEW_AHEAD_DAYS = 14


@dataclass
class ClassLine:
    group: ClassGroup
    students: int  # students of the class with a note the reader may read
    by_phase: dict[int, int]  # students per current phase (that of their latest note with a phase)
    open_measures: int
    reviews_due: int  # open measures whose review date is within two weeks or past


@dataclass
class StudentLine:
    student: User
    notes: int
    last_note: dt.datetime | None
    phase: int | None
    open_measures: int
    next_review: dt.date | None


@dataclass
class Measure:
    note: Note
    students: list[User]
    overdue: bool


def _year_rows(*, school: School, reader: permissions.Reader, class_id: int | None = None) -> list[tuple]:
    """(class, student, note, kind, phase, closed_on, review_on, written_at) of this year's classes, for the
    notes the reader may read. One query."""
    year = school_year_on(school=school, day=clock.local_today(school.time_zone))
    if year is None:
        return []
    visible = Note.objects.filter(school=school).filter(_visible_to(reader)).values("pk")
    qs = NoteStudent.objects.filter(school=school, class_group__school_year=year, note__in=visible,
                                    role=NoteStudent.Role.CONCERNED)
    if class_id is not None:
        qs = qs.filter(class_group_id=class_id)
    return list(qs.values_list("class_group_id", "student_id", "note_id", "note__kind", "note__phase",
                               "note__closed_on", "note__review_on", "note__written_at"))


@dataclass
class _Tally:
    notes: set[int] = field(default_factory=set)
    last: dt.datetime | None = None
    phase: int | None = None
    open: set[int] = field(default_factory=set)
    review: dt.date | None = None
    due: set[int] = field(default_factory=set)


def _per_student(rows: list[tuple], today: dt.date) -> dict[int, _Tally]:
    due_by = today + dt.timedelta(days=REVIEW_AHEAD_DAYS)
    out: dict[int, _Tally] = {}
    for _group, student_id, note_id, kind, phase, closed_on, review_on, written_at in sorted(rows, key=lambda r: r[7]):
        line = out.setdefault(student_id, _Tally())
        line.notes.add(note_id)
        line.last = written_at
        if phase is not None:
            line.phase = phase
        if kind == Kind.CARE_MEASURE and closed_on is None:
            line.open.add(note_id)
            if review_on is not None:
                line.review = review_on if line.review is None else min(line.review, review_on)
                if review_on <= due_by:
                    line.due.add(note_id)
    return out


def overview(*, school: School, reader: permissions.Reader) -> list[ClassLine]:
    """Per class of this school year, for the care team: students with notes, students per care phase, open
    care measures and reviews due. Two queries."""
    if not reader.care_team:
        raise NotFound()
    rows = _year_rows(school=school, reader=reader)
    today = clock.local_today(school.time_zone)
    by_class: dict[int, list[tuple]] = {}
    for row in rows:
        by_class.setdefault(row[0], []).append(row)
    year = school_year_on(school=school, day=today)
    lines = []
    for group in ClassGroup.objects.filter(school=school, school_year=year).order_by("grade", "name"):
        students = _per_student(by_class.get(group.pk, []), today)
        phases: dict[int, int] = {}
        for line in students.values():
            if line.phase is not None:
                phases[line.phase] = phases.get(line.phase, 0) + 1
        lines.append(ClassLine(group, len(students), phases, sum(len(line.open) for line in students.values()),
                               sum(len(line.due) for line in students.values())))
    return lines


def class_for_overview(*, school: School, reader: permissions.Reader, class_id: int) -> ClassGroup:
    """A class of this year whose follow-up the reader sees as a whole: any for the care team, their own
    for a mentor."""
    year = school_year_on(school=school, day=clock.local_today(school.time_zone))
    group = ClassGroup.objects.filter(school=school, school_year=year, pk=class_id).first() if year else None
    if group is None or not (reader.care_team or group.pk in reader.mentored):
        raise NotFound()
    return group


def class_students(*, school: School, reader: permissions.Reader, group: ClassGroup) -> list[StudentLine]:
    """Every student of the class with their notes the reader may read: how many, the last one, the current
    phase, open care measures and the next review. Three queries."""
    rows = _year_rows(school=school, reader=reader, class_id=group.pk)
    lines = _per_student(rows, clock.local_today(school.time_zone))
    from krijt.schools.selectors import students_of_class

    out = []
    for person in students_of_class(school=school, class_group=group):
        line = lines.get(person.pk)
        if line is None:
            out.append(StudentLine(person, 0, None, None, 0, None))
        else:
            out.append(StudentLine(person, len(line.notes), line.last, line.phase, len(line.open), line.review))
    return out


def open_measures(*, school: School, reader: permissions.Reader, limit: int = 100) -> list[Measure]:
    """Open care measures the reader may read, the earliest review first (overdue ones on top)."""
    today = clock.local_today(school.time_zone)
    notes = list(Note.objects.filter(school=school, kind=Kind.CARE_MEASURE, closed_on__isnull=True)
                 .filter(pk__in=Note.objects.filter(school=school).filter(_visible_to(reader)).values("pk"))
                 .order_by("review_on", "written_at")[:limit])
    students: dict[int, list[User]] = {}
    for link in NoteStudent.objects.filter(school=school, note__in=notes, role=NoteStudent.Role.CONCERNED) \
            .select_related("student"):
        students.setdefault(link.note_id, []).append(link.student)
    return [Measure(note, students.get(note.pk, []), note.review_on is not None and note.review_on < today)
            for note in notes]


# --- a student's timeline and change log --------------------------------------------------------------

TIMELINE_WEEKS = (6, 13, 26, 52)


@dataclass
class TimelineDay:
    day: dt.date
    notes: list[Shown]
    entries: list[Any]


def timeline(*, school: School, reader: permissions.Reader, user: User, roles: frozenset[str], student: User,
             weeks: int) -> list[TimelineDay]:
    """A student's days, newest first: the notes the reader may read, and what other modules add for this
    reader (attendance signals, the results the student was shown), each under its own module's rules."""
    from krijt.care.extensions import timeline_entries

    tz = ZoneInfo(school.time_zone)
    end = clock.local_today(school.time_zone)
    start = end - dt.timedelta(weeks=weeks)
    days: dict[dt.date, TimelineDay] = {}
    for item in notes_for_staff(school=school, reader=reader, student=student):
        day = item.note.written_at.astimezone(tz).date()
        if start <= day <= end:
            days.setdefault(day, TimelineDay(day, [], [])).notes.append(item)
    for entry in timeline_entries(school=school, user=user, roles=roles, student=student, start=start, end=end):
        days.setdefault(entry.day, TimelineDay(entry.day, [], [])).entries.append(entry)
    return [days[day] for day in sorted(days, reverse=True)]


@dataclass
class Change:
    at: dt.datetime
    who: User | None
    what: str
    note: Note | None = None


def changes_about(*, school: School, reader: permissions.Reader, student: User) -> list[Change]:
    """Who changed what in a student's record, newest first: corrections and closed measures of the notes
    the reader may read (with their reason), the CLB consent recorded and withdrawn, a leaver's record held."""
    from django.utils.translation import gettext as _

    readable = {item.note.pk: item.note for item in notes_for_staff(school=school, reader=reader, student=student)}
    changes = [Change(v.changed_at, v.changed_by, _("%(kind)s, version %(n)d corrected: %(reason)s") % {
        "kind": readable[v.note_id].get_kind_display(), "n": v.version, "reason": v.reason}, readable[v.note_id])
        for v in NoteVersion.objects.filter(school=school, note_id__in=list(readable)).select_related("changed_by")]
    for consent in ClbConsent.objects.filter(school=school, student=student).select_related("recorded_by"):
        changes.append(Change(consent.recorded_at, consent.recorded_by,
                              _("Consent for the CLB recorded, given by %(who)s") % {"who": consent.given_by}))
        if consent.withdrawn_at:
            changes.append(Change(consent.withdrawn_at, None, _("Consent for the CLB withdrawn")))
    left = LeftRecord.objects.filter(school=school, student=student).select_related("held_by").first()
    if left is not None and left.held_at is not None:
        changes.append(Change(left.held_at, left.held_by,
                              _("Record kept: a decision is contested (%(reason)s)") % {"reason": left.held_reason}))
    return sorted(changes, key=lambda c: c.at, reverse=True)


def consent_of(*, school: School, student: User) -> ClbConsent | None:
    return ClbConsent.objects.filter(school=school, student=student, withdrawn_at__isnull=True).select_related(
        "recorded_by").first()


def left_record_of(*, school: School, student: User) -> LeftRecord | None:
    return LeftRecord.objects.filter(school=school, student=student).select_related("held_by").first()


def leavers(*, school: School) -> list[LeftRecord]:
    return list(LeftRecord.objects.filter(school=school).select_related("student", "held_by").order_by("delete_on"))


def attachment_for_staff(*, school: School, reader: permissions.Reader, attachment_id: int) -> NoteAttachment:
    """A note's file, for a staff member who may read the note; anyone else: not found."""
    row = NoteAttachment.objects.filter(school=school, pk=attachment_id).first()
    if row is None:
        raise NotFound()
    note_for_staff(school=school, reader=reader, note_id=row.note_id)
    return row


def attachments_of(*, school: School, note: Note) -> list[NoteAttachment]:
    return list(NoteAttachment.objects.filter(school=school, note=note).order_by("pk"))


def team(*, school: School) -> list[CareTeamMember]:
    return list(CareTeamMember.objects.filter(school=school).select_related("user").order_by(
        "function", "user__last_name", "user__first_name"))


def sharing_of(*, school: School, student: User) -> CareSharing:
    return CareSharing.objects.filter(school=school, student=student).first() or CareSharing(
        school=school, student=student)


def views_for_parent(*, school: School, parent: User, student: User) -> list[NoteView]:
    """Who read the notes about an adult child, for their parent: only when the student chose to share it."""
    if not ParentLink.objects.filter(school=school, parent=parent, student=student).exists():
        return []
    if not student.is_adult_on(clock.local_today(school.time_zone)):
        return []
    choice = CareSharing.objects.filter(school=school, student=student).first()
    if choice is None or not (choice.parents_may_see and choice.parents_see_views):
        return []
    return views_of(school=school, student=student)
