"""Composing: who may write to whom, the picker, the delivery preview, urgent messages, the fan-out request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.core.roles import Role
from krijt.core.worker import run_pending_tasks
from krijt.messaging import audiences
from krijt.messaging.models import Message, MessageRecipient, MessagingPolicy
from krijt.messaging.tests.conftest import FRIDAY_21, TUESDAY_10, Send, grow_school
from krijt.notifications.models import Delivery, Notification, NotificationPolicy, UrgentLog
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def recipients_of(message: Message) -> set[int]:
    return set(MessageRecipient.objects.filter(message=message).values_list("user_id", flat=True))


def test_teacher_writes_to_a_class_its_parents_and_a_course(scenario: Scenario, send: Send, at: Any) -> None:
    at(TUESDAY_10)
    group = scenario.classes[0]
    class_students = {s.pk for s in scenario.students_by_class[group.pk]}
    message = send("teacher", [f"class:{group.pk}"])
    assert recipients_of(message) == class_students
    parents = {p.pk for s, p in zip(scenario.students, scenario.parents, strict=True) if s.pk in class_students}
    message = send("teacher", [f"parents:{group.pk}"])
    assert recipients_of(message) == parents
    assert set(MessageRecipient.objects.filter(message=message).values_list("audience", flat=True)) == {"parent"}
    course = scenario.courses[0]
    message = send("teacher", [f"course:{course.pk}"])
    assert recipients_of(message) == class_students
    assert message.audience_label == f"{course.name} ({group.name})"


def test_picking_a_class_and_its_students_reaches_each_person_once(
    scenario: Scenario, send: Send, at: Any
) -> None:
    at(TUESDAY_10)
    group = scenario.classes[0]
    student = scenario.students_by_class[group.pk][0]
    message = send("teacher", [f"class:{group.pk}", f"user:{student.pk}"])
    assert MessageRecipient.objects.filter(message=message).count() == len(scenario.students_by_class[group.pk])
    assert Notification.objects.filter(key=message.notification_key).count() == 3


def test_admin_reaches_all_teachers_and_the_whole_school(scenario: Scenario, send: Send, at: Any) -> None:
    at(TUESDAY_10)
    message = send("admin", ["teachers"])
    assert recipients_of(message) == {t.pk for t in scenario.teachers}
    message = send("admin", ["school"])
    everyone = {u.pk for u in [*scenario.teachers, *scenario.students, *scenario.parents, scenario.staff]}
    assert recipients_of(message) == everyone  # the sender is left out


@pytest.mark.parametrize(
    ("role", "pick"),
    [
        ("student", "school"),
        ("parent", "school"),
        ("teacher", "school"),
        ("student", "teachers"),
        ("teacher", "teachers"),
        ("student", "class:{class_id}"),
        ("parent", "parents:{class_id}"),
        ("student", "user:{other_student}"),  # students to students: off by default
        ("parent", "user:{other_parent}"),
        ("teacher", "class:{other_class}"),  # not the teacher's class
    ],
)
def test_refused_audiences(scenario: Scenario, login_as: Callable[..., Client], role: str, pick: str) -> None:
    from krijt.schools.models import ClassGroup, Course

    teacher = scenario.teachers[0]
    other_class = ClassGroup.objects.create(school=scenario.school, school_year=scenario.year, name="3A", grade=3)
    Course.objects.create(school=scenario.school, school_year=scenario.year, class_group=other_class, name="Frans",
                          teacher=scenario.teachers[1])
    assert not ClassGroup.objects.filter(pk=other_class.pk, mentor=teacher).exists()
    value = pick.format(class_id=scenario.classes[0].pk, other_student=scenario.students[1].pk,
                        other_parent=scenario.parents[1].pk, other_class=other_class.pk)
    client = login_as(role)
    response = client.post(scenario.url("/messages/new/"), {"to": [value], "subject": "x", "body": "y"})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_allowed_people(scenario: Scenario, send: Send, at: Any) -> None:
    at(TUESDAY_10)
    teacher = scenario.teachers[0]
    assert recipients_of(send("student", [f"user:{teacher.pk}"])) == {teacher.pk}
    assert recipients_of(send("parent", [f"user:{teacher.pk}"])) == {teacher.pk}
    assert recipients_of(send("parent", [f"user:{scenario.staff.pk}"])) == {scenario.staff.pk}
    # A teacher writes to a student and a parent of a class they teach.
    assert recipients_of(send("teacher", [f"user:{scenario.students[0].pk}"])) == {scenario.students[0].pk}
    assert recipients_of(send("teacher", [f"user:{scenario.parents[0].pk}"])) == {scenario.parents[0].pk}


def test_the_school_policy_decides(scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any) -> None:
    at(TUESDAY_10)
    admin = login_as("admin")
    page = admin.get(scenario.url("/messages/settings/"))
    assert page.status_code == 200
    response = admin.post(scenario.url("/messages/settings/"), {
        "students_to_teachers": "", "students_to_students": "on", "parents_to_teachers": "",
        "teachers_to_own_classes": "on", "teachers_to_all_classes": "",
    })
    assert response.status_code == 302
    policy = MessagingPolicy.objects.get(school=scenario.school)
    assert policy.students_to_students
    assert not policy.students_to_teachers
    assert not policy.parents_to_teachers
    other = scenario.students[1]
    assert recipients_of(send("student", [f"user:{other.pk}"])) == {other.pk}
    send("student", [f"user:{scenario.teacher.pk}"], status=403, run=False)
    send("parent", [f"user:{scenario.teacher.pk}"], status=403, run=False)


def test_only_administrators_edit_the_policy(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    for role in ("teacher", "staff", "student", "parent"):
        client = login_as(role)
        assert client.get(scenario.url("/messages/settings/")).status_code == 403
        assert client.post(scenario.url("/messages/settings/"), {"students_to_students": "on"}).status_code == 403
    assert not MessagingPolicy.objects.exists()


def test_validation_errors_keep_the_chosen_recipients(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    client = login_as("teacher")
    group = scenario.classes[0]
    response = client.post(scenario.url("/messages/new/"), {
        "to": [f"class:{group.pk}"], "to_label": [group.name], "subject": "", "body": "<script>x</script>"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'value="class:{group.pk}"' in body
    response = client.post(scenario.url("/messages/new/"), {"subject": "Hallo", "body": "Tekst"})
    assert response.status_code == 400
    assert "Choose at least one recipient." in response.content.decode()
    response = client.post(scenario.url("/messages/new/"), {"to": ["bogus:1"], "subject": "Hallo", "body": "Tekst"})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_the_picker_searches_with_a_fixed_number_of_queries(
    scenario: Scenario, login_as: Callable[..., Client], django_assert_max_num_queries: Any
) -> None:
    grow_school(scenario, students=60)
    client = login_as("admin")
    url = scenario.url("/messages/new/recipients/")
    client.get(url, {"q": "Bu"})
    with django_assert_max_num_queries(9):
        response = client.get(url, {"q": "Bulk"})
    body = response.content.decode()
    assert body.count('class="msg-option"') <= 20
    assert "Bulk S0" in body or "Bulk P0" in body
    teacher = login_as("teacher")
    with django_assert_max_num_queries(9):
        body = teacher.get(url, {"q": "1A"}).content.decode()
    assert f'data-value="class:{scenario.classes[0].pk}"' in body
    assert f'data-value="parents:{scenario.classes[0].pk}"' in body
    assert "Bulk" not in teacher.get(url, {"q": "Bulk"}).content.decode()  # not in the teacher's classes
    student = login_as("student")
    body = student.get(url, {"q": "Stu"}).content.decode()
    assert "msg-option" not in body  # students to students: off
    body = student.get(url, {"q": "Tess"}).content.decode()
    assert f'data-value="user:{scenario.teacher.pk}"' in body
    assert "The whole school" not in student.get(url, {"q": "whole"}).content.decode()
    assert "The whole school" in login_as("admin").get(url, {"q": "whole"}).content.decode()


def test_the_preview_tells_when_it_arrives(scenario: Scenario, login_as: Callable[..., Client], at: Any) -> None:
    at(FRIDAY_21)
    client = login_as("admin")
    group = scenario.classes[0]
    response = client.post(scenario.url("/messages/new/preview/"), {"to": [f"class:{group.pk}", "teachers"]})
    text = " ".join(response.content.decode().split())
    assert "now for 2 recipients" in text
    assert "Monday 5 October 07:00 for 3 recipients" in text
    response = client.post(scenario.url("/messages/new/preview/"), {"to": [f"class:{group.pk}"],
                                                                     "send_at": "2026-10-06T09:30"})
    assert "Tuesday 6 October 09:30 for 3 recipients" in " ".join(response.content.decode().split())
    student = login_as("student")
    response = student.post(scenario.url("/messages/new/preview/"), {"to": ["school"]})
    assert "You may not write to the whole school." in response.content.decode()


def test_urgent_needs_permission_and_a_reason_and_is_logged(
    scenario: Scenario, send: Send, at: Any
) -> None:
    at(FRIDAY_21)
    group = scenario.classes[0]
    send("teacher", [f"class:{group.pk}"], urgent="on", urgent_reason="Brand in de school", status=403, run=False)
    send("admin", [f"class:{group.pk}"], urgent="on", urgent_reason="", status=400, run=False)
    message = send("admin", [f"class:{group.pk}"], urgent="on", urgent_reason="School morgen dicht: storm")
    assert message.urgent
    rows = MessageRecipient.objects.filter(message=message)
    assert {r.visible_at for r in rows} == {FRIDAY_21}  # at once, also in quiet hours
    log = UrgentLog.objects.get(school=scenario.school, key=message.notification_key)
    assert log.actor == scenario.admin
    assert log.reason == "School morgen dicht: storm"
    NotificationPolicy.objects.create(school=scenario.school, urgent_roles=[Role.TEACHER.value])
    from krijt.notifications.selectors import forget_policy

    forget_policy(scenario.school.pk)
    urgent = send("teacher", [f"class:{group.pk}"], urgent="on", urgent_reason="Bus rijdt niet morgen")
    assert urgent.urgent


def test_an_urgent_message_cannot_be_scheduled(scenario: Scenario, send: Send, at: Any) -> None:
    at(TUESDAY_10)
    send("admin", ["teachers"], urgent="on", urgent_reason="Dringend overleg", send_at="2026-10-07T10:00",
         status=400, run=False)


def test_the_whole_school_request_stores_one_row_and_one_task(
    scenario: Scenario, login_as: Callable[..., Client], at: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(TUESDAY_10)
    expand = audiences.expand

    def no_expansion(**kwargs: Any) -> Any:
        raise AssertionError("the request expanded the audience")
    grow_school(scenario, students=1000)  # 1,000 students and 1,000 parents
    client = login_as("admin")
    client.get(scenario.url("/messages/new/"))
    data = {"to": ["school"], "subject": "Nieuwsbrief", "body": "<p>Beste iedereen</p>"}
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        monkeypatch.setattr(audiences, "expand", no_expansion)
        response = client.post(scenario.url("/messages/new/"), data)
        monkeypatch.setattr(audiences, "expand", expand)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    sql = [q["sql"] for q in queries.captured_queries]
    print(f"whole-school send: {len(sql)} queries, {elapsed * 1000:.0f} ms")  # noqa: T201
    assert len(sql) <= 14, "\n".join(sql)
    # The request does not expand the audience: parent links are read only for the sender's own roles,
    # enrollments not at all, and no recipient or notification row is written.
    assert all('"parent_id" = ' in s for s in sql if "accounts_parentlink" in s)
    assert not any("schools_enrollment" in s for s in sql)
    assert not any("messaging_messagerecipient" in s or "notifications_notification" in s for s in sql)
    assert elapsed < 0.3
    message = Message.objects.get(school=scenario.school)
    assert message.fanout_state == Message.Fanout.QUEUED
    assert not MessageRecipient.objects.exists()
    run_pending_tasks()
    message.refresh_from_db()
    assert message.fanout_state == Message.Fanout.DONE
    total = 2000 + len(scenario.students) * 2 + len(scenario.teachers) + 1  # + staff; the admin sends
    assert message.fanout_total == message.fanout_done == total
    assert MessageRecipient.objects.filter(message=message).count() == total
    assert Notification.objects.filter(key=message.notification_key).count() == total


def test_expansion_costs_a_fixed_number_of_queries(
    scenario: Scenario, django_assert_max_num_queries: Any
) -> None:
    grow_school(scenario, students=300)
    picks = audiences.parse(["school", "teachers", f"class:{scenario.classes[0].pk}",
                             f"parents:{scenario.classes[1].pk}", f"course:{scenario.courses[0].pk}",
                             f"user:{scenario.admin.pk}"])
    with django_assert_max_num_queries(10):
        everyone = audiences.expand(school=scenario.school, picks=picks)
    assert len(everyone) == len({r.user_id for r in everyone}) == 600 + 12 + 2 + 2
    assert [r.user_id for r in everyone] == sorted(r.user_id for r in everyone)
    assert Delivery.objects.count() == 0


def test_the_editor_writes_markdown_and_shows_it_as_readers_will(
    scenario: Scenario, login_as: Callable[..., Client], send: Send, at: Any
) -> None:
    from krijt.messaging.models import Message
    from krijt.messaging.tests.conftest import TUESDAY_10

    at(TUESDAY_10)
    client = login_as("teacher")
    page = client.get(scenario.url("/messages/new/")).content.decode()
    assert 'data-md="bold"' in page
    assert 'data-hx-post="' + scenario.url("/messages/new/body-preview/") + '"' in page
    preview = client.post(scenario.url("/messages/new/body-preview/"),
                          {"body": "**Vrijdag** geen les <script>alert(1)</script>\n- uitstap"}).content.decode()
    assert "<strong>Vrijdag</strong>" in preview
    assert "<script" not in preview
    assert "**" not in preview
    group = scenario.classes[0]
    message = send("teacher", [f"class:{group.pk}"], subject="Uitstap", body="**Vrijdag** is er _geen_ les.")
    stored = Message.objects.get(pk=message.pk)
    assert stored.body_html == "<p><strong>Vrijdag</strong> is er <em>geen</em> les.</p>"
    assert stored.body_text == "Vrijdag is er geen les."
