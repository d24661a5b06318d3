"""The school calendar: audiences as for announcements (a family sees an event once, with its children),
closure and study days written into the school calendar every humane rule reads (no lessons, no test due,
quiet hours as on a day off) and taken out again, recurrence, a student's and a parent's calendar with the
planner's tests and tasks, the calendar feed read by a real iCalendar parser, fixed query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.test import Client

from krijt.accounts.models import Membership, ParentLink, User
from krijt.agenda import selectors, services
from krijt.agenda.models import Event, EventClosure, EventRule
from krijt.agenda.services import EventIn
from krijt.core.errors import Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.notifications.policy import STUDENT as STUDENT_AUDIENCE
from krijt.notifications.policy import earliest_delivery
from krijt.notifications.selectors import policy_for
from krijt.planner import services as planner_services
from krijt.planner.services import WorkloadBlocked
from krijt.planner.tests.factories import make_item, new_feed_address
from krijt.schools.calendar import next_school_hours
from krijt.schools.models import CalendarEntry, Enrollment
from krijt.schools.selectors import lesson_hours, lessons_on, school_calendar
from tests.scenario import Scenario, assert_fixed_queries, build_school, count_queries, make_user

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
ADMIN = frozenset({Role.ADMIN})
STAFF = frozenset({Role.STAFF})
TEACHER = frozenset({Role.TEACHER})
STUDENT = frozenset({Role.STUDENT})
PARENT = frozenset({Role.PARENT})
NOW = dt.datetime(2026, 10, 5, 8, 0, tzinfo=TZ)
STUDY_DAY = dt.date(2026, 10, 14)  # a Wednesday


@pytest.fixture(autouse=True)
def _monday() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def add(s: Scenario, *, author: User | None = None, roles: frozenset[str] = ADMIN, **data: object) -> Event:
    values = {"title": "Parent evening", "starts_on": dt.date(2026, 10, 20), **data}
    return services.event_add(school=s.school, author=author or s.admin, roles=roles,
                              data=EventIn(**values))  # type: ignore[arg-type]


def sibling(s: Scenario) -> User:
    child = make_user("alpha.sibling", "Sib", "Student")
    Membership.objects.create(school=s.school, user=child, role=Role.STUDENT)
    Enrollment.objects.create(school=s.school, school_year=s.year, class_group=s.classes[0], student=child)
    ParentLink.objects.create(school=s.school, parent=s.parent, student=child)
    return child


def titles_on(s: Scenario, user: User, roles: frozenset[str], day: dt.date, **extra: object) -> list[str]:
    days = selectors.days_of(school=s.school, user=user, roles=roles, start=day, end=day, **extra)  # type: ignore[arg-type]
    return [entry.title for entry, _continued in days[0].entries]


def test_an_event_reaches_its_audience_and_a_family_sees_it_once_with_its_children(scenario: Scenario) -> None:
    s = scenario
    sibling(s)
    first, second = s.classes
    day = dt.date(2026, 10, 20)
    add(s, title="Parent evening 1A", audience=[f"parents-class:{first.pk}"], start_time=dt.time(19),
        end_time=dt.time(21), place="Refter", category=Event.Category.PARENT_EVENING)
    add(s, title="Swimming 2A", audience=[f"class:{second.pk}"], category=Event.Category.EXCURSION)
    add(s, title="Staff meeting", audience=["staff"])
    add(s, title="School photo", audience=["school"])
    in_first, in_second = s.students_by_class[first.pk][0], s.students_by_class[second.pk][0]
    assert titles_on(s, in_first, STUDENT, day) == ["School photo"]
    assert sorted(titles_on(s, in_second, STUDENT, day)) == ["School photo", "Swimming 2A"]
    days = selectors.days_of(school=s.school, user=s.parent, roles=PARENT, start=day, end=day)
    entries = {e.title: e for e, _c in days[0].entries}
    assert sorted(entries) == ["Parent evening 1A", "School photo"]  # once, though two children are in 1A
    assert entries["Parent evening 1A"].children == ("Sib", "Stu1")
    assert entries["Parent evening 1A"].hours == "19:00–21:00"
    assert sorted(titles_on(s, s.staff, STAFF, day)) == [
        "Parent evening 1A", "School photo", "Staff meeting", "Swimming 2A"]  # the office sees every event
    assert "Parent evening 1A" in titles_on(s, s.teacher, TEACHER, day)  # teaches 1A: knows what it was told
    newcomer = make_user("alpha.newcomer", "New", "Teacher")
    Membership.objects.create(school=s.school, user=newcomer, role=Role.TEACHER)
    assert sorted(titles_on(s, newcomer, TEACHER, day)) == ["School photo", "Staff meeting"]
    # A parent narrows the calendar to one child; another family's child is not theirs to ask for.
    assert sorted(titles_on(s, s.parent, PARENT, day, child_id=s.student.pk)) == ["Parent evening 1A", "School photo"]
    with pytest.raises(NotFound):
        selectors.days_of(school=s.school, user=s.parent, roles=PARENT, start=day, end=day,
                          child_id=s.students[1].pk)


def test_a_teacher_adds_events_for_their_own_classes_only(scenario: Scenario) -> None:
    s = scenario
    mine = add(s, author=s.teacher, roles=TEACHER, title="Trip 1A", audience=[f"class:{s.classes[0].pk}"],
               category=Event.Category.EXCURSION)
    assert mine.audience_label == "Students of 1A"
    with pytest.raises(Forbidden):
        add(s, author=s.teacher, roles=TEACHER, audience=["school"])
    with pytest.raises(Forbidden):  # a study day closes the school: administrators only
        add(s, author=s.staff, roles=STAFF, title="Study day", category=Event.Category.STUDY_DAY,
            starts_on=STUDY_DAY)
    with pytest.raises(Forbidden):  # another teacher cannot change it; the office can
        services.event_change(school=s.school, actor=s.teachers[1], roles=TEACHER, event_id=mine.pk,
                              data=EventIn(title="Mine now", starts_on=dt.date(2026, 10, 21)))
    changed = services.event_change(school=s.school, actor=s.staff, roles=STAFF, event_id=mine.pk, data=EventIn(
        title="Trip 1A to Ieper", starts_on=dt.date(2026, 10, 21), audience=[f"class:{s.classes[0].pk}"]))
    assert (changed.title, changed.sequence) == ("Trip 1A to Ieper", 1)


@pytest.mark.parametrize(("data", "field"), [
    ({"title": " "}, "title"),
    ({"ends_on": dt.date(2026, 10, 19)}, "ends_on"),
    ({"ends_on": dt.date(2027, 1, 20)}, "ends_on"),
    ({"start_time": dt.time(19)}, "end_time"),
    ({"start_time": dt.time(19), "end_time": dt.time(18)}, "end_time"),
    ({"rule": "FREQ=WEEKLY"}, "rule"),
    ({"rule": "FREQ=SECONDLY;COUNT=9"}, "rule"),
    ({"category": "party"}, "category"),
    ({"category": "study_day", "start_time": dt.time(8), "end_time": dt.time(12)}, "start_time"),
])
def test_bad_input_is_refused_with_a_message_at_its_field(scenario: Scenario, data: dict[str, object],
                                                          field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add(scenario, **data)  # type: ignore[arg-type]
    assert field in caught.value.fields
    assert not Event.objects.exists()


def test_a_study_day_removes_lessons_blocks_tests_and_moves_the_humane_windows(scenario: Scenario) -> None:
    s = scenario
    group = s.classes[0]
    wednesday_morning = dt.datetime.combine(STUDY_DAY, dt.time(10), tzinfo=TZ)
    policy = policy_for(school=s.school)
    assert lessons_on(school=s.school, day=STUDY_DAY, class_group=group)
    assert earliest_delivery(moment=wednesday_morning, audience=STUDENT_AUDIENCE, channel="push", urgent=False,
                             policy=policy, calendar=school_calendar(school=s.school), tz=TZ) == wednesday_morning
    study = add(s, title="Pedagogical study day", category=Event.Category.STUDY_DAY, starts_on=STUDY_DAY,
                audience=[f"class:{group.pk}"])
    assert selectors.keys_of(event=study) == ["school"]  # a day without lessons is the whole school's
    entry = CalendarEntry.objects.get(school=s.school, kind=CalendarEntry.Kind.CLOSURE)
    assert (entry.starts_on, entry.ends_on, entry.name) == (STUDY_DAY, STUDY_DAY, "Pedagogical study day")
    calendar = school_calendar(school=s.school)
    assert not calendar.is_school_day(STUDY_DAY)
    assert lessons_on(school=s.school, day=STUDY_DAY, class_group=group) == []
    hours = lesson_hours(school=s.school, class_group_id=group.pk)
    assert next_school_hours(wednesday_morning, hours=hours, calendar=calendar, tz=TZ).date() == STUDY_DAY + \
        dt.timedelta(days=1)
    # The engine's quiet hours treat it as a day off for students (holidays are quiet by default).
    assert earliest_delivery(moment=wednesday_morning, audience=STUDENT_AUDIENCE, channel="push", urgent=False,
                             policy=policy, calendar=calendar, tz=TZ) > wednesday_morning
    with pytest.raises(WorkloadBlocked):
        planner_services.item_plan(school=s.school, actor=s.teacher, roles=TEACHER, course=s.courses[0],
                                   kind="test", title="Breuken", due_date=STUDY_DAY, minutes=50)
    # The student's calendar shows the study day, not a holiday line besides it.
    assert titles_on(s, s.student, STUDENT, STUDY_DAY) == ["Pedagogical study day"]
    # Moved to the Friday: the Wednesday has lessons again.
    friday = STUDY_DAY + dt.timedelta(days=2)
    services.event_change(school=s.school, actor=s.admin, roles=ADMIN, event_id=study.pk, data=EventIn(
        title="Pedagogical study day", category=Event.Category.STUDY_DAY, starts_on=friday))
    calendar = school_calendar(school=s.school)
    assert calendar.is_school_day(STUDY_DAY)
    assert not calendar.is_school_day(friday)
    assert list(CalendarEntry.objects.filter(school=s.school, kind="closure").values_list("starts_on", flat=True)) \
        == [friday]
    # Cancelled: a school day again, and the event stays visible as cancelled.
    services.event_cancel(school=s.school, actor=s.admin, roles=ADMIN, event_id=study.pk)
    assert school_calendar(school=s.school).is_school_day(friday)
    assert not EventClosure.objects.exists()
    (shown, _continued), = selectors.days_of(school=s.school, user=s.student, roles=STUDENT, start=friday,
                                              end=friday)[0].entries
    assert shown.cancelled


def test_a_closure_tells_its_author_of_tests_already_due_and_lies_inside_a_school_year(scenario: Scenario) -> None:
    s = scenario
    make_item(s.courses[0], day=STUDY_DAY, title="Breuken")
    study = add(s, title="Study day", category=Event.Category.CLOSURE, starts_on=STUDY_DAY)
    assert selectors.planned_on_closed_days(school=s.school, event=study) == 1
    with pytest.raises(ValidationFailed) as caught:
        add(s, title="Summer closure", category=Event.Category.CLOSURE, starts_on=dt.date(2027, 7, 15))
    assert "starts_on" in caught.value.fields
    assert Event.objects.count() == 1


def test_a_repeating_event_shows_on_each_school_day_it_falls_on(scenario: Scenario) -> None:
    s = scenario
    add(s, title="Homework class", starts_on=dt.date(2026, 12, 2), start_time=dt.time(15, 30),
        end_time=dt.time(16, 30), rule="FREQ=WEEKLY;UNTIL=20270113", skip_days_without_school=True)
    days = selectors.days_of(school=s.school, user=s.student, roles=STUDENT, start=dt.date(2026, 12, 14),
                             end=dt.date(2027, 1, 15))
    dates = [d.day for d in days if any(e.title == "Homework class" for e, _c in d.entries)]
    assert dates == [dt.date(2026, 12, 16), dt.date(2027, 1, 6), dt.date(2027, 1, 13)]


def test_a_students_and_a_parents_calendar_hold_the_planners_tests_and_tasks(scenario: Scenario) -> None:
    s = scenario
    day = dt.date(2026, 10, 7)
    make_item(s.courses[0], day=day, kind="test", title="Breuken", lesson_period=s.lesson_periods[0])
    make_item(s.courses[2], day=day, kind="task", title="Other class")
    make_item(s.courses[1], day=day, kind="task", title="Not yet visible", visible_from=NOW + dt.timedelta(days=9))
    add(s, title="Sports day", starts_on=day)
    (student_day,) = selectors.days_of(school=s.school, user=s.student, roles=STUDENT, start=day, end=day)
    shown = [(e.kind, e.title) for e, _c in student_day.entries]
    assert shown == [("event", "Sports day"), ("test", "Wiskunde: Breuken")]
    (parent_day,) = selectors.days_of(school=s.school, user=s.parent, roles=PARENT, start=day, end=day)
    test = next(e for e, _c in parent_day.entries if e.kind == "test")
    assert test.children == ("Stu1",)
    assert test.hours.startswith("08:")


def test_adding_an_event_for_the_whole_school_costs_the_same_for_a_small_and_a_large_school(db: None) -> None:
    small, large = build_school("small", students_per_class=2), build_school("large", students_per_class=40)
    assert_fixed_queries(lambda: add(small, author=small.admin), lambda: add(large, author=large.admin))
    assert EventRule.objects.filter(school=large.school).count() == 1


def test_a_months_calendar_costs_the_same_with_two_events_or_forty(scenario: Scenario) -> None:
    s = scenario
    start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)

    def read() -> None:
        selectors.days_of(school=s.school, user=s.parent, roles=PARENT, start=start, end=end)

    add(s, title="One")
    add(s, title="Weekly", rule="FREQ=WEEKLY;COUNT=10", audience=[f"parents-class:{s.classes[0].pk}"])
    read()  # warm the reader's cached audience
    few = count_queries(read)
    for n in range(38):
        add(s, title=f"Event {n}", starts_on=dt.date(2026, 10, 1 + n % 28), rule="FREQ=DAILY;COUNT=3" if n % 2 else "",
            audience=["school", f"parents-grade:{s.classes[0].grade}"])
    make_item(s.courses[0], day=dt.date(2026, 10, 8), title="Breuken")
    assert count_queries(read) == few


def test_the_calendar_feed_holds_events_holidays_and_the_students_timetable(scenario: Scenario, login_as) -> None:
    s = scenario
    evening = add(s, title="Parent evening", starts_on=dt.date(2026, 10, 27), start_time=dt.time(19),
                  end_time=dt.time(21), place="Refter", description="Talk to every teacher.",
                  category=Event.Category.PARENT_EVENING)
    weekly = add(s, title="Homework class", starts_on=dt.date(2026, 10, 7), start_time=dt.time(15, 30),
                 end_time=dt.time(16, 30), rule="FREQ=WEEKLY;COUNT=3")
    add(s, title="Study day", category=Event.Category.STUDY_DAY, starts_on=STUDY_DAY)
    cancelled = add(s, title="Cancelled concert", starts_on=dt.date(2026, 10, 9))
    services.event_cancel(school=s.school, actor=s.admin, roles=ADMIN, event_id=cancelled.pk)
    add(s, title="Only for 2A", audience=[f"class:{s.classes[1].pk}"])
    item = make_item(s.courses[0], day=dt.date(2026, 10, 8), kind="test", title="Breuken")
    path = new_feed_address(login_as("student"), s)
    body = Client().get(path).content
    calendar = icalendar.Calendar.from_ical(body)
    events = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    host = "@alpha.testserver"
    assert all(str(e["UID"]).endswith(host) for e in calendar.walk("VEVENT"))
    ev = events[f"event-{evening.pk}"]
    assert ev.decoded("DTSTART") == dt.datetime(2026, 10, 27, 18, 0, tzinfo=dt.UTC)  # 19:00 winter time
    assert str(ev["LOCATION"]) == "Refter"
    assert "Talk to every teacher." in str(ev["DESCRIPTION"])
    assert str(ev["URL"]).endswith(f"/s/alpha/calendar/event/{evening.pk}/")
    # Weekly, skipping days without school: not on the study day of 14 October.
    assert [k for k in events if k.startswith(f"event-{weekly.pk}-")] == [
        f"event-{weekly.pk}-20261007", f"event-{weekly.pk}-20261021"]
    assert str(events[f"event-{cancelled.pk}"]["STATUS"]) == "CANCELLED"
    assert not any("Only for 2A" in str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert "Kerstvakantie" in {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert str(events[f"planner-{item.pk}"]["URL"]).endswith(f"/s/alpha/planner/item/{item.pk}/")
    lessons = [e for k, e in events.items() if k.startswith("lesson-")]
    days = {e.decoded("DTSTART").astimezone(TZ).date() for e in lessons}
    assert dt.date(2026, 10, 5) in days
    assert STUDY_DAY not in days  # no lessons on the study day
    assert dt.date(2026, 10, 10) not in days  # nor on a Saturday
    # Each lesson at its period's wall-clock time, before and after the clocks change on 25 October.
    first_period = s.lesson_periods[0].starts_at
    starts = {e.decoded("DTSTART").astimezone(TZ).date(): e.decoded("DTSTART").astimezone(TZ).time()
              for e in lessons if str(e["SUMMARY"]) == "Wiskunde"}
    assert starts[dt.date(2026, 10, 23)] == first_period
    assert starts[dt.date(2026, 10, 26)] == first_period
    wiskunde = next(e for e in lessons if str(e["SUMMARY"]) == "Wiskunde")
    assert str(wiskunde["LOCATION"]).startswith("B1")
    # A parent's feed has the events, not the lessons.
    parent_body = Client().get(new_feed_address(login_as("parent"), s)).content
    parent_uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(parent_body).walk("VEVENT")]
    assert any(u.startswith(f"event-{evening.pk}@") for u in parent_uids)
    assert not any(u.startswith("lesson-") for u in parent_uids)


def test_pages_for_every_role(scenario: Scenario, login_as) -> None:
    s = scenario
    event = add(s, title="Parent evening", starts_on=dt.date(2026, 10, 20), start_time=dt.time(19),
                end_time=dt.time(21), category=Event.Category.PARENT_EVENING, place="Refter")
    for role in ("student", "parent", "teacher", "staff", "admin"):
        client = login_as(role)
        for view in ("month", "week", "agenda"):
            response = client.get(s.url(f"/calendar/?view={view}&day=2026-10-20"))
            assert response.status_code == 200, (role, view)
            assert "Parent evening" in response.content.decode(), (role, view)
        page = client.get(s.url(f"/calendar/event/{event.pk}/")).content.decode()
        assert "Refter" in page
        assert ("Cancel the event" in page) == (role in {"staff", "admin"})
    client = login_as("parent")
    assert client.get(s.url("/calendar/?day=3000-01-01")).status_code == 400
    assert client.get(s.url("/calendar/?day=nonsense")).status_code == 200
    assert client.get(s.url(f"/calendar/?child={s.students[1].pk}")).status_code == 404
    assert client.get(s.url("/calendar/new/")).status_code == 403


def test_an_author_adds_changes_and_cancels_an_event_on_the_pages(scenario: Scenario, login_as) -> None:
    s = scenario
    client = login_as("admin")
    form = {"title": "Excursion to Ieper", "category": "excursion", "starts_on": "2026-10-22",
            "start_time": "08:30", "end_time": "16:00", "place": "Ieper", "audience": [f"class:{s.classes[0].pk}"],
            "repeat": "", "skip_days_without_school": "on"}
    missing = client.post(s.url("/calendar/new/"), {**form, "starts_on": ""})
    assert missing.status_code == 400
    no_end = client.post(s.url("/calendar/new/"), {**form, "repeat": "weekly"})
    assert no_end.status_code == 400
    assert "Say until when the event repeats." in no_end.content.decode()
    response = client.post(s.url("/calendar/new/"), form)
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/calendar/event/{event.pk}/")
    assert (event.start_time, event.place, event.audience_label) == (dt.time(8, 30), "Ieper", "Students of 1A")
    page = client.get(s.url(f"/calendar/event/{event.pk}/change/")).content.decode()
    assert 'value="Excursion to Ieper"' in page
    changed = client.post(s.url(f"/calendar/event/{event.pk}/change/"),
                          {**form, "repeat": "weekly", "repeat_until": "2026-11-30"})
    assert changed.status_code == 302
    event.refresh_from_db()
    assert event.rule == "FREQ=WEEKLY;UNTIL=20261130T235959"
    assert client.post(s.url(f"/calendar/event/{event.pk}/cancel/")).status_code == 302
    event.refresh_from_db()
    assert event.cancelled_at is not None
    assert client.get(s.url(f"/calendar/event/{event.pk}/change/")).status_code == 404
    # The study day form warns of tests still due that day.
    make_item(s.courses[0], day=STUDY_DAY, title="Breuken")
    done = client.post(s.url("/calendar/new/"), {"title": "Study day", "category": "study_day",
                                                  "starts_on": STUDY_DAY.isoformat(), "audience": ["school"]},
                       follow=True)
    assert "1 test or task is still due on a day without lessons now" in done.content.decode()


def test_an_announcement_is_put_in_the_calendar_with_its_audience(scenario: Scenario, login_as) -> None:
    from krijt.announcements import services as news
    from krijt.announcements.services import AnnouncementIn

    s = scenario
    item = news.announcement_post(school=s.school, author=s.admin, roles=ADMIN, data=AnnouncementIn(
        title="Excursion to Ghent", body="We go by train.", audience=[f"parents-class:{s.classes[0].pk}"],
        reply="slip", slip_question="May your child come?", slip_options=["Yes", "No"]))
    client = login_as("admin")
    page = client.get(s.url(f"/calendar/new/?announcement={item.pk}")).content.decode()
    assert 'value="Excursion to Ghent"' in page
    assert f'value="parents-class:{s.classes[0].pk}" checked' in page or \
        re.search(rf'value="parents-class:{s.classes[0].pk}"[^>]*checked', page)
    event = add(s, title="Excursion to Ghent", starts_on=dt.date(2026, 10, 23), announcement_id=item.pk,
                audience=[f"parents-class:{s.classes[0].pk}"])
    parent_page = login_as("parent").get(s.url(f"/calendar/event/{event.pk}/")).content.decode()
    assert f"/news/{item.pk}/" in parent_page
    other = build_school("beta")
    with pytest.raises(NotFound):  # another school's announcement is not to be linked
        services.event_add(school=other.school, author=other.admin, roles=ADMIN, data=EventIn(
            title="Borrowed", starts_on=dt.date(2026, 10, 23), announcement_id=item.pk))


def test_the_api_adds_changes_reads_and_cancels_events_through_the_same_doors(scenario: Scenario, login_as) -> None:
    import json

    s = scenario
    api = f"/s/{s.school.slug}/api/v1"
    client = login_as("admin")

    def send(method: str, path: str, body: dict[str, object]) -> Any:
        return getattr(client, method)(api + path, json.dumps(body), content_type="application/json")

    created = send("post", "/events", {"title": "Exam period", "starts_on": "2026-12-07", "ends_on": "2026-12-18",
                                       "category": "exam_period", "audience": ["students"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["category"], body["ends_on"], body["audience"]) == ("exam_period", "2026-12-18", "All students")
    refused = send("post", "/events", {"title": "Bad", "starts_on": "2026-12-07", "rule": "FREQ=WEEKLY"})
    assert refused.status_code == 400
    assert "rule" in json.dumps(refused.json())
    weekly = send("post", "/events", {"title": "Choir", "starts_on": "2026-10-06", "start_time": "12:30",
                                      "end_time": "13:15", "rule": "RRULE:FREQ=WEEKLY;UNTIL=20261103T225959Z"})
    assert weekly.json()["rule"] == "FREQ=WEEKLY;UNTIL=20261103T235959"
    assert weekly.json()["upcoming"][:2] == ["2026-10-06", "2026-10-13"]
    event_id = body["id"]
    changed = send("put", f"/events/{event_id}", {"title": "Exams", "starts_on": "2026-12-08",
                                                  "ends_on": "2026-12-18", "category": "exam_period",
                                                  "audience": ["students"]})
    assert changed.json()["title"] == "Exams"
    student = login_as("student")
    listed = student.get(api + "/calendar", {"from": "2026-12-14", "to": "2026-12-20"}).json()
    assert [(e["kind"], e["title"], e["starts_on"]) for e in listed] == [("event", "Exams", "2026-12-08")]
    assert student.get(api + "/calendar", {"from": "2026-12-20", "to": "2026-12-14"}).status_code == 400
    assert student.get(api + f"/events/{event_id}").json()["title"] == "Exams"
    assert student.post(api + f"/events/{event_id}/cancel").status_code == 403
    assert login_as("parent").get(api + "/calendar", {"from": "2026-12-14", "to": "2026-12-20",
                                                      "child_id": s.students[1].pk}).status_code == 404
    client = login_as("admin")
    assert client.post(api + f"/events/{event_id}/cancel").json()["cancelled"] is True
