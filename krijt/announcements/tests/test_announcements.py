"""Announcements: audiences read on the fly, one announcement per family, scheduling and the engine's
quiet hours, urgent announcements, answers per class and reminders, translations, changes and withdrawals,
files through the upload checker, cached lists kept right by the services that change them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.accounts.models import Membership, ParentLink, User
from krijt.announcements import selectors, services
from krijt.announcements.models import Announcement, AnnouncementFile, Answer, AudienceRule
from krijt.announcements.services import AnnouncementIn
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.notifications.models import Delivery, Notification
from krijt.schools.models import Enrollment
from tests.scenario import Scenario, make_user

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
ADMIN = frozenset({Role.ADMIN})
TEACHER = frozenset({Role.TEACHER})
STUDENT = frozenset({Role.STUDENT})
PARENT = frozenset({Role.PARENT})
MONDAY_MORNING = dt.datetime(2026, 10, 5, 8, 25, tzinfo=TZ)
MONDAY_NIGHT = dt.datetime(2026, 10, 5, 22, 30, tzinfo=TZ)


def post(s: Scenario, *, audience: list[str], author: User | None = None, roles: frozenset[str] = ADMIN,
         at: dt.datetime = MONDAY_MORNING, **extra: object) -> Announcement:
    data = {"title": "Excursion to Ghent", "body": "We visit the **Gravensteen** on Friday.", "audience": audience,
            **extra}
    with time_machine.travel(at, tick=False):
        return services.announcement_post(school=s.school, author=author or s.admin, roles=roles,
                                          data=AnnouncementIn(**data))  # type: ignore[arg-type]


def fan_out(item: Announcement) -> None:
    item.refresh_from_db()
    services.announcement_fanout(announcement_id=item.pk, generation=item.generation)


def titles(s: Scenario, user: User, roles: frozenset[str], at: dt.datetime = MONDAY_MORNING,
           language: str = "en") -> list[str]:
    with time_machine.travel(at + dt.timedelta(minutes=5), tick=False):
        return [r["title"] for r in selectors.feed(school=s.school, user=user, roles=roles, language=language)]


def sibling(s: Scenario) -> User:
    """The first parent gets a second child in the same class."""
    group = s.classes[0]
    child = make_user("alpha.sibling", "Sib", "Student")
    Membership.objects.create(school=s.school, user=child, role=Role.STUDENT)
    Enrollment.objects.create(school=s.school, school_year=s.year, class_group=group, student=child)
    ParentLink.objects.create(school=s.school, parent=s.parent, student=child)
    return child


def test_audiences_reach_whom_they_say_and_a_family_sees_an_announcement_once(scenario: Scenario) -> None:
    s = scenario
    sibling(s)
    first, second = s.classes
    post(s, audience=[f"parents-class:{first.pk}"], title="Parents' evening 1A")
    post(s, audience=[f"class:{second.pk}"], title="Swimming for 2A")
    post(s, audience=["staff"], title="Staff meeting")
    post(s, audience=["school"], title="School photo")
    in_first, in_second = s.students_by_class[first.pk][0], s.students_by_class[second.pk][0]
    assert titles(s, in_first, STUDENT) == ["School photo"]
    assert titles(s, in_second, STUDENT) == ["School photo", "Swimming for 2A"]
    parent_rows = selectors.feed(school=s.school, user=s.parent, roles=PARENT, language="en")
    assert [r["title"] for r in parent_rows] == ["School photo", "Parents' evening 1A"]
    assert parent_rows[1]["children"] == ["Sib", "Stu1"]
    assert titles(s, s.staff, frozenset({Role.STAFF})) == ["School photo", "Staff meeting"]
    # The teacher of both classes reads what went to them, to answer their students' questions.
    assert titles(s, s.teacher, TEACHER) == ["School photo", "Staff meeting", "Swimming for 2A", "Parents' evening 1A"]
    item = Announcement.objects.get(title="Parents' evening 1A")
    fan_out(item)
    told = Notification.objects.filter(key=item.notification_key)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        {ParentLink.objects.get(student=st).parent_id for st in s.students_by_class[first.pk]})
    assert told.filter(recipient=s.parent).count() == 1  # two children there, one notification


def test_posting_to_the_whole_school_costs_the_same_for_ten_or_three_thousand(scenario: Scenario) -> None:
    s = scenario

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            post(s, audience=["school"], title="Study day")
        return len(queries)

    few = cost()
    people = User.objects.bulk_create([User(username=f"mass{i}", first_name="M") for i in range(3000)])
    Membership.objects.bulk_create([Membership(school=s.school, user=u, role=Role.STUDENT) for u in people])
    Enrollment.objects.bulk_create([Enrollment(school=s.school, school_year=s.year, class_group=s.classes[i % 2],
                                               student=u) for i, u in enumerate(people)])
    assert cost() == few
    item = Announcement.objects.filter(title="Study day").latest("pk")
    assert AudienceRule.objects.filter(announcement=item).count() == 1
    assert not Notification.objects.filter(key=item.notification_key).exists()  # the worker tells them
    fan_out(item)
    assert Notification.objects.filter(key=item.notification_key).count() > 3000


def test_a_scheduled_announcement_shows_from_its_moment_and_pushes_respect_quiet_hours(scenario: Scenario) -> None:
    s = scenario
    friday = dt.datetime(2026, 10, 9, 7, 30, tzinfo=TZ)
    item = post(s, audience=["students"], at=MONDAY_MORNING, publish_at=friday, title="Friday news")
    assert titles(s, s.student, STUDENT) == []
    assert titles(s, s.student, STUDENT, at=friday) == ["Friday news"]
    with time_machine.travel(MONDAY_MORNING, tick=False), pytest.raises(NotFound):
        services.announcement_opened(school=s.school, user=s.student, roles=STUDENT, announcement_id=item.pk)
    late = post(s, audience=["school"], at=MONDAY_NIGHT, title="Late news")
    fan_out(late)
    for delivery in Delivery.objects.filter(notification__key=late.notification_key).exclude(
            recipient__in=[s.admin]).select_related("notification"):
        local = delivery.due_at.astimezone(TZ)
        assert (local.date(), local.time() >= dt.time(7, 0)) == (dt.date(2026, 10, 6), True), delivery
    parents = Delivery.objects.filter(notification__key=late.notification_key, notification__audience="parent")
    assert parents.exists()
    assert all(d.digest for d in parents if d.channel == "email")
    assert not parents.filter(channel="push").exists()  # parents: the digest, never a push of its own


def test_an_urgent_announcement_reaches_parents_at_once_and_needs_the_role_and_a_reason(scenario: Scenario) -> None:
    s = scenario
    with pytest.raises(ValidationFailed):
        post(s, audience=["parents"], urgent=True)
    with pytest.raises(Forbidden):
        post(s, audience=[f"parents-class:{s.classes[0].pk}"], author=s.teacher, roles=TEACHER, urgent=True,
             urgent_reason="Flooding")
    item = post(s, audience=["parents"], urgent=True, urgent_reason="The school is closed: a burst pipe.",
                at=dt.datetime(2026, 10, 5, 6, 40, tzinfo=TZ))
    fan_out(item)
    pushes = Delivery.objects.filter(notification__key=item.notification_key, channel="push")
    assert pushes.count() == len(s.parents)
    assert all(d.due_at == item.publish_at for d in pushes)


def test_a_teacher_addresses_only_their_own_classes(scenario: Scenario) -> None:
    s = scenario
    other = s.teachers[1]
    from krijt.schools.models import ClassGroup, Course

    lonely = ClassGroup.objects.create(school=s.school, school_year=s.year, name="3A", grade=3)
    Course.objects.create(school=s.school, school_year=s.year, class_group=lonely, name="Frans", teacher=s.admin)
    with pytest.raises(Forbidden):
        post(s, audience=[f"class:{lonely.pk}"], author=other, roles=TEACHER)
    with pytest.raises(Forbidden):
        post(s, audience=["school"], author=other, roles=TEACHER)
    assert post(s, audience=[f"class:{s.classes[0].pk}"], author=other, roles=TEACHER).pk
    with pytest.raises(ValidationFailed):
        post(s, audience=["everyone-and-their-dog"])
    with pytest.raises(Forbidden):
        post(s, audience=["school"], author=s.student, roles=STUDENT)


def test_required_fields_and_moments(scenario: Scenario) -> None:
    s = scenario
    with pytest.raises(ValidationFailed) as empty:
        post(s, audience=["school"], title=" ", body="")
    assert set(empty.value.fields) == {"title", "body"}
    with pytest.raises(ValidationFailed) as past:
        post(s, audience=["school"], publish_at=MONDAY_MORNING - dt.timedelta(hours=2))
    assert "publish_at" in past.value.fields
    with pytest.raises(ValidationFailed) as slip:
        post(s, audience=["school"], reply="slip", slip_question="May Lena come?", slip_options=["Yes"])
    assert "slip_options" in slip.value.fields
    with pytest.raises(ValidationFailed) as expiry:
        post(s, audience=["school"], expires_at=MONDAY_MORNING - dt.timedelta(days=1))
    assert "expires_at" in expiry.value.fields
    body = post(s, audience=["school"], body="<script>alert(1)</script>Come <a href='javascript:x'>here</a>")
    assert "script" not in body.body_html
    assert "javascript" not in body.body_html


def test_consent_slip_answers_per_child_and_per_class_with_a_reminder_for_the_rest(scenario: Scenario) -> None:
    s = scenario
    child = sibling(s)
    first = s.classes[0]
    item = post(s, audience=[f"parents-class:{first.pk}"], reply="slip", slip_question="May your child come along?",
                slip_options=["Yes", "No"], answer_by=dt.date(2026, 10, 8))
    fan_out(item)
    at = MONDAY_MORNING + dt.timedelta(hours=10)
    with time_machine.travel(at, tick=False):
        services.answer_give(school=s.school, user=s.parent, roles=PARENT, announcement_id=item.pk,
                             student_id=s.student.pk, choice="Yes")
        with pytest.raises(ValidationFailed):
            services.answer_give(school=s.school, user=s.parent, roles=PARENT, announcement_id=item.pk,
                                 student_id=child.pk, choice="Maybe")
        with pytest.raises(NotFound):  # a child of another family
            services.answer_give(school=s.school, user=s.parent, roles=PARENT, announcement_id=item.pk,
                                 student_id=s.students[1].pk, choice="No")
        with pytest.raises(ValidationFailed):  # a parent answers for a child, not for themselves
            services.answer_give(school=s.school, user=s.parent, roles=PARENT, announcement_id=item.pk, choice="No")
        shown = selectors.reader_view(school=s.school, user=s.parent, roles=PARENT, item=item, language="en")
        assert [(name, answer) for _id, name, answer in shown.children] == [("Sib", ""), ("Stu1", "Yes")]
        answers = selectors.answers_by_class(school=s.school, user=s.admin, roles=ADMIN, announcement_id=item.pk)
        [row] = answers.classes
        assert (row.expected, row.answered, row.by_choice) == (4, 1, {"Yes": 1})
        assert "Sib Student" in row.waiting
        assert "Stu1 Student" not in row.waiting
        with pytest.raises(NotFound):
            selectors.answers_by_class(school=s.school, user=s.teachers[1], roles=TEACHER, announcement_id=item.pk)
        services.reminder_send(school=s.school, actor=s.admin, roles=ADMIN, announcement_id=item.pk)
        with pytest.raises(Conflict):
            services.reminder_send(school=s.school, actor=s.admin, roles=ADMIN, announcement_id=item.pk)
    told = services.reminder_fanout(announcement_id=item.pk, number=1)
    reminded = Notification.objects.filter(key=f"announcement:{item.pk}:reminder:1")
    assert told == reminded.count() == 3  # the two other families, and the first about the sibling
    assert reminded.get(recipient=s.parent).about_student_id == child.pk
    for delivery in Delivery.objects.filter(notification__in=reminded, channel="email"):
        assert delivery.digest
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, 0, tzinfo=TZ), tick=False), pytest.raises(Conflict):
        services.answer_give(school=s.school, user=s.parent, roles=PARENT, announcement_id=item.pk,
                             student_id=child.pk, choice="No")


def test_read_acknowledgement_by_students_and_the_list_puts_unread_first(scenario: Scenario) -> None:
    s = scenario
    post(s, audience=["students"], title="Older", at=MONDAY_MORNING - dt.timedelta(hours=1))
    item = post(s, audience=["students"], title="Please confirm", reply="read")
    pinned = post(s, audience=["school"], title="Pinned", at=MONDAY_MORNING - dt.timedelta(hours=2),
                  pinned_until=dt.date(2026, 10, 9))
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=1), tick=False):
        services.announcement_opened(school=s.school, user=s.student, roles=STUDENT, announcement_id=item.pk)
        services.announcement_opened(school=s.school, user=s.student, roles=STUDENT, announcement_id=pinned.pk)
    assert titles(s, s.student, STUDENT) == ["Pinned", "Please confirm", "Older"]  # read, but it wants an answer
    rows = {r["title"]: r for r in selectors.feed(school=s.school, user=s.student, roles=STUDENT, language="en")}
    assert rows["Please confirm"]["needs_answer"]
    assert rows["Please confirm"]["read"]
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=2), tick=False):
        services.answer_give(school=s.school, user=s.student, roles=STUDENT, announcement_id=item.pk, choice="x")
    assert Answer.objects.get(announcement=item).choice == "read"
    assert titles(s, s.student, STUDENT) == ["Pinned", "Older", "Please confirm"]
    assert titles(s, s.student, STUDENT, at=dt.datetime(2026, 10, 12, 8, 0, tzinfo=TZ))[0] == "Older"


def test_a_reader_reads_the_authors_translation(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    item = post(s, audience=["students"], title="Sportdag", body="Breng je **sportkledij** mee.", language="nl",
                translations={"fr": ("Journée sportive", "Apporte tes vêtements de sport."), "en": ("", "")})
    assert titles(s, s.student, STUDENT, language="fr") == ["Journée sportive"]
    assert titles(s, s.student, STUDENT, language="en") == ["Sportdag"]
    client = login_as("student")
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=5), tick=False):
        client.cookies["krijt_language"] = "fr"
        page = client.get(s.url(f"/news/{item.pk}/"))
    assert "Journée sportive" in page.content.decode()


def test_changes_before_publication_tell_again_and_after_keep_the_audience(scenario: Scenario) -> None:
    s = scenario
    friday = dt.datetime(2026, 10, 9, 7, 30, tzinfo=TZ)
    item = post(s, audience=["students"], publish_at=friday)
    fan_out(item)
    old_key = item.notification_key
    assert Notification.objects.filter(key=old_key).exists()
    data = AnnouncementIn(title="Excursion moved", body="Now on Thursday.", audience=["parents"],
                          publish_at=friday - dt.timedelta(days=1))
    with time_machine.travel(MONDAY_MORNING, tick=False):
        services.announcement_change(school=s.school, actor=s.admin, roles=ADMIN, announcement_id=item.pk, data=data)
    item.refresh_from_db()
    assert not Notification.objects.filter(key=old_key).exists()
    fan_out(item)
    assert set(Notification.objects.filter(key=item.notification_key).values_list("audience", flat=True)) == {"parent"}
    assert titles(s, s.student, STUDENT, at=friday) == []
    with time_machine.travel(friday, tick=False):
        with pytest.raises(Conflict):
            services.announcement_change(school=s.school, actor=s.admin, roles=ADMIN, announcement_id=item.pk,
                                         data=AnnouncementIn(title="x", body="y", audience=["school"]))
        services.announcement_change(school=s.school, actor=s.admin, roles=ADMIN, announcement_id=item.pk,
                                     data=AnnouncementIn(title="Excursion on Thursday", body="Bring a lunch.",
                                                         audience=["parents"]))
    item.refresh_from_db()
    assert (item.title, item.publish_at) == ("Excursion on Thursday", friday - dt.timedelta(days=1))


def test_withdrawing_takes_it_from_lists_and_what_was_not_sent(scenario: Scenario) -> None:
    s = scenario
    item = post(s, audience=["school"], at=MONDAY_NIGHT)
    fan_out(item)
    assert titles(s, s.student, STUDENT, at=MONDAY_NIGHT) == ["Excursion to Ghent"]
    with pytest.raises(NotFound):
        services.announcement_withdraw(school=s.school, actor=s.teacher, roles=TEACHER, announcement_id=item.pk)
    with time_machine.travel(MONDAY_NIGHT + dt.timedelta(minutes=10), tick=False):
        services.announcement_withdraw(school=s.school, actor=s.admin, roles=ADMIN, announcement_id=item.pk)
    assert titles(s, s.student, STUDENT, at=MONDAY_NIGHT) == []
    assert not Notification.objects.filter(key__startswith=f"announcement:{item.pk}:").exists()
    assert not Delivery.objects.filter(notification__key__startswith=f"announcement:{item.pk}:").exists()


def test_files_go_through_the_upload_checker_and_only_readers_open_them(
        scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    program = SimpleUploadedFile("programme.pdf", b"%PDF-1.4 the day's programme", content_type="application/pdf")
    with time_machine.travel(MONDAY_MORNING, tick=False):
        item = services.announcement_post(
            school=s.school, author=s.admin, roles=ADMIN, files=[program],
            data=AnnouncementIn(title="Programme", body="See the file.", audience=[f"class:{s.classes[0].pk}"]))
        with pytest.raises(ValidationFailed):
            services.announcement_post(school=s.school, author=s.admin, roles=ADMIN, data=AnnouncementIn(
                title="Bad", body="A program.", audience=["school"]),
                files=[SimpleUploadedFile("run.pdf", b"MZ\x90\x00", content_type="application/pdf")])
    row = AnnouncementFile.objects.get(announcement=item)
    url = s.url(f"/news/{item.pk}/files/{row.pk}/")
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=5), tick=False):
        assert login_as("student").get(url).status_code == 200
        other = s.students_by_class[s.classes[1].pk][0]
        assert login_as("student", user=other).get(url).status_code == 404


def test_the_list_is_a_cached_part_kept_right_by_the_services(scenario: Scenario) -> None:
    s = scenario
    post(s, audience=["students"], title="First")
    assert titles(s, s.student, STUDENT) == ["First"]
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=5), tick=False), CaptureQueriesContext(
            connection) as warm:
        selectors.feed(school=s.school, user=s.student, roles=STUDENT, language="en")
    assert len(warm) == 0
    post(s, audience=[f"class:{s.classes[0].pk}"], title="Second", at=MONDAY_MORNING + dt.timedelta(minutes=1))
    assert titles(s, s.student, STUDENT) == ["Second", "First"]
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=6), tick=False):
        services.announcement_opened(school=s.school, user=s.student, roles=STUDENT,
                                     announcement_id=Announcement.objects.get(title="First").pk)
        rows = selectors.feed(school=s.school, user=s.student, roles=STUDENT, language="en")
    assert [(r["title"], r["read"]) for r in rows] == [("Second", False), ("First", True)]


def test_no_school_sees_anothers_announcements(scenario: Scenario, other_school: Scenario,
                                               login_as: Callable[..., Client]) -> None:
    s = scenario
    item = post(s, audience=["school"], title="Alpha only")
    beta = other_school
    assert titles(beta, beta.student, STUDENT) == []
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=5), tick=False):
        assert login_as("student", user=beta.student).get(beta.url(f"/news/{item.pk}/")).status_code == 404
        with pytest.raises(NotFound):
            services.announcement_opened(school=beta.school, user=beta.admin, roles=ADMIN, announcement_id=item.pk)
