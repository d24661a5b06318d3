"""Writes of attendance: taking a lesson's register, parents' reports, legal codes and proofs.

Taking a register is the busiest write of a school day (08:30 and every lesson change): a fixed number of
queries whatever the size of the class, rows only for the exceptions, and idempotent: saving the same
marks again (a retry, a second tap) writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import Membership, ParentLink, User
from krijt.attendance import kinds, permissions, rules, selectors
from krijt.attendance import parts as attendance_parts
from krijt.attendance.models import (
    AbsenceReport,
    AttendanceSettings,
    AttendanceSharing,
    Basis,
    Code,
    CodeChange,
    FollowUp,
    HalfDayCode,
    LocalCode,
    Mark,
    NotExpected,
    Proof,
    ProofKind,
    Register,
    ReportReason,
    Review,
    Status,
)
from krijt.core import clock, parts
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.core.text import clean_text
from krijt.core.uploads import IMAGES, Use, check
from krijt.notifications.services import Event, Target, notify, notify_events, withdraw, withdraw_about
from krijt.schools.models import Enrollment, School
from krijt.schools.paths import school_path
from krijt.schools.selectors import school_calendar, school_year_on

MAX_LATE_MINUTES = 240
MAX_NOTE_CHARS = 500
MAX_WHY_CHARS = 300
# How far ahead a report may start, and how long a report with an end may last.
REPORT_AHEAD_DAYS = 120
MAX_REPORT_DAYS = 120
# Staff may record a report that came in by phone or on paper for days already past.
OFFICE_BACKDATE_DAYS = 60
# Proofs: a scanned or photographed certificate, as PDF or a photo.
PROOF = Use(extensions=frozenset({"pdf"}) | IMAGES, max_bytes=10 * 1024 * 1024, field="file")


def student_scope(school_id: int, student_id: int) -> str:
    return parts.scope(school_id, "attendance-student", student_id)


# --- a lesson's register -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkIn:
    student_id: int
    status: str
    late_minutes: int | None = None
    reason: str = ""


def _checked_marks(marks: Sequence[MarkIn], students: set[int]) -> list[MarkIn]:
    errors: list[str] = []
    seen: set[int] = set()
    clean = []
    for mark in marks:
        if mark.student_id in seen:
            errors.append(_("A student is marked twice."))
            continue
        seen.add(mark.student_id)
        if mark.student_id not in students:
            errors.append(_("Someone marked is not a student of this class."))
            continue
        if mark.status == "present":
            continue
        if mark.status not in Status.values:
            errors.append(_("Choose present, absent, late or not expected."))
            continue
        minutes, reason = None, ""
        if mark.status == Status.LATE:
            if mark.late_minutes is None or not 1 <= mark.late_minutes <= MAX_LATE_MINUTES:
                errors.append(_("Give how many minutes late (1 to %(max)d).") % {"max": MAX_LATE_MINUTES})
                continue
            minutes = mark.late_minutes
        if mark.status == Status.NOT_EXPECTED:
            if mark.reason not in NotExpected.values:
                errors.append(_("Choose why the student is not expected."))
                continue
            reason = mark.reason
        clean.append(MarkIn(mark.student_id, mark.status, minutes, reason))
    if errors:
        raise ValidationFailed(errors[0], fields={"marks": sorted(set(errors))})
    return sorted(clean, key=lambda m: m.student_id)


def _digest(marks: Iterable[MarkIn]) -> str:
    payload = json.dumps([[m.student_id, m.status, m.late_minutes, m.reason] for m in marks])
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Taken:
    register: Register
    changed: bool  # false when the save repeated what was already saved


@transaction.atomic
def register_take(
    *, school: School, actor: User, roles: frozenset[str], course_id: int, day: dt.date, period: int,
    marks: Sequence[MarkIn], client_key: str = "",
) -> Taken:
    """Saves a lesson's register: everyone not in `marks` (or marked present) was present. Saving again
    replaces the exceptions; the same marks again, or the same client key, change nothing."""
    course = selectors.course_for_register(school=school, user=actor, roles=roles, course_id=course_id)
    slot = selectors.lesson_slot(school=school, course=course, day=day, period=period)
    today = clock.local_today(school.time_zone)
    if day > today or (day == today and not selectors.lesson_begun(
            school=school, day=day, starts=slot.lesson_period.starts_at)):
        raise ValidationFailed(_("This lesson has not begun yet; take its register when it starts."))
    enrolled = set(Enrollment.objects.filter(school=school, class_group_id=course.class_group_id)
                   .values_list("student_id", flat=True))
    wanted = _checked_marks(marks, enrolled)
    digest = _digest(wanted)
    client_key = clean_text(client_key)[:64]
    register = (Register.objects.select_for_update()
                .filter(school=school, course=course, day=day, period=period).first())
    if register is not None and (register.marks_digest == digest or (client_key and register.client_key == client_key)):
        return Taken(register, False)
    now = clock.now()
    if register is None:
        try:
            with transaction.atomic():
                register = Register.objects.create(
                    school=school, course=course, class_group_id=course.class_group_id, day=day, period=period,
                    taken_by=actor, taken_at=now, client_key=client_key, marks_digest=digest,
                )
        except IntegrityError:
            # Two saves of the same lesson at once: the other one made the row; this one replaces its marks.
            register = Register.objects.select_for_update().get(school=school, course=course, day=day, period=period)
    if register.marks_digest != digest or register.client_key != client_key:
        register.taken_by, register.taken_at = actor, now
        register.client_key, register.marks_digest = client_key, digest
        register.save(update_fields=["taken_by", "taken_at", "client_key", "marks_digest"])
    absent = [m.student_id for m in wanted if m.status == Status.ABSENT]
    reports = selectors.reports_covering(school=school, student_ids=absent, start=day, end=day) if absent else {}
    existing = {m.student_id: m for m in Mark.objects.filter(school=school, register=register)}
    create, update = [], []
    for m in wanted:
        report = selectors.report_covering(reports.get(m.student_id, ()), day, period)
        current = existing.pop(m.student_id, None)
        if current is None:
            create.append(Mark(school=school, register=register, student_id=m.student_id, day=day, period=period,
                               status=m.status, late_minutes=m.late_minutes, reason=m.reason, report=report))
        elif (current.status, current.late_minutes, current.reason, current.report_id) != (
                m.status, m.late_minutes, m.reason, report.pk if report else None):
            current.status, current.late_minutes, current.reason, current.report = (
                m.status, m.late_minutes, m.reason, report)
            update.append(current)
    if existing:
        Mark.objects.filter(school=school, pk__in=[m.pk for m in existing.values()]).delete()
    if update:
        Mark.objects.bulk_update(update, ["status", "late_minutes", "reason", "report"])
    if create:
        Mark.objects.bulk_create(create)
    touched = {m.student_id for m in wanted} | set(existing)
    if touched:
        # Reviews and the parents' question are the worker's: the register itself stays a small write.
        from krijt.attendance.tasks import reviews_after_register_task

        reviews_after_register_task.enqueue(school_id=school.pk, day=day.isoformat(), student_ids=sorted(touched))
    parts.bump(attendance_parts.taken_scope(school.pk, course.teacher_id or 0, day),
               *(student_scope(school.pk, s) for s in touched))
    return Taken(register, True)


# --- unexplained absences: a review for the school, one calm question for the parents ---------------


def reason_key(student_id: int, day: dt.date) -> str:
    return f"attendance:reason:{student_id}:{day.isoformat()}"


@transaction.atomic
def reviews_after_register(*, school: School, day: dt.date, student_ids: Iterable[int]) -> None:
    """After a register: opens a review (and queues the parents' question for their digest) for a student
    absent that day without a report, and closes the open review of one who is no longer absent (a corrected
    register). Worked out from the rows as they are now, so running it twice, or late, or after a later
    register's run, comes to the same. A fixed number of queries, whatever the number of students."""
    touched = set(student_ids)
    if not touched:
        return
    absent_rows = list(Mark.objects.filter(school=school, student_id__in=touched, day=day, status=Status.ABSENT)
                       .values_list("student_id", "period", "register__class_group_id"))
    still_absent = {student for student, _period, _group in absent_rows}
    reports = selectors.reports_covering(school=school, student_ids=still_absent, start=day, end=day)
    unexplained = {student for student, period, _group in absent_rows
                   if selectors.report_covering(reports.get(student, ()), day, period) is None}
    group_of = {student: group for student, _period, group in absent_rows}
    reviews = {r.student_id: r for r in Review.objects.filter(school=school, student_id__in=touched, day=day)}
    now = clock.now()
    gone = [r for s, r in reviews.items() if s not in still_absent and r.closed_at is None]
    if gone:
        Review.objects.filter(pk__in=[r.pk for r in gone]).update(closed_at=now, outcome=Review.Outcome.PRESENT)
        for review in gone:
            withdraw(school=school, key=reason_key(review.student_id, day))
    new = sorted(unexplained - set(reviews))
    if not new:
        return
    settings = selectors.settings_for(school=school)
    calendar = school_calendar(school=school)
    due = day
    for _step in range(settings.review_school_days):
        due = calendar.next_school_day(due, include_today=False) or due
    Review.objects.bulk_create([Review(school=school, student_id=s, class_group_id=group_of[s], day=day,
                                       due_on=due, created_at=now) for s in new], ignore_conflicts=True)
    names = dict(User.objects.filter(pk__in=new).values_list("pk", "first_name"))
    parents: dict[int, list[int]] = {}
    for parent_id, student_id in ParentLink.objects.filter(school=school, student_id__in=new).values_list(
            "parent_id", "student_id"):
        parents.setdefault(student_id, []).append(parent_id)
    notify_events(school=school, events=[
        Event(kind=kinds.REASON, key=reason_key(s, day), url=school_path(school, "attendance:student", student_id=s),
              targets=[Target(user_id=p, audience="parent", about_student_id=s) for p in parents.get(s, [])],
              params={"child": names.get(s, ""), "day": day.isoformat()})
        for s in new if parents.get(s)
    ])


def _close_reviews(*, school: School, student_id: int, days: Iterable[dt.date], outcome: str,
                   actor: User | None = None) -> int:
    wanted = sorted(set(days))
    open_reviews = list(Review.objects.filter(school=school, student_id=student_id, day__in=wanted,
                                              closed_at__isnull=True))
    if not open_reviews:
        return 0
    Review.objects.filter(pk__in=[r.pk for r in open_reviews]).update(closed_at=clock.now(), outcome=outcome,
                                                                       closed_by=actor)
    for review in open_reviews:
        withdraw(school=school, key=reason_key(student_id, review.day))
    return len(open_reviews)


@transaction.atomic
def review_close(*, school: School, actor: User, roles: frozenset[str], review_id: int, note: str) -> Review:
    """The mentor or the secretariat looked into an absence and writes down what they found."""
    review = selectors.review_for_user(school=school, user=actor, roles=roles, review_id=review_id)
    note = clean_text(note)
    if not note or len(note) > MAX_NOTE_CHARS:
        raise ValidationFailed(_("Write what you found (at most %(max)d characters).") % {"max": MAX_NOTE_CHARS},
                               fields={"note": [_("Write what you found.")]})
    if review.closed_at is not None:
        raise Conflict(_("This absence was already looked into."))
    review.closed_at, review.closed_by, review.outcome, review.note = clock.now(), actor, Review.Outcome.EXPLAINED, note
    review.save(update_fields=["closed_at", "closed_by", "outcome", "note"])
    withdraw(school=school, key=reason_key(review.student_id, review.day))
    return review


# --- parents' reports --------------------------------------------------------------------------------


def _may_report_for(*, school: School, actor: User, roles: frozenset[str], student: User) -> None:
    if roles & permissions.OFFICE_ROLES:
        return
    today = clock.local_today(school.time_zone)
    if Role.STUDENT in roles and actor.pk == student.pk:
        if student.is_adult_on(today):
            return
        raise Forbidden(_("Your parents report your absences; once you are 18 you can do it yourself."))
    if (Role.PARENT in roles and ParentLink.objects.filter(school=school, parent=actor, student=student).exists()
            and selectors.parents_may_see(school=school, student=student, today=today)):
        return
    raise NotFound()


def _enrolled_student(*, school: School, student_id: int, day: dt.date) -> User:
    year = school_year_on(school=school, day=day)
    enrollment = None
    if year is not None:
        enrollment = (Enrollment.objects.filter(school=school, school_year=year, student_id=student_id)
                      .select_related("student").first())
    if enrollment is None:
        raise NotFound()
    return enrollment.student


@transaction.atomic
def absence_report_create(
    *, school: School, actor: User, roles: frozenset[str], student_id: int, starts_on: dt.date,
    ends_on: dt.date | None, reason: str, note: str = "", from_period: int | None = None,
) -> AbsenceReport:
    """A report that a student will be (or is) absent from `starts_on` until `ends_on` (None: until further
    notice). It covers every lesson in the span; the registers show it, nothing is coded by it."""
    today = clock.local_today(school.time_zone)
    errors: dict[str, list[str]] = {}
    earliest = today - dt.timedelta(days=OFFICE_BACKDATE_DAYS) if roles & permissions.OFFICE_ROLES else today
    if starts_on < earliest:
        errors["starts_on"] = [_("Report an absence on the day itself or in advance; for earlier days, "
                                 "contact the school.") if earliest == today else
                               _("A report can go back at most %(days)d days.") % {"days": OFFICE_BACKDATE_DAYS}]
    elif starts_on > today + dt.timedelta(days=REPORT_AHEAD_DAYS):
        errors["starts_on"] = [_("A report can start at most %(days)d days ahead.") % {"days": REPORT_AHEAD_DAYS}]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first.")]
    elif ends_on is not None and (ends_on - starts_on).days >= MAX_REPORT_DAYS:
        errors["ends_on"] = [_("A report can cover at most %(days)d days.") % {"days": MAX_REPORT_DAYS}]
    if reason not in ReportReason.values:
        errors["reason"] = [_("Choose a reason.")]
    note = clean_text(note)
    if len(note) > MAX_NOTE_CHARS:
        errors["note"] = [_("Keep the note under %(max)d characters.") % {"max": MAX_NOTE_CHARS}]
    if from_period is not None and not 1 <= from_period <= 20:
        errors["from_period"] = [_("Choose a lesson.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    student = _enrolled_student(school=school, student_id=student_id, day=max(starts_on, today))
    _may_report_for(school=school, actor=actor, roles=roles, student=student)
    last = ends_on or dt.date.max
    overlapping = [r for r in selectors.reports_of(school=school, student=student, since=starts_on)
                   if r.starts_on <= last]
    if overlapping:
        raise Conflict(_("There is already a report for some of these days. End or withdraw that one first."),
                       fields={"starts_on": [_("Already reported.")]})
    report = AbsenceReport.objects.create(
        school=school, student=student, reported_by=actor, starts_on=starts_on, ends_on=ends_on, reason=reason,
        note=note, from_period=from_period,
    )
    # A report for days already gone (by the office, or a parent on the day itself) explains them.
    covered = Review.objects.filter(school=school, student=student, day__gte=starts_on, day__lte=min(last, today),
                                    closed_at__isnull=True).values_list("day", flat=True)
    _close_reviews(school=school, student_id=student.pk, days=list(covered), outcome=Review.Outcome.REPORTED,
                   actor=actor)
    parts.bump(student_scope(school.pk, student.pk))
    return report


@transaction.atomic
def absence_report_end(
    *, school: School, actor: User, roles: frozenset[str], report_id: int, back_on: dt.date
) -> AbsenceReport:
    """The student is back at school on `back_on`: the report ends the day before (or is withdrawn when
    they are back on its first day)."""
    report = selectors.report_for_user(school=school, user=actor, roles=roles, report_id=report_id)
    _may_report_for(school=school, actor=actor, roles=roles, student=report.student)
    if report.withdrawn_at is not None:
        raise NotFound()
    if back_on <= report.starts_on:
        report.withdrawn_at = clock.now()
        report.save(update_fields=["withdrawn_at", "updated_at"])
    else:
        last = back_on - dt.timedelta(days=1)
        if report.ends_on is not None and last > report.ends_on:
            raise ValidationFailed(_("The report already ends before that day."),
                                   fields={"back_on": [_("The report already ends before that day.")]})
        report.ends_on = last
        report.save(update_fields=["ends_on", "updated_at"])
    parts.bump(student_scope(school.pk, report.student_id))
    return report


# --- codes and proofs (the secretariat) --------------------------------------------------------------


def _keep_until(school: School, day: dt.date) -> dt.date:
    """Proofs are kept until 31 August of the school year after the one they belong to."""
    year = school_year_on(school=school, day=day)
    end = year.ends_on if year is not None else day
    return dt.date(end.year + 1, 8, 31)


@transaction.atomic
def proof_add(
    *, school: School, actor: User, roles: frozenset[str], student_id: int, kind: str, upload: UploadedFile
) -> Proof:
    if not permissions.can_code(roles=roles):
        raise Forbidden()
    today = clock.local_today(school.time_zone)
    student = _enrolled_student(school=school, student_id=student_id, day=today)
    if kind not in ProofKind.values:
        raise ValidationFailed(_("Choose what the document is."), fields={"kind": [_("Choose what the document is.")]})
    checked = check(upload, PROOF)
    proof = Proof(school=school, student=student, kind=kind, name=checked.name, size=checked.size,
                  content_type=checked.content_type, uploaded_by=actor, uploaded_at=clock.now(),
                  keep_until=_keep_until(school, today))
    proof.file.save(checked.name, checked.upload, save=False)
    proof.save()
    return proof


@dataclass(frozen=True)
class Coded:
    changed: int  # half days whose code changed
    codes: list[HalfDayCode]


@transaction.atomic
def half_days_code(
    *, school: School, actor: User, roles: frozenset[str], student_id: int, halves: Sequence[tuple[dt.date, str]],
    code: str, basis: str = "", local_code_id: int | None = None, proof_id: int | None = None, why: str = "",
) -> Coded:
    """Gives (or with code "" removes) the legal code of a student's absent half days. Every change keeps
    who, when and why; changing or removing a code needs a why. Illness on the parents' statement beyond
    the legal limit is refused: a certificate is needed, and a person decides what follows."""
    if not permissions.can_code(roles=roles):
        raise Forbidden()
    wanted = sorted(set(halves))
    if not wanted:
        raise ValidationFailed(_("Choose the half days to code."))
    if len(wanted) > 60:
        raise ValidationFailed(_("Code at most 60 half days at once."))
    student = _enrolled_student(school=school, student_id=student_id, day=wanted[0][0])
    why = clean_text(why)[:MAX_WHY_CHARS]
    errors: dict[str, list[str]] = {}
    if code and code not in Code.values:
        errors["code"] = [_("Choose a code.")]
    if code == Code.Z and basis not in Basis.values:
        errors["basis"] = [_("Say what the illness rests on: the parents' statement or a certificate.")]
    if code != Code.Z and basis:
        basis = ""
    local = None
    if local_code_id is not None:
        local = LocalCode.objects.filter(school=school, pk=local_code_id, active=True).first()
        if local is None or local.code != code:
            errors["local_code"] = [_("Choose a sub-code of the chosen code.")]
    proof = None
    if proof_id is not None:
        proof = Proof.objects.filter(school=school, pk=proof_id, student=student).first()
        if proof is None:
            errors["proof"] = [_("Choose a document of this student.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    days = sorted({d for d, _half in wanted})
    lines = selectors.days_of_students(school=school, student_ids=[student.pk], start=days[0], end=days[-1])
    absent = {(line.day, h.half) for line in lines.get(student.pk, ()) for h in line.halves
              if h.state == rules.HalfState.ABSENT}
    if any(h not in absent for h in wanted):
        raise ValidationFailed(_("Only half days on which the student was absent get a code."))
    current = {(c.day, c.half): c for c in HalfDayCode.objects.select_for_update().filter(
        school=school, student=student, day__in=days)}
    changes = [h for h in wanted if h in current or code]
    if any(h in current and (current[h].code, current[h].basis) != (code, basis) for h in wanted) and not why:
        raise ValidationFailed(_("Say why the code changes."), fields={"why": [_("Say why the code changes.")]})
    if code == Code.Z and basis == Basis.PARENTS:
        _check_parent_statement(school=school, student=student, adding=[d for d, _h in wanted])
    now = clock.now()
    history, kept = [], []
    for day, half in changes:
        row = current.get((day, half))
        old_code, old_basis = (row.code, row.basis) if row else ("", "")
        if row is not None and (old_code, old_basis, row.local_code_id, row.proof_id) == (
                code, basis, local.pk if local else None, proof.pk if proof else None):
            kept.append(row)
            continue
        if not code:
            assert row is not None
            row.delete()
        elif row is None:
            row = HalfDayCode.objects.create(school=school, student=student, day=day, half=half, code=code, basis=basis,
                                             local_code=local, proof=proof, coded_by=actor, coded_at=now)
        else:
            row.code, row.basis, row.local_code, row.proof, row.coded_by, row.coded_at = (
                code, basis, local, proof, actor, now)
            row.save()
        if code:
            kept.append(row)
        history.append(CodeChange(school=school, student=student, day=day, half=half, old_code=old_code,
                                  new_code=code, old_basis=old_basis, new_basis=basis, why=why, changed_by=actor,
                                  changed_at=now))
    CodeChange.objects.bulk_create(history)
    if code:
        _close_reviews(school=school, student_id=student.pk, days=days, outcome=Review.Outcome.CODED, actor=actor)
    if code == Code.B:
        _follow_up(school=school, student=student, day=days[0])
    if history:
        parts.bump(student_scope(school.pk, student.pk))
    return Coded(changed=len(history), codes=kept)


def _follow_up(*, school: School, student: User, day: dt.date) -> None:
    """From the first problematic half day a task to contact the parents; from the fifth (school settings) a
    care case. Each opens once a school year, and tells whom it concerns through the notification engine."""
    year = school_year_on(school=school, day=day)
    if year is None:
        return
    settings = selectors.settings_for(school=school)
    count = HalfDayCode.objects.filter(school=school, student=student, code=Code.B, day__gte=year.starts_on,
                                       day__lte=year.ends_on).count()
    wanted = [kind for kind, limit in ((FollowUp.Kind.CONTACT, settings.contact_parents_from),
                                       (FollowUp.Kind.CARE, settings.care_case_from)) if count >= limit]
    for kind in wanted:
        row, created = FollowUp.objects.get_or_create(school=school, student=student, school_year=year, kind=kind,
                                                      defaults={"problematic_halves": count})
        if not created:
            continue
        enrollment = (Enrollment.objects.filter(school=school, student=student, school_year=year)
                      .select_related("class_group").first())
        mentor_id = enrollment.class_group.mentor_id if enrollment else None
        if kind == FollowUp.Kind.CONTACT:
            people = [mentor_id] if mentor_id else []
        else:
            people = [*Membership.objects.filter(school=school, role=Role.STAFF).values_list("user_id", flat=True),
                      *([mentor_id] if mentor_id else [])]
        if people:
            notify(school=school, kind=kinds.FOLLOW_UP, key=f"attendance:followup:{row.pk}",
                   targets=[Target(user_id=p, audience="staff") for p in sorted(set(people))],
                   params={"student": student.full_name or student.username, "halves": count, "kind": kind},
                   url=school_path(school, "attendance:follow_up", follow_up_id=row.pk))


@transaction.atomic
def follow_up_update(*, school: School, actor: User, roles: frozenset[str], follow_up_id: int, done: str,
                     contacts: str, agreements: str, share_with_clb: bool = False, close: bool = False) -> FollowUp:
    """The guidance file of a follow-up: what was done, contacts, agreements; shared with the CLB; closed."""
    row = selectors.follow_up_for_user(school=school, user=actor, roles=roles, follow_up_id=follow_up_id)
    texts = {"done": done, "contacts": contacts, "agreements": agreements}
    errors = {k: [_("Keep it under %(max)d characters.") % {"max": 5000}] for k, v in texts.items() if len(v) > 5000}
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    row.done, row.contacts, row.agreements = (clean_text(v) for v in texts.values())
    now = clock.now()
    if share_with_clb and row.shared_with_clb_at is None:
        row.shared_with_clb_at = now
    if close and row.closed_at is None:
        row.closed_at, row.closed_by = now, actor
    row.save()
    return row


def _check_parent_statement(*, school: School, student: User, adding: list[dt.date]) -> None:
    settings = selectors.settings_for(school=school)
    year = school_year_on(school=school, day=adding[0])
    if year is None:
        return
    calendar = school_calendar(school=school)
    days = set(selectors.parent_statement_days(school=school, student=student, year=year)) | set(adding)
    problems = rules.parent_statement_problems(
        days, is_school_day=calendar.is_school_day, max_days=settings.parent_statement_days,
        max_times=settings.parent_statement_times,
    )
    touching = [p for p in problems if any(p.episode[0] <= d <= p.episode[1] for d in adding)]
    if not touching:
        return
    problem = touching[0]
    if problem.rule == "too_long":
        message = _("The parents' statement covers at most %(days)d calendar days in a row; this illness lasts "
                    "longer. Ask for a medical certificate.") % {"days": problem.limit}
    else:
        message = _("The parents' statement may be used at most %(times)d times a school year; this would be "
                    "more. Ask for a medical certificate.") % {"times": problem.limit}
    raise ValidationFailed(message, fields={"basis": [message]})


@transaction.atomic
def sharing_update(*, school: School, student: User, parents_may_see: bool) -> AttendanceSharing:
    """An adult student decides whether their parents see their attendance. A "no" also takes back every
    question about an absence the parents have or would still get; the engine's gate keeps new ones out."""
    if not student.is_adult_on(clock.local_today(school.time_zone)):
        raise Forbidden(_("Once you are 18 you decide this yourself."))
    row, _created = AttendanceSharing.objects.update_or_create(
        school=school, student=student, defaults={"parents_may_see": parents_may_see})
    if not parents_may_see:
        withdraw_about(school=school, student_id=student.pk, topic=kinds.TOPIC)
    parts.bump(student_scope(school.pk, student.pk))
    return row


def local_code_create(*, school: School, roles: frozenset[str], code: str, name: str) -> LocalCode:
    if not permissions.can_code(roles=roles):
        raise Forbidden()
    name = clean_text(name)
    if code not in Code.values or not name or len(name) > 60:
        raise ValidationFailed(_("Choose a code and give the sub-code a name (at most 60 characters)."))
    row, _created = LocalCode.objects.get_or_create(school=school, code=code, name=name, defaults={"active": True})
    if not row.active:
        row.active = True
        row.save(update_fields=["active"])
    return row



# --- retention ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Removed:
    proofs: int
    rows: int


def attendance_retention(*, today: dt.date | None = None) -> Removed:
    """Deletes what the law no longer lets a school keep: proofs after their date (31 August of the next
    school year), and a school year's registers, marks, codes and their history, reports and reviews five
    years after it ended. Idempotent; a housekeeping chore runs it."""
    from krijt.schools.models import SchoolYear

    today = today or clock.local_today("Europe/Brussels")
    proofs = 0
    for proof in Proof.objects.filter(keep_until__lt=today).order_by("pk")[:500]:
        proof.file.delete(save=False)
        proof.delete()
        proofs += 1
    rows = 0
    for year in SchoolYear.objects.filter(ends_on__lt=dt.date(today.year - selectors.REGISTER_YEARS, 8, 31)):
        if dt.date(year.ends_on.year + selectors.REGISTER_YEARS, 8, 31) >= today:
            continue
        span = {"school_id": year.school_id, "day__gte": year.starts_on, "day__lte": year.ends_on}
        for model in (Register, HalfDayCode, CodeChange, Review):
            deleted, _by = model.objects.filter(**span).delete()
            rows += deleted
        deleted, _by = AbsenceReport.objects.filter(school_id=year.school_id, starts_on__gte=year.starts_on,
                                                    starts_on__lte=year.ends_on).delete()
        rows += deleted
        deleted, _by = FollowUp.objects.filter(school_id=year.school_id, school_year=year).delete()
        rows += deleted
    return Removed(proofs=proofs, rows=rows)


# --- the school's rules ------------------------------------------------------------------------------

SETTING_FIELDS = ("afternoon_from", "counting_periods", "contact_parents_from", "care_case_from",
                  "parent_statement_days", "parent_statement_times", "review_school_days")


@transaction.atomic
def settings_update(*, school: School, roles: frozenset[str], values: dict[str, Any]) -> AttendanceSettings:
    """An administrator sets the school's attendance rules, inside the bounds the law and sense allow."""
    if Role.ADMIN not in roles:
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    periods = sorted({int(p) for p in values.get("counting_periods") or []})
    if any(not 1 <= p <= 20 for p in periods):
        errors["counting_periods"] = [_("Choose lesson periods of the timetable.")]
    bounds = {"contact_parents_from": (1, 30), "care_case_from": (1, 60), "parent_statement_days": (1, 10),
              "parent_statement_times": (0, 20), "review_school_days": (1, 10)}
    for name, (low, high) in bounds.items():
        value = values.get(name)
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = [_("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high}]
    if not errors and values["care_case_from"] < values["contact_parents_from"]:
        errors["care_case_from"] = [_("A care case comes at or after the task to contact the parents.")]
    if not isinstance(values.get("afternoon_from"), dt.time):
        errors["afternoon_from"] = [_("Give a time.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    row, _created = AttendanceSettings.objects.get_or_create(school=school)
    for name in SETTING_FIELDS:
        setattr(row, name, periods if name == "counting_periods" else values[name])
    row.save()
    return row
