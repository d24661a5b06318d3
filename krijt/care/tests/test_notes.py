"""The follow-up record: context required, the visibility ladder, student first and parents in their
digest, the right of reply, corrections kept, the view log, adult students' choice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from krijt.care import rules, selectors, services
from krijt.care.models import CareSharing, CareTeamMember, ClbConsent, Note, NoteVersion, NoteView, Reply
from krijt.care.services import NoteIn
from krijt.core.errors import Conflict, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.notifications.models import Delivery, Notification
from krijt.schools.calendar import LessonHours, SchoolCalendar
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
TEACHER = frozenset({Role.TEACHER})
STAFF = frozenset({Role.STAFF})
STUDENT = frozenset({Role.STUDENT})
PARENT = frozenset({Role.PARENT})
EVENING = dt.datetime(2026, 10, 5, 20, 0, tzinfo=TZ)  # Monday evening


def incident(s: Scenario, **extra: object) -> NoteIn:
    data: dict[str, object] = {
        "kind": "incident", "students": [(s.students[0].pk, "concerned"), (s.students[1].pk, "witness")],
        "what_happened": "Pushed a classmate at the stairs.", "situation": "Crowded staircase after maths.",
        "next_step": "A talk with both students.", "to_parents": True, "talk_with_id": s.teacher.pk}
    return NoteIn(**{**data, **extra})  # type: ignore[arg-type]


def write(s: Scenario, data: NoteIn, *, at: dt.datetime = EVENING) -> Note:
    with time_machine.travel(at, tick=False):
        return services.note_create(school=s.school, author=s.teacher, roles=TEACHER, data=data)


def test_a_behaviour_note_needs_what_happened_the_situation_and_the_next_step(scenario: Scenario) -> None:
    for missing in ("what_happened", "situation", "next_step"):
        with pytest.raises(ValidationFailed) as caught:
            write(scenario, incident(scenario, **{missing: "  "}))
        assert missing in caught.value.fields
    assert rules.missing_context("positive", {"what_happened": "Helped a new classmate."}) == []
    assert rules.missing_context("care_measure", {"what_happened": "x", "next_step": "y"}) == ["phase", "review_on"]
    assert not Note.objects.exists()


def test_the_student_reads_it_first_at_school_and_the_parents_later_in_their_digest(scenario: Scenario) -> None:
    s = scenario
    note = write(s, incident(s))
    concerned = note.students.get(student=s.students[0])
    assert concerned.student_visible_at == dt.datetime(2026, 10, 6, 8, 25, tzinfo=TZ)  # Tuesday's first lesson
    assert concerned.parent_visible_at is not None
    assert concerned.parent_visible_at > concerned.student_visible_at
    student_item = Notification.objects.get(recipient=s.students[0])
    parent_item = Notification.objects.get(recipient=s.parents[0])
    assert student_item.visible_at == concerned.student_visible_at
    assert parent_item.visible_at >= concerned.parent_visible_at
    assert list(Delivery.objects.filter(notification=parent_item).values_list("channel", "digest")) == [
        ("email", True)]
    with time_machine.travel(dt.datetime(2026, 10, 6, 8, 0, tzinfo=TZ), tick=False):
        assert selectors.notes_for_student(school=s.school, student=s.students[0]) == []
    with time_machine.travel(dt.datetime(2026, 10, 6, 9, 0, tzinfo=TZ), tick=False):
        assert [n.note for n in selectors.notes_for_student(school=s.school, student=s.students[0])] == [note]
        assert selectors.notes_for_parent(school=s.school, parent=s.parents[0], student_id=s.students[0].pk) == []


def test_school_hours_are_added_only_inside_school_hours() -> None:
    hours = LessonHours.from_lessons([(d, dt.time(8, 25), dt.time(15, 35)) for d in range(1, 6)])
    calendar = SchoolCalendar(weekdays=frozenset(range(1, 6)), years=((dt.date(2026, 9, 1), dt.date(2027, 6, 30)),))
    friday_afternoon = dt.datetime(2026, 10, 9, 14, 35, tzinfo=TZ)
    after = rules.add_school_hours(friday_afternoon, 4, hours=hours, calendar=calendar, tz=TZ)
    assert after == dt.datetime(2026, 10, 12, 11, 25, tzinfo=TZ)  # 1 hour on Friday, 3 on Monday


def test_the_visibility_ladder(scenario: Scenario, other_school: Scenario) -> None:
    s = scenario
    note = write(s, incident(s))  # the author and the mentor
    outsider = s.teachers[1]  # teaches Dutch in 1A: class council, not mentor

    def reads(user: object, roles: frozenset[str] = TEACHER) -> bool:
        reader = selectors.reader_for(school=s.school, user=user, roles=roles)  # type: ignore[arg-type]
        return any(x.note.pk == note.pk for x in selectors.notes_for_staff(school=s.school, reader=reader))

    coordinator = s.staff
    CareTeamMember.objects.create(school=s.school, user=coordinator, function="coordinator")
    clb = s.admin
    CareTeamMember.objects.create(school=s.school, user=clb, function="clb")
    assert reads(s.teacher)  # the author (and mentor of 1A)
    assert not reads(outsider)
    assert not reads(coordinator, STAFF)
    assert not reads(clb, frozenset({Role.ADMIN}))  # an administrator reads nothing by role alone
    note.visibility = 2
    note.save()
    assert reads(outsider)
    assert not reads(coordinator, STAFF)
    note.visibility = 3
    note.save()
    assert reads(coordinator, STAFF)
    assert not reads(clb, frozenset({Role.ADMIN}))
    with pytest.raises(ValidationFailed), time_machine.travel(EVENING, tick=False):  # the CLB from phase 2 ...
        services.note_correct(school=s.school, actor=s.teacher, roles=TEACHER, note_id=note.pk,
                              data=incident(s, visibility=4), reason="Share with the CLB")
    with pytest.raises(ValidationFailed), time_machine.travel(EVENING, tick=False):  # ... and with consent
        services.note_correct(school=s.school, actor=s.teacher, roles=TEACHER, note_id=note.pk,
                              data=incident(s, visibility=4, phase=2), reason="Share with the CLB")
    ClbConsent.objects.create(school=s.school, student=s.students[0], given_by="Both parents",
                              recorded_by=coordinator, recorded_at=EVENING)
    with time_machine.travel(EVENING, tick=False):
        services.note_correct(school=s.school, actor=s.teacher, roles=TEACHER, note_id=note.pk,
                              data=incident(s, visibility=4, phase=2), reason="Share with the CLB")
    assert reads(clb, frozenset({Role.ADMIN}))
    ClbConsent.objects.update(withdrawn_at=EVENING)
    assert not reads(clb, frozenset({Role.ADMIN}))
    with pytest.raises(NotFound):  # another school's teacher cannot even write about these students
        write(other_school, incident(s))


def test_restricted_parts_are_for_the_care_team_only(scenario: Scenario) -> None:
    s = scenario
    note = write(s, incident(s, visibility=2, restricted="Parents are separating."))
    council = selectors.reader_for(school=s.school, user=s.teachers[1], roles=TEACHER)
    [seen] = [x for x in selectors.notes_for_staff(school=s.school, reader=council) if x.note.pk == note.pk]
    assert not seen.restricted
    with time_machine.travel(dt.datetime(2026, 10, 6, 9, 0, tzinfo=TZ), tick=False):
        [mine] = selectors.notes_for_student(school=s.school, student=s.students[0])
    assert not mine.restricted


def test_the_student_and_the_parents_reply_once_editable_until_the_school_reads_it(scenario: Scenario) -> None:
    s = scenario
    note = write(s, incident(s))
    with time_machine.travel(dt.datetime(2026, 10, 6, 7, 0, tzinfo=TZ), tick=False), pytest.raises(NotFound):
        services.reply_write(school=s.school, author=s.students[0], roles=STUDENT, note_id=note.pk,
                             student_id=s.students[0].pk, text="Too early")
    with time_machine.travel(dt.datetime(2026, 10, 6, 9, 0, tzinfo=TZ), tick=False):
        services.reply_write(school=s.school, author=s.students[0], roles=STUDENT, note_id=note.pk,
                             student_id=s.students[0].pk, text="He pushed first.")
        services.reply_write(school=s.school, author=s.students[0], roles=STUDENT, note_id=note.pk,
                             student_id=s.students[0].pk, text="He pushed me first, on the stairs.")
        assert Reply.objects.get().text == "He pushed me first, on the stairs."
        services.note_opened(school=s.school, viewer=s.teacher, roles=TEACHER, note_id=note.pk)
        with pytest.raises(Conflict):
            services.reply_write(school=s.school, author=s.students[0], roles=STUDENT, note_id=note.pk,
                                 student_id=s.students[0].pk, text="Changed again")
        with pytest.raises(NotFound):  # the parents' moment has not come
            services.reply_write(school=s.school, author=s.parents[0], roles=PARENT, note_id=note.pk,
                                 student_id=s.students[0].pk, text="We will talk about it at home.")
    with time_machine.travel(dt.datetime(2026, 10, 7, 18, 0, tzinfo=TZ), tick=False):
        [shown] = selectors.notes_for_parent(school=s.school, parent=s.parents[0], student_id=s.students[0].pk)
        assert [r.text for r in shown.replies] == ["He pushed me first, on the stairs."]  # with the reply
        services.reply_write(school=s.school, author=s.parents[0], roles=PARENT, note_id=note.pk,
                             student_id=s.students[0].pk, text="We will talk about it at home.")
    assert Reply.objects.filter(by_parent=True).count() == 1


def test_corrections_keep_the_history_and_reading_is_logged(scenario: Scenario) -> None:
    s = scenario
    note = write(s, incident(s))
    with time_machine.travel(EVENING + dt.timedelta(hours=1), tick=False):
        services.note_correct(school=s.school, actor=s.teacher, roles=TEACHER, note_id=note.pk,
                              data=incident(s, what_happened="Bumped into a classmate at the stairs."),
                              reason="It was not on purpose, witnesses say.")
        with pytest.raises(NotFound):
            services.note_correct(school=s.school, actor=s.teachers[1], roles=TEACHER, note_id=note.pk,
                                  data=incident(s), reason="x")
    note.refresh_from_db()
    assert note.version == 2
    old = NoteVersion.objects.get()
    assert old.fields["what_happened"] == "Pushed a classmate at the stairs."
    with time_machine.travel(dt.datetime(2026, 10, 6, 9, 0, tzinfo=TZ), tick=False):
        services.note_opened(school=s.school, viewer=s.teacher, roles=TEACHER, note_id=note.pk)
        services.note_opened(school=s.school, viewer=s.students[0], roles=STUDENT, note_id=note.pk)
    assert [v.role for v in selectors.views_of(school=s.school, student=s.students[0])] == ["student", "staff"]
    assert NoteView.objects.count() == 2


def test_an_adult_student_keeps_notes_from_the_parents(scenario: Scenario) -> None:
    s = scenario
    adult = s.students[0]
    adult.birth_date = dt.date(2007, 1, 1)
    adult.save(update_fields=["birth_date"])
    CareSharing.objects.create(school=s.school, student=adult, parents_may_see=False)
    note = write(s, incident(s))
    assert note.students.get(student=adult).parent_visible_at is None
    assert not Notification.objects.filter(recipient=s.parents[0]).exists()
    with pytest.raises(NotFound):
        selectors.notes_for_parent(school=s.school, parent=s.parents[0], student_id=adult.pk)


def test_the_note_page_for_the_author_the_student_and_an_outsider(scenario: Scenario,
                                                                  login_as: Callable[..., Client]) -> None:
    s = scenario
    note = write(s, incident(s, restricted="Medical: asthma."))
    url = s.url(f"/care/notes/{note.pk}/")
    with time_machine.travel(dt.datetime(2026, 10, 6, 9, 0, tzinfo=TZ), tick=True):
        page = login_as("teacher").get(url).content.decode()
        assert "Crowded staircase after maths." in page
        assert "Medical: asthma." in page
        student = login_as("student").get(url).content.decode()
        assert "Crowded staircase after maths." in student
        assert "Medical: asthma." not in student
        response = login_as("student").post(url, {"student": s.students[0].pk, "text": "My side."})
        assert response.status_code == 302
        assert Reply.objects.get().text == "My side."
        assert login_as("teacher", user=s.teachers[1]).get(url).status_code == 404
        assert login_as("parent").get(url).status_code == 404  # not yet for the parents


def test_a_mentor_writes_a_note_from_the_page_and_the_family_finds_it(scenario: Scenario,
                                                                      login_as: Callable[..., Client]) -> None:
    s = scenario
    client = login_as("teacher")  # mentor of 1A
    with time_machine.travel(EVENING, tick=True):
        home = client.get(s.url("/care/"))
        assert home.status_code == 200
        assert f"/care/write/?class={s.classes[0].pk}" in home.content.decode()
        form = client.get(s.url(f"/care/write/?class={s.classes[0].pk}"))
        assert form.status_code == 200
        posted = {"class": s.classes[0].pk, "kind": "incident", "concerned": [s.students[0].pk],
                  "witnesses": [s.students[1].pk], "what_happened": "Pushed a classmate.", "situation": "",
                  "next_step": "A talk.", "visibility": "1", "to_student": "on", "to_parents": "on"}
        refused = client.post(s.url("/care/write/"), posted)
        assert refused.status_code == 400
        assert "The situation is needed for this kind of note." in refused.content.decode()
        saved = client.post(s.url("/care/write/"), {**posted, "situation": "On the stairs after maths."})
        assert saved.status_code == 302
        note = Note.objects.get()
        assert {(link.student_id, link.role) for link in note.students.all()} == {
            (s.students[0].pk, "concerned"), (s.students[1].pk, "witness")}
        assert client.get(s.url(f"/care/students/{s.students[0].pk}/")).status_code == 200
        assert client.get(s.url(f"/care/notes/{note.pk}/")).status_code == 200
        assert login_as("teacher", user=s.teachers[1]).get(s.url(f"/care/write/?class={s.classes[1].pk}")) \
            .status_code == 200  # mentor of 2A
        assert login_as("student").get(s.url(f"/care/write/?class={s.classes[0].pk}")).status_code == 403
    with time_machine.travel(dt.datetime(2026, 10, 8, 18, 0, tzinfo=TZ), tick=True):
        assert "Pushed a classmate." in login_as("student").get(s.url("/care/")).content.decode()
        assert "Pushed a classmate." in login_as("parent").get(s.url("/care/")).content.decode()
        witness_parent = login_as("parent", user=s.parents[1]).get(s.url("/care/")).content.decode()
        assert "Pushed a classmate." not in witness_parent  # the family audience is the concerned students


def test_the_api_has_the_pages_rules(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    from krijt.api.tests.conftest import Api, error_of

    s = scenario
    prefix = s.url("").rstrip("/")
    with time_machine.travel(EVENING, tick=True):
        staff = Api(login_as("teacher"), prefix)
        missing = staff.post("/notes", {"kind": "incident", "concerned": [s.students[0].pk],
                                        "what_happened": "Pushed a classmate.", "next_step": "A talk."})
        assert missing.status_code == 400
        assert error_of(missing)["message"] == "The situation is needed for this kind of note."
        made = staff.post("/notes", {"kind": "incident", "concerned": [s.students[0].pk],
                                     "what_happened": "Pushed a classmate.", "situation": "Stairs.",
                                     "next_step": "A talk.", "to_parents": True, "restricted": "Asthma."})
        assert made.status_code == 201
        note_id = made.json()["id"]
        assert made.json()["restricted"] == "Asthma."
        listed = staff.get(f"/students/{s.students[0].pk}/notes").json()
        assert [n["id"] for n in listed] == [note_id]
        other = Api(login_as("teacher", user=s.teachers[1]), prefix)
        assert other.get(f"/notes/{note_id}").status_code == 404
    with time_machine.travel(dt.datetime(2026, 10, 6, 9, 0, tzinfo=TZ), tick=True):
        student = Api(login_as("student"), prefix)
        mine = student.get("/me/notes").json()
        assert [n["id"] for n in mine] == [note_id]
        assert mine[0]["restricted"] is None
        assert mine[0]["visibility"] is None
        replied = student.post(f"/notes/{note_id}/reply", {"student_id": s.students[0].pk, "text": "My side."})
        assert replied.status_code == 200
        parent = Api(login_as("parent"), prefix)
        assert parent.get("/me/notes", student_id=s.students[0].pk).json() == []  # not yet
    with time_machine.travel(dt.datetime(2026, 10, 7, 19, 0, tzinfo=TZ), tick=True):
        parent = Api(login_as("parent"), prefix)
        seen = parent.get("/me/notes", student_id=s.students[0].pk).json()
        assert [r["text"] for r in seen[0]["replies"]] == ["My side."]


def test_an_invitation_names_a_moment_in_the_students_school_hours(scenario: Scenario) -> None:
    s = scenario  # class 1A has lessons from 08:25 to 11:10
    for wrong in (dt.datetime(2026, 10, 6, 14, 0, tzinfo=TZ), dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ),
                  dt.datetime(2026, 10, 5, 9, 0, tzinfo=TZ), dt.datetime(2999, 10, 6, 9, 0, tzinfo=TZ)):
        with pytest.raises(ValidationFailed) as caught:
            write(s, incident(s, talk_at=wrong))  # afternoon, Saturday, already past, far off
        assert "talk_at" in caught.value.fields
    note = write(s, incident(s, talk_at=dt.datetime(2026, 10, 6, 10, 30, tzinfo=TZ)))
    assert note.talk_at == dt.datetime(2026, 10, 6, 10, 30, tzinfo=TZ)


def test_a_parents_reading_is_logged_too(scenario: Scenario) -> None:
    s = scenario
    note = write(s, incident(s))
    with time_machine.travel(dt.datetime(2026, 10, 7, 19, 0, tzinfo=TZ), tick=False):
        services.note_opened(school=s.school, viewer=s.parents[0], roles=PARENT, note_id=note.pk)
        with pytest.raises(NotFound):  # the parent of a child the note is not about
            services.note_opened(school=s.school, viewer=s.parents[2], roles=PARENT, note_id=note.pk)
    assert [v.role for v in selectors.views_of(school=s.school, student=s.students[0])] == ["parent"]


def test_a_long_list_of_notes_others_may_read_does_not_hide_ones_own(scenario: Scenario) -> None:
    s = scenario
    council = s.teachers[1]  # teaches 1A, does not mentor it
    with time_machine.travel(EVENING, tick=False):
        mine = services.note_create(school=s.school, author=council, roles=TEACHER, data=incident(s))
    for n in range(12):  # the mentor's newer notes, for the author and the mentor only
        with time_machine.travel(EVENING + dt.timedelta(minutes=n + 1), tick=False):
            services.note_create(school=s.school, author=s.teacher, roles=TEACHER, data=incident(s, visibility=1))
    reader = selectors.reader_for(school=s.school, user=council, roles=TEACHER)
    assert [x.note.pk for x in selectors.notes_for_staff(school=s.school, reader=reader, limit=3)] == [mine.pk]
