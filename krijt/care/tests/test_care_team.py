"""The care team's side of the follow-up record: the overview per class and per student, open measures and
reviews, the timeline across modules, the CLB's consent, the care team and the rules, corrections and files,
an adult student's choices, and a leaver's record kept for its period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.accounts.models import Membership, User
from krijt.attendance import services as attendance
from krijt.care import selectors, services
from krijt.care.models import CareTeamMember, ClbConsent, LeftRecord, Note, NoteAttachment, NoteStudent, NoteVersion
from krijt.care.services import NoteIn
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.notifications.models import Notification
from krijt.results.models import Evaluation, ResultView, Score
from krijt.schools.models import Enrollment
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
TEACHER = frozenset({Role.TEACHER})
STAFF = frozenset({Role.STAFF})
ADMIN = frozenset({Role.ADMIN})
EVENING = dt.datetime(2026, 10, 5, 20, 0, tzinfo=TZ)  # Monday evening
LATER = dt.datetime(2026, 10, 20, 18, 0, tzinfo=TZ)


def coordinator(s: Scenario) -> User:
    CareTeamMember.objects.get_or_create(school=s.school, user=s.staff, function="coordinator")
    return s.staff


def measure(s: Scenario, student: int = 0, **extra: object) -> Note:
    data = {"kind": "care_measure", "students": [(s.students[student].pk, "concerned")],
            "what_happened": "Struggles to plan homework.", "next_step": "A weekly planning talk.", "phase": 1,
            "review_on": dt.date(2026, 10, 15), "visibility": 3}
    with time_machine.travel(EVENING, tick=False):
        return services.note_create(school=s.school, author=s.teacher, roles=TEACHER,
                                    data=NoteIn(**{**data, **extra}))  # type: ignore[arg-type]


def positive(s: Scenario, student: int = 0, author: User | None = None) -> Note:
    with time_machine.travel(EVENING, tick=False):
        return services.note_create(school=s.school, author=author or s.teacher, roles=TEACHER, data=NoteIn(
            kind="positive", students=[(s.students[student].pk, "concerned")], what_happened="Helped a classmate."))


def test_a_witness_and_their_family_are_not_told(scenario: Scenario) -> None:
    s = scenario
    with time_machine.travel(EVENING, tick=False):
        note = services.note_create(school=s.school, author=s.teacher, roles=TEACHER, data=NoteIn(
            kind="incident", students=[(s.students[0].pk, "concerned"), (s.students[1].pk, "witness")],
            what_happened="Pushed a classmate.", situation="Stairs.", next_step="A talk.", to_parents=True))
    witness = note.students.get(student=s.students[1])
    assert witness.student_visible_at is None
    assert witness.parent_visible_at is None
    assert note.students.get(student=s.students[0]).parent_visible_at is not None
    assert not Notification.objects.filter(recipient__in=[s.students[1], s.parents[1]]).exists()


def test_the_care_overview_per_class_and_per_student(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    team = coordinator(s)
    measure(s, 0)
    measure(s, 1, phase=2, review_on=dt.date(2026, 12, 1))
    positive(s, 0)
    mentor_only = positive(s, 2)  # visibility "mentor": not for the care team
    with time_machine.travel(dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ), tick=False):
        reader = selectors.reader_for(school=s.school, user=team, roles=STAFF)
        [first, second] = selectors.overview(school=s.school, reader=reader)
        assert (first.group, first.students, first.by_phase, first.open_measures, first.reviews_due) == (
            s.classes[0], 2, {1: 1, 2: 1}, 2, 1)  # the 1 December review is not due yet
        assert second.students == 0
        lines = {line.student.pk: line for line in selectors.class_students(school=s.school, reader=reader,
                                                                           group=s.classes[0])}
        assert lines[s.students[0].pk].notes == 1  # the positive note is the mentor's
        assert lines[s.students[0].pk].next_review == dt.date(2026, 10, 15)
        assert lines[s.students[2].pk].notes == 0
        mentor = selectors.reader_for(school=s.school, user=s.teacher, roles=TEACHER)
        mine = {line.student.pk: line for line in selectors.class_students(school=s.school, reader=mentor,
                                                                          group=s.classes[0])}
        assert (mine[s.students[0].pk].notes, mine[s.students[2].pk].notes) == (2, 1)
        assert mine[s.students[2].pk].last_note == mentor_only.written_at
        with pytest.raises(NotFound):
            selectors.overview(school=s.school, reader=mentor)
        measures = selectors.open_measures(school=s.school, reader=reader)
        assert [m.students for m in measures] == [[s.students[0]], [s.students[1]]]
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=TZ), tick=True):
        page = login_as("staff").get(s.url("/care/overview/"))
        assert page.status_code == 200
        assert "Review was due on" in page.content.decode()
        assert login_as("teacher").get(s.url("/care/overview/")).status_code == 404
        assert login_as("teacher").get(s.url(f"/care/classes/{s.classes[0].pk}/")).status_code == 200  # mentor
        assert login_as("teacher").get(s.url(f"/care/classes/{s.classes[1].pk}/")).status_code == 404
        assert login_as("staff").get(s.url(f"/care/classes/{s.classes[1].pk}/")).status_code == 200


def test_closing_a_care_measure_is_logged_and_ends_its_reviews(scenario: Scenario) -> None:
    s = scenario
    team = coordinator(s)
    note = measure(s)
    other = positive(s)
    with pytest.raises(ValidationFailed):
        services.measure_close(school=s.school, actor=s.teacher, roles=TEACHER, note_id=note.pk, reason=" ")
    with pytest.raises(Conflict):
        services.measure_close(school=s.school, actor=s.teacher, roles=TEACHER, note_id=other.pk, reason="Done")
    CareTeamMember.objects.filter(user=team).delete()
    with pytest.raises(NotFound):  # not the author, and no longer on the care team: not even readable
        services.measure_close(school=s.school, actor=team, roles=STAFF, note_id=note.pk, reason="Done")
    with time_machine.travel(LATER, tick=False):
        services.measure_close(school=s.school, actor=s.teacher, roles=TEACHER, note_id=note.pk,
                               reason="Plans on his own now.")
    note.refresh_from_db()
    assert note.closed_on == dt.date(2026, 10, 20)
    assert NoteVersion.objects.get(note=note).reason == "Plans on his own now."
    reader = selectors.reader_for(school=s.school, user=s.teacher, roles=TEACHER)
    assert selectors.open_measures(school=s.school, reader=reader) == []
    with pytest.raises(Conflict):
        services.measure_close(school=s.school, actor=s.teacher, roles=TEACHER, note_id=note.pk, reason="Again")
    changes = selectors.changes_about(school=s.school, reader=reader, student=s.students[0])
    assert "Plans on his own now." in changes[0].what
    assert changes[0].who == s.teacher


def test_a_note_is_corrected_from_its_page(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    note = measure(s)
    url = s.url(f"/care/notes/{note.pk}/correct/")
    with time_machine.travel(LATER, tick=True):
        author = login_as("teacher")
        assert "Struggles to plan homework." in author.get(url).content.decode()
        form = {"what_happened": "Struggles to plan homework and tests.", "situation": "", "done_so_far": "",
                "next_step": "A weekly planning talk.", "visibility": "3", "phase": "1", "review_on": "2026-11-05",
                "restricted": ""}
        assert author.post(url, form).status_code == 400  # no reason
        assert author.post(url, {**form, "reason": "Tests too."}).status_code == 302
        note.refresh_from_db()
        assert (note.version, note.review_on) == (2, dt.date(2026, 11, 5))
        assert "Tests too." in author.get(s.url(f"/care/notes/{note.pk}/")).content.decode()
        assert login_as("teacher", user=s.teachers[1]).get(url).status_code == 404  # council, not the author


def test_the_timeline_joins_notes_absences_and_shown_results_as_far_as_the_reader_may_see(
        scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    team = coordinator(s)
    measure(s)
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 30, tzinfo=TZ), tick=False):
        attendance.register_take(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk,
                                 day=dt.date(2026, 10, 5), period=1,
                                 marks=[attendance.MarkIn(student_id=s.students[0].pk, status="absent")])
    maths = Evaluation.objects.create(school=s.school, school_year=s.year, course=s.courses[0], period=s.periods[0],
                                      name="Fractions", date=dt.date(2026, 10, 7), maximum=Decimal(20))
    Score.objects.create(school=s.school, evaluation=maths, student=s.students[0], value=Decimal("8.5"),
                         student_visible_at=EVENING)
    hidden = Evaluation.objects.create(school=s.school, school_year=s.year, course=s.courses[0], period=s.periods[0],
                                       name="Not yet shown", date=dt.date(2026, 10, 8), maximum=Decimal(20))
    Score.objects.create(school=s.school, evaluation=hidden, student=s.students[0], value=Decimal(15))
    with time_machine.travel(LATER, tick=False):
        reader = selectors.reader_for(school=s.school, user=team, roles=STAFF)
        days = selectors.timeline(school=s.school, reader=reader, user=team, roles=STAFF,
                                  student=s.students[0], weeks=6)
        entries = {(e.source, e.title): e for d in days for e in d.entries}
        assert entries[("Attendance", "Absent")].signal  # not explained yet
        result = entries[("Results", "Wiskunde: Fractions")]
        assert (result.detail, result.signal) == ("8.5/20", True)
        assert ("Results", "Wiskunde: Not yet shown") not in entries
        assert [n.note.kind for d in days for n in d.notes] == ["care_measure"]
        assert ResultView.objects.filter(student=s.students[0], viewer=team).exists()  # the look is logged
        council = s.teachers[1]  # teaches Dutch in 1A: the note (the ladder includes the council), not maths
        reader = selectors.reader_for(school=s.school, user=council, roles=TEACHER)
        days = selectors.timeline(school=s.school, reader=reader, user=council, roles=TEACHER,
                                  student=s.students[0], weeks=6)
        assert [n.note.kind for d in days for n in d.notes] == ["care_measure"]
        assert not any(e.source == "Results" for d in days for e in d.entries)
        assert any(e.source == "Attendance" for d in days for e in d.entries)  # a teacher of the class
    with time_machine.travel(LATER, tick=True):
        page = login_as("staff").get(s.url(f"/care/students/{s.students[0].pk}/?weeks=6"))
        assert page.status_code == 200
        assert "Wiskunde: Fractions" in page.content.decode()


def test_the_care_team_records_and_withdraws_the_clb_consent(scenario: Scenario,
                                                              login_as: Callable[..., Client]) -> None:
    s = scenario
    team = coordinator(s)
    CareTeamMember.objects.create(school=s.school, user=s.admin, function="clb")
    clb = selectors.reader_for(school=s.school, user=s.admin, roles=ADMIN)
    with pytest.raises(Forbidden):
        services.consent_record(school=s.school, actor=s.teacher, roles=TEACHER, student_id=s.students[0].pk,
                                given_by="Both parents")
    with pytest.raises(ValidationFailed):
        services.consent_record(school=s.school, actor=team, roles=STAFF, student_id=s.students[0].pk,
                                given_by="  ")
    client = login_as("staff")
    assert client.post(s.url(f"/care/students/{s.students[0].pk}/consent/"),
                       {"given_by": "Both parents, on paper"}).status_code == 302
    assert ClbConsent.objects.get().given_by == "Both parents, on paper"
    with pytest.raises(Conflict):
        services.consent_record(school=s.school, actor=team, roles=STAFF, student_id=s.students[0].pk,
                                given_by="Again")
    note = measure(s, phase=2, visibility=4)
    assert [x.note for x in selectors.notes_for_staff(school=s.school, reader=clb)] == [note]
    client.post(s.url(f"/care/students/{s.students[0].pk}/consent/"), {"action": "withdraw"})
    assert selectors.notes_for_staff(school=s.school, reader=clb) == []
    changes = [c.what for c in selectors.changes_about(
        school=s.school, reader=selectors.reader_for(school=s.school, user=team, roles=STAFF),
        student=s.students[0])]
    assert any("withdrawn" in c for c in changes)
    assert any("Both parents, on paper" in c for c in changes)


def test_administrators_name_the_care_team_and_set_the_rules(scenario: Scenario,
                                                              login_as: Callable[..., Client]) -> None:
    s = scenario
    with pytest.raises(Forbidden):
        services.team_add(school=s.school, roles=STAFF, user_id=s.staff.pk, function="coordinator")
    with pytest.raises(ValidationFailed):  # a student is not staff
        services.team_add(school=s.school, roles=ADMIN, user_id=s.students[0].pk, function="coordinator")
    admin = login_as("admin")
    assert admin.get(s.url("/care/settings/")).status_code == 200
    assert admin.post(s.url("/care/settings/"), {"form": "team", "user": s.staff.pk,
                                                 "function": "counsellor"}).status_code == 302
    member = CareTeamMember.objects.get()
    assert (member.user, member.function) == (s.staff, "counsellor")
    assert selectors.reader_for(school=s.school, user=s.staff, roles=STAFF).care_team
    assert admin.post(s.url("/care/settings/"), {"form": "settings", "parent_delay_school_hours": "0",
                                                 "keep_after_leaving_days": "365"}).status_code == 400
    assert admin.post(s.url("/care/settings/"), {"form": "settings", "parent_delay_school_hours": "6",
                                                 "keep_after_leaving_days": "90"}).status_code == 302
    assert selectors.settings_for(school=s.school).parent_delay_school_hours == 6
    assert admin.post(s.url("/care/settings/"), {"form": "remove", "member": member.pk}).status_code == 302
    assert not CareTeamMember.objects.exists()
    assert login_as("staff").get(s.url("/care/settings/")).status_code == 403


def test_an_adult_student_decides_what_the_parents_see_and_a_no_takes_notices_back(
        scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    adult = s.students[0]
    with pytest.raises(Forbidden):  # a minor
        services.sharing_update(school=s.school, student=adult, parents_may_see=False, parents_see_views=False)
    adult.birth_date = dt.date(2007, 1, 1)
    adult.save(update_fields=["birth_date"])
    with time_machine.travel(EVENING, tick=False):
        services.note_create(school=s.school, author=s.teacher, roles=TEACHER, data=NoteIn(
            kind="positive", students=[(adult.pk, "concerned")], what_happened="Led the class project.",
            to_student=True, to_parents=True))
    assert Notification.objects.filter(recipient=s.parents[0], kind="care_note_parents").exists()
    with time_machine.travel(LATER, tick=True):
        parent = login_as("parent")
        assert "Led the class project." in parent.get(s.url("/care/")).content.decode()
        login_as("student").get(s.url(f"/care/notes/{Note.objects.get().pk}/"))  # the student reads it
        assert "Who read notes about" not in login_as("parent").get(s.url("/care/")).content.decode()
        student = login_as("student")
        assert student.post(s.url("/care/mine/parents/"), {"parents_may_see": "on", "parents_see_views": "on"}) \
            .status_code == 302
        assert "Who read notes about" in login_as("parent").get(s.url("/care/")).content.decode()
        assert login_as("student").post(s.url("/care/mine/parents/"), {}).status_code == 302
        assert not Notification.objects.filter(recipient=s.parents[0], kind="care_note_parents").exists()
        assert "Led the class project." not in login_as("parent").get(s.url("/care/")).content.decode()


def test_a_leavers_record_is_kept_for_its_period_then_deleted_unless_contested(
        scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    team = coordinator(s)
    only = measure(s, 0)
    shared = None
    with time_machine.travel(EVENING, tick=False):
        shared = services.note_create(school=s.school, author=s.teacher, roles=TEACHER, data=NoteIn(
            kind="meeting", students=[(s.students[0].pk, "concerned"), (s.students[1].pk, "concerned")],
            what_happened="Talked about the group work."))
    day = dt.date(2026, 10, 20)
    assert services.records_sweep(today=day).marked == 0
    Membership.objects.filter(school=s.school, user=s.students[0], role=Role.STUDENT).delete()
    assert services.records_sweep(today=day).marked == 1
    left = LeftRecord.objects.get()
    assert (left.left_on, left.delete_on) == (day, day + dt.timedelta(days=365))
    Enrollment.objects.filter(student=s.students[0]).delete()  # as removing the student role does this year
    shown = login_as("staff").get(s.url(f"/care/students/{s.students[0].pk}/"))
    assert shown.status_code == 200
    assert "This record is deleted on" in shown.content.decode()
    assert s.students[0].full_name in login_as("staff").get(s.url("/care/overview/")).content.decode()
    assert login_as("teacher").get(s.url(f"/care/students/{s.students[0].pk}/")).status_code == 404
    assert services.records_sweep(today=day + dt.timedelta(days=364)).deleted == 0
    services.record_hold(school=s.school, actor=team, roles=STAFF, student_id=s.students[0].pk,
                         reason="The parents appeal the exclusion.")
    assert services.records_sweep(today=day + dt.timedelta(days=400)).deleted == 0  # held
    services.record_release(school=s.school, actor=team, roles=STAFF, student_id=s.students[0].pk)
    assert services.records_sweep(today=day + dt.timedelta(days=400)).deleted == 1
    assert not Note.objects.filter(pk=only.pk).exists()
    assert list(NoteStudent.objects.filter(note=shared).values_list("student_id", flat=True)) == [s.students[1].pk]
    assert not LeftRecord.objects.exists()
    with pytest.raises(NotFound):
        services.record_hold(school=s.school, actor=team, roles=STAFF, student_id=s.students[0].pk,
                             reason="x")


def test_a_student_who_comes_back_keeps_the_record(scenario: Scenario) -> None:
    s = scenario
    positive(s)
    membership = Membership.objects.get(school=s.school, user=s.students[0], role=Role.STUDENT)
    membership.delete()
    services.records_sweep(today=dt.date(2026, 10, 20))
    Membership.objects.create(school=s.school, user=s.students[0], role=Role.STUDENT)
    assert services.records_sweep(today=dt.date(2027, 12, 1)).returned == 1
    assert Note.objects.exists()


def test_files_go_through_the_checker_and_are_for_staff_only(scenario: Scenario,
                                                              login_as: Callable[..., Client]) -> None:
    s = scenario
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 a plan", content_type="application/pdf")
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    data = NoteIn(kind="positive", students=[(s.students[0].pk, "concerned")], what_happened="Good plan.",
                  to_student=True)
    with pytest.raises(ValidationFailed), time_machine.travel(EVENING, tick=False):
        services.note_create(school=s.school, author=s.teacher, roles=TEACHER, data=data, files=[fake])
    assert not Note.objects.exists()
    with time_machine.travel(EVENING, tick=False):
        note = services.note_create(school=s.school, author=s.teacher, roles=TEACHER, data=data, files=[pdf])
    row = NoteAttachment.objects.get()
    assert row.name == "plan.pdf"
    assert "plan" not in row.file.name  # stored under an opaque name
    url = s.url(f"/care/files/{row.pk}/")
    with time_machine.travel(LATER, tick=True):
        response = login_as("teacher").get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 a plan"  # type: ignore[attr-defined]
        assert login_as("teacher", user=s.teachers[1]).get(url).status_code == 404
        assert login_as("student").get(url).status_code == 403
        assert "plan.pdf" not in login_as("student").get(s.url(f"/care/notes/{note.pk}/")).content.decode()
