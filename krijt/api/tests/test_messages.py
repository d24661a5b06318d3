"""Messages through the API: the folders and a conversation, visible only once a message reaches its reader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from krijt.accounts.models import User
from krijt.api.tests.conftest import Api, error_of
from krijt.messaging.models import Attachment, Message, MessageRecipient, Thread
from krijt.messaging.selectors import PAGE_SIZE
from krijt.schools.models import School
from tests.scenario import Scenario, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 6, 8, 0, tzinfo=dt.UTC)

QueryCount = Callable[..., Any]


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _message(school: School, sender: User, to: list[User], *, subject: str = "Uitstap", minutes_ago: int = 10,
             visible_in: int = -10, thread: Thread | None = None, read: bool = False) -> Message:
    thread = thread or Thread.objects.create(school=school, subject=subject)
    message = Message.objects.create(
        school=school, thread=thread, sender=sender, subject=subject, body_html=f"<p>{subject}</p>",
        body_text=subject, audience_label="1A", send_at=NOW - dt.timedelta(minutes=minutes_ago),
    )
    visible = NOW + dt.timedelta(minutes=visible_in)
    for user in to:
        MessageRecipient.objects.create(school=school, message=message, user=user, audience="student",
                                        visible_at=visible, read_at=visible if read else None)
    return message


def test_the_inbox_shows_what_reached_me(api_as: Callable[..., Api], scenario: Scenario,
                                         other_school: Scenario) -> None:
    reached = _message(scenario.school, scenario.teacher, [scenario.student], subject="Toets")
    _message(scenario.school, scenario.teacher, [scenario.student], subject="Later", visible_in=30)
    _message(scenario.school, scenario.teacher, [scenario.students[1]], subject="Not mine")
    _message(other_school.school, other_school.teacher, [scenario.student], subject="Elsewhere")
    response = api_as("student").get("/me/messages")
    assert response.status_code == 200
    body = response.json()
    assert body["folder"] == "inbox"
    assert [m["id"] for m in body["results"]] == [reached.pk]
    assert body["unread"] == 1
    first = body["results"][0]
    assert first["subject"] == "Toets"
    assert first["sender"]["id"] == scenario.teacher.pk
    assert first["unread"] is True
    assert first["has_attachments"] is False


def test_sent_scheduled_archive_and_search(api_as: Callable[..., Api], scenario: Scenario) -> None:
    sent = _message(scenario.school, scenario.teacher, [scenario.student], subject="Sent one")
    later = _message(scenario.school, scenario.teacher, [scenario.student], subject="Later one", minutes_ago=-60)
    archived = _message(scenario.school, scenario.teachers[1], [scenario.teacher], subject="Old news")
    MessageRecipient.objects.filter(message=archived).update(archived_at=NOW)
    kept = _message(scenario.school, scenario.teachers[1], [scenario.teacher], subject="Bring shoes")
    api = api_as("teacher")
    assert [m["id"] for m in api.get("/me/messages", folder="sent").json()["results"]] == [sent.pk]
    scheduled = api.get("/me/messages", folder="scheduled").json()["results"]
    assert [m["id"] for m in scheduled] == [later.pk]
    assert scheduled[0]["unread"] is None
    assert [m["id"] for m in api.get("/me/messages", folder="archive").json()["results"]] == [archived.pk]
    assert [m["id"] for m in api.get("/me/messages").json()["results"]] == [kept.pk]
    assert api.get("/me/messages", q="shoes").json()["results"][0]["id"] == kept.pk
    assert api.get("/me/messages", q="nothing like it").json()["results"] == []
    response = api.get("/me/messages", folder="trash")
    assert response.status_code == 400
    assert "folder" in error_of(response)["fields"]


def test_a_thread_marks_read_as_the_page_does(api_as: Callable[..., Api], scenario: Scenario) -> None:
    first = _message(scenario.school, scenario.teacher, [scenario.student], subject="Uitstap", minutes_ago=30)
    reply = _message(scenario.school, scenario.student, [scenario.teacher], thread=first.thread, minutes_ago=20)
    _message(scenario.school, scenario.teacher, [scenario.students[1]], thread=first.thread, minutes_ago=15)
    Attachment.objects.create(school=scenario.school, message=first, file="x.pdf", original_name="brief.pdf",
                              content_type="application/pdf", size=10)
    api = api_as("student")
    response = api.get(f"/messages/{first.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["thread_id"] == first.thread_id
    assert [m["id"] for m in body["messages"]] == [first.pk, reply.pk]
    assert [m["mine"] for m in body["messages"]] == [False, True]
    assert body["messages"][0]["unread"] is True
    assert body["messages"][0]["attachments"][0]["name"] == "brief.pdf"
    assert MessageRecipient.objects.get(message=first, user=scenario.student).read_at == NOW
    assert api.get(f"/messages/{first.pk}").json()["messages"][0]["unread"] is False
    assert api.get("/me/messages").json()["unread"] == 0


def test_a_thread_that_is_not_mine_is_not_found(api_as: Callable[..., Api], scenario: Scenario,
                                                other_school: Scenario) -> None:
    others = _message(scenario.school, scenario.teacher, [scenario.students[1]])
    later = _message(scenario.school, scenario.teacher, [scenario.student], visible_in=30)
    foreign = _message(other_school.school, other_school.teacher, [scenario.student])
    api = api_as("student")
    for message in (others, later, foreign):
        response = api.get(f"/messages/{message.pk}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert MessageRecipient.objects.filter(read_at__isnull=False).count() == 0


def test_messages_refuse_the_wrong_callers(api_as: Callable[..., Api], anonymous_api: Api,
                                           scenario: Scenario) -> None:
    message = _message(scenario.school, scenario.teacher, [scenario.student])
    assert anonymous_api.get("/me/messages").status_code == 401
    assert error_of(anonymous_api.get(f"/messages/{message.pk}"))["code"] == "not_authenticated"
    stranger = api_as("student", user=make_user("stranger", "Str", "Anger"))
    for path in ("/me/messages", f"/messages/{message.pk}"):
        response = stranger.get(path)
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"


def test_with_a_token(scenario: Scenario, client: Any, token_for: Callable[..., str]) -> None:
    message = _message(scenario.school, scenario.teacher, [scenario.student])
    api = Api(client, f"/s/{scenario.school.slug}", token_for(scenario.student))
    assert api.get(f"/messages/{message.pk}").status_code == 200


def test_folders_cost_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    _message(scenario.school, scenario.teacher, [scenario.student])
    student = api_as("student")
    student.get("/me/messages")
    with django_assert_num_queries(3):  # count, page, unread
        assert len(student.get("/me/messages").json()["results"]) == 1
    for n in range(PAGE_SIZE + 2):
        _message(scenario.school, scenario.teacher, [scenario.student], minutes_ago=20 + n)
    with django_assert_num_queries(3):
        assert len(student.get("/me/messages").json()["results"]) == PAGE_SIZE
    teacher = api_as("teacher")
    teacher.get("/me/messages", folder="sent")
    with django_assert_num_queries(3):
        assert len(teacher.get("/me/messages", folder="sent").json()["results"]) == PAGE_SIZE


def test_a_thread_costs_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    first = _message(scenario.school, scenario.teacher, [scenario.student], read=True)
    api = api_as("student")
    api.get(f"/messages/{first.pk}")
    with django_assert_num_queries(4):  # anchor, messages, attachments, my rows
        assert api.get(f"/messages/{first.pk}").status_code == 200
    for n in range(5):
        _message(scenario.school, scenario.teacher, [scenario.student], thread=first.thread, minutes_ago=5 - n,
                 read=True)
    with django_assert_num_queries(4):
        assert len(api.get(f"/messages/{first.pk}").json()["messages"]) == 6
