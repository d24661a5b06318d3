"""Reads of the follow-up record. Each takes the school; those for a person check what they may read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from krijt.accounts.models import ParentLink, User
from krijt.accounts.selectors import adults_keeping_private
from krijt.care import permissions
from krijt.care.models import (
    CareSettings,
    CareSharing,
    CareTeamMember,
    ClbConsent,
    Note,
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
