"""Reading: folders, visibility moments, threads, replies, search, attachments, scheduled changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from krijt.core.worker import run_pending_tasks
from krijt.messaging.models import Attachment, Message, MessageRecipient
from krijt.messaging.tests.conftest import FRIDAY_21, MONDAY_07, TUESDAY_10, Send, local
from krijt.notifications.models import Delivery, Notification
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_quiet_hours_hold_a_friday_evening_message_until_monday(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    at(FRIDAY_21)
    group = scenario.classes[0]
    student = scenario.students_by_class[group.pk][0]
    message = send("teacher", [f"class:{group.pk}", f"user:{scenario.teachers[1].pk}"], subject="Toets maandag")
    row = MessageRecipient.objects.get(message=message, user=student)
    assert row.visible_at == MONDAY_07
    assert MessageRecipient.objects.get(message=message, user=scenario.teachers[1]).visible_at == FRIDAY_21
    client = login_as("student", user=student)
    assert "Toets maandag" not in client.get(scenario.url("/messages/")).content.decode()
    assert client.get(scenario.url(f"/messages/{message.pk}/")).status_code == 404
    assert client.get(scenario.url("/messages/unread/")).content.decode().strip() == ""
    teacher2 = login_as("teacher", user=scenario.teachers[1])
    assert "Toets maandag" in teacher2.get(scenario.url("/messages/")).content.decode()
    at(local(2026, 10, 5, 6, 59))
    client = login_as("student", user=student)
    assert "Toets maandag" not in client.get(scenario.url("/messages/")).content.decode()
    at(MONDAY_07)
    assert "Toets maandag" in client.get(scenario.url("/messages/")).content.decode()
    assert ">1<" in client.get(scenario.url("/messages/unread/")).content.decode()
    assert client.get(scenario.url(f"/messages/{message.pk}/")).status_code == 200
    row.refresh_from_db()
    assert row.read_at is not None
    assert client.get(scenario.url("/messages/unread/")).content.decode().strip() == ""


def test_a_parent_sees_what_is_addressed_to_the_parent_not_to_the_child(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    at(TUESDAY_10)
    group = scenario.classes[0]
    send("teacher", [f"class:{group.pk}"], subject="Voor de leerlingen")
    send("teacher", [f"parents:{group.pk}"], subject="Voor de ouders")
    body = login_as("parent").get(scenario.url("/messages/")).content.decode()
    assert "Voor de ouders" in body
    assert "Voor de leerlingen" not in body
    body = login_as("student").get(scenario.url("/messages/")).content.decode()
    assert "Voor de leerlingen" in body
    assert "Voor de ouders" not in body


def fill_mailboxes(scenario: Scenario, send: Send, n: int) -> None:
    group = scenario.classes[0]
    for i in range(n):
        send("teacher", [f"class:{group.pk}"], subject=f"Bericht {i}", run=False)
        send("teacher", [f"class:{group.pk}"], subject=f"Later {i}", send_at="2026-10-20T10:00", run=False)
    run_pending_tasks()


@pytest.mark.parametrize("n", [2, 6])
def test_folders_cost_a_fixed_number_of_queries(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any,
    django_assert_num_queries: Any, n: int,
) -> None:
    at(TUESDAY_10)
    fill_mailboxes(scenario, send, n)
    student = scenario.students_by_class[scenario.classes[0].pk][0]
    message = Message.objects.filter(subject="Bericht 0").get()
    client = login_as("student", user=student)
    client.post(scenario.url(f"/messages/{message.pk}/archive/"), {"archived": "1"})
    # The inbox's first page is a cached part: built once (held back, shown, unread, count), then
    # nothing at all; the other folders and searches read the database.
    with django_assert_num_queries(4):
        assert client.get(scenario.url("/messages/")).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(scenario.url("/messages/")).status_code == 200
    for path in ("/messages/archive/", "/messages/search/?q=Bericht", "/messages/?page=2"):
        with django_assert_num_queries(3):
            response = client.get(scenario.url(path))
        assert response.status_code == 200
    teacher = login_as("teacher")
    for path in ("/messages/sent/", "/messages/scheduled/"):
        with django_assert_num_queries(3):
            response = teacher.get(scenario.url(path))
        assert response.status_code == 200
    body = teacher.get(scenario.url("/messages/scheduled/")).content.decode()
    assert body.count("Later ") == n
    assert "Bericht 0" not in body


@pytest.mark.parametrize("replies", [1, 5])
def test_a_thread_costs_a_fixed_number_of_queries(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any,
    django_assert_num_queries: Any, replies: int,
) -> None:
    at(TUESDAY_10)
    teacher = scenario.teacher
    message = send("student", [f"user:{teacher.pk}"], subject="Vraag over de taak")
    for i in range(replies):
        login_as("teacher").post(scenario.url(f"/messages/{message.pk}/reply/"), {"body": f"Antwoord {i}"})
        login_as("student").post(scenario.url(f"/messages/{message.pk}/reply/"), {"body": f"Nog een vraag {i}"})
    run_pending_tasks()
    client = login_as("student")
    client.get(scenario.url(f"/messages/{message.pk}/"))
    with django_assert_num_queries(5):
        response = client.get(scenario.url(f"/messages/{message.pk}/"))
    body = response.content.decode()
    assert body.count("Antwoord ") == replies
    assert "Re: Vraag over de taak" in login_as("teacher").get(scenario.url("/messages/")).content.decode()


def test_replies_go_to_the_sender_and_the_thread_keeps_them_together(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    at(TUESDAY_10)
    group = scenario.classes[0]
    message = send("teacher", [f"class:{group.pk}"], subject="Uitstap")
    student = scenario.students_by_class[group.pk][0]
    client = login_as("student", user=student)
    response = client.post(scenario.url(f"/messages/{message.pk}/reply/"), {"body": "Mag ik later komen?"})
    assert response.status_code == 302
    run_pending_tasks()
    reply = Message.objects.get(reply_to=message)
    assert reply.thread_id == message.thread_id
    assert set(MessageRecipient.objects.filter(message=reply).values_list("user_id", flat=True)) == {
        scenario.teacher.pk}
    # Another student of the class does not see the reply.
    other = login_as("student", user=scenario.students_by_class[group.pk][1])
    assert "Mag ik later komen?" not in other.get(scenario.url(f"/messages/{message.pk}/")).content.decode()
    teacher_view = login_as("teacher").get(scenario.url(f"/messages/{message.pk}/")).content.decode()
    assert "Mag ik later komen?" in teacher_view


def test_search_finds_only_ones_own_messages(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    at(TUESDAY_10)
    send("teacher", [f"user:{scenario.students[0].pk}"], subject="Zwemmen", body="Vergeet je badmuts niet")
    send("teacher", [f"user:{scenario.students[1].pk}"], subject="Geheim", body="Alleen voor jou: badmuts")
    body = login_as("student").get(scenario.url("/messages/search/"), {"q": "badmuts"}).content.decode()
    assert "Zwemmen" in body
    assert "Geheim" not in body
    body = login_as("teacher").get(scenario.url("/messages/search/"), {"q": "BADMUTS"}).content.decode()
    assert "Zwemmen" in body
    assert "Geheim" in body


def test_archive_and_back(scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any) -> None:
    at(TUESDAY_10)
    message = send("teacher", [f"user:{scenario.students[0].pk}"], subject="Opruimen")
    client = login_as("student")
    assert client.post(scenario.url(f"/messages/{message.pk}/archive/"), {"archived": "1"}).status_code == 302
    assert "Opruimen" not in client.get(scenario.url("/messages/")).content.decode()
    assert "Opruimen" in client.get(scenario.url("/messages/archive/")).content.decode()
    client.post(scenario.url(f"/messages/{message.pk}/archive/"), {"archived": "0"})
    assert "Opruimen" in client.get(scenario.url("/messages/")).content.decode()


def test_attachments_are_checked_stored_and_downloaded_with_permission(
    scenario: Scenario, login_as: Callable[..., Client], at: Any, settings: Any
) -> None:
    at(TUESDAY_10)
    client = login_as("teacher")
    student = scenario.students[0]
    url = scenario.url("/messages/new/")
    data = {"to": [f"user:{student.pk}"], "subject": "Bijlage", "body": "Zie bijlage"}
    exe = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/pdf")
    assert client.post(url, {**data, "attachments": [exe]}).status_code == 400
    fake = SimpleUploadedFile("brief.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    assert client.post(url, {**data, "attachments": [fake]}).status_code == 400
    big = SimpleUploadedFile("groot.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    assert client.post(url, {**data, "attachments": [big]}).status_code == 413
    assert not Attachment.objects.exists()
    good = SimpleUploadedFile("brief.pdf", PDF, content_type="text/html")
    notes = SimpleUploadedFile("notities.txt", "Één regel".encode(), content_type="text/plain")
    assert client.post(url, {**data, "attachments": [good, notes]}).status_code == 302
    run_pending_tasks()
    pdf = Attachment.objects.get(original_name="brief.pdf")
    assert pdf.content_type == "application/pdf"  # decided by the server, not the browser
    assert "brief" not in pdf.file.name  # stored under a random name
    download = scenario.url(f"/messages/attachments/{pdf.pk}/")
    response = login_as("student", user=student).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login_as("teacher").get(download).status_code == 200
    assert login_as("student", user=scenario.students[1]).get(download).status_code == 404
    assert login_as("parent").get(download).status_code == 404


def test_scheduled_messages_can_be_changed_and_cancelled_until_their_time(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    at(TUESDAY_10)
    group = scenario.classes[0]
    student = scenario.students_by_class[group.pk][0]
    message = send("teacher", [f"class:{group.pk}"], subject="Morgen", send_at="2026-10-07T08:00")
    row = MessageRecipient.objects.get(message=message, user=student)
    assert row.visible_at == local(2026, 10, 7, 8, 0)
    old_key = message.notification_key
    assert Notification.objects.filter(key=old_key).count() == 3
    client = login_as("teacher")
    assert "Morgen" in client.get(scenario.url("/messages/scheduled/")).content.decode()
    assert "Morgen" not in client.get(scenario.url("/messages/sent/")).content.decode()
    response = client.post(scenario.url(f"/messages/{message.pk}/edit/"),
                           {"subject": "Overmorgen", "body": "Toch donderdag", "send_at": "2026-10-08T08:00"})
    assert response.status_code == 302
    run_pending_tasks()
    message.refresh_from_db()
    assert message.subject == "Overmorgen"
    assert not Notification.objects.filter(key=old_key).exists()
    assert Notification.objects.filter(key=message.notification_key).count() == 3
    assert MessageRecipient.objects.get(message=message, user=student).visible_at == local(2026, 10, 8, 8, 0)
    assert MessageRecipient.objects.filter(message=message).count() == 3
    at(local(2026, 10, 8, 7, 59))
    assert "Overmorgen" not in login_as("student", user=student).get(scenario.url("/messages/")).content.decode()
    response = login_as("teacher").post(scenario.url(f"/messages/{message.pk}/cancel/"))
    assert response.status_code == 302
    assert not MessageRecipient.objects.filter(message=message).exists()
    assert not Notification.objects.filter(key__startswith=f"message:{message.pk}:").exists()
    assert not Delivery.objects.exists()
    at(local(2026, 10, 8, 9, 0))
    assert "Overmorgen" not in login_as("student", user=student).get(scenario.url("/messages/")).content.decode()
    # Once sent, it can no longer be changed.
    sent_message = send("teacher", [f"class:{group.pk}"], subject="Nu")
    assert login_as("teacher").post(scenario.url(f"/messages/{sent_message.pk}/cancel/")).status_code == 409
    assert login_as("teacher").get(scenario.url(f"/messages/{sent_message.pk}/edit/")).status_code == 404
    # Someone else's scheduled message is not found.
    later = send("teacher", [f"class:{group.pk}"], subject="Later", send_at="2026-10-09T08:00")
    other = login_as("teacher", user=scenario.teachers[1])
    assert other.post(scenario.url(f"/messages/{later.pk}/cancel/")).status_code == 404


def test_the_cached_first_page_of_the_inbox_follows_every_change(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    """Reading, archiving and a new message show on the next inbox page, and the cached first page reads
    as the database's does (the second page comes from the database)."""
    at(TUESDAY_10)
    group = scenario.classes[0]
    student = scenario.students_by_class[group.pk][0]
    first = send("teacher", [f"class:{group.pk}"], subject="Eerste bericht")
    client = login_as("student", user=student)
    page = client.get(scenario.url("/messages/")).content.decode()
    assert "Eerste bericht" in page
    assert 'class="unread"' in page
    client.get(scenario.url(f"/messages/{first.pk}/"))  # reading marks it read
    assert 'class="unread"' not in client.get(scenario.url("/messages/")).content.decode()
    send("teacher", [f"class:{group.pk}"], subject="Tweede bericht")
    client = login_as("student", user=student)
    assert "Tweede bericht" in client.get(scenario.url("/messages/")).content.decode()
    client.post(scenario.url(f"/messages/{first.pk}/archive/"), {"archived": "1"})
    cached = client.get(scenario.url("/messages/")).content.decode()
    assert "Eerste bericht" not in cached
    from krijt.messaging import selectors

    first_page = selectors.inbox_first_page(school=scenario.school, user=student)
    assert first_page is not None
    cached_page, unread = first_page
    from_database = selectors.inbox_page(school=scenario.school, user=student)
    assert [r.message.pk for r in cached_page.object_list] == [r.message_id for r in from_database.object_list]
    assert cached_page.paginator.count == from_database.paginator.count
    assert unread == selectors.unread_count(school=scenario.school, user=student)


def test_reading_a_message_reads_its_notification_too(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    at(TUESDAY_10)
    group = scenario.classes[0]
    student = scenario.students_by_class[group.pk][0]
    message = send("teacher", [f"class:{group.pk}"], subject="Lees mij")
    other = send("teacher", [f"class:{group.pk}"], subject="Nog niet gelezen")
    run_pending_tasks()
    mine = Notification.objects.filter(school=scenario.school, recipient=student)
    assert mine.filter(read_at__isnull=True).count() == 2
    waiting = Delivery.objects.filter(notification__key=message.notification_key, recipient=student)
    assert waiting.filter(state="pending").exists()  # an e-mail or push still to go out
    client = login_as("student", user=student)
    assert client.get(scenario.url(f"/messages/{message.pk}/")).status_code == 200
    assert mine.get(key=message.notification_key).read_at is not None
    assert not waiting.filter(state="pending").exists()  # nothing is sent about what was read
    assert Delivery.objects.filter(notification__key=other.notification_key, recipient=student,
                                   state="pending").exists()
    assert mine.get(key=other.notification_key).read_at is None  # only what was read
    classmate = scenario.students_by_class[group.pk][1]
    assert Notification.objects.get(recipient=classmate, key=message.notification_key).read_at is None


def test_a_reply_reads_with_the_readers_own_prefix(
    scenario: Scenario, send: Send, login_as: Callable[..., Client], at: Any
) -> None:
    from django.conf import settings

    from krijt.messaging import subjects

    at(TUESDAY_10)
    with translation.override("nl"):
        assert subjects.for_reader("Antw: Uitstap") == "Antw: Uitstap"
    with translation.override("en"):
        assert subjects.for_reader("Antw: Uitstap") == "Re: Uitstap"
        assert subjects.for_reader("Antwerpen bezoek") == "Antwerpen bezoek"  # only a prefix followed by a space
    with translation.override("fr"):
        assert subjects.for_reader("Re: Trip").startswith(translation.gettext("Re:"))
    group = scenario.classes[0]
    student = scenario.students_by_class[group.pk][0]
    message = send("teacher", [f"class:{group.pk}"], subject="Uitstap")
    from krijt.messaging import services

    with translation.override("nl"):
        services.message_reply(school=scenario.school, sender=student, roles=frozenset({"student"}),
                               message_id=message.pk, body="Mag ik mijn fiets meenemen?")
    run_pending_tasks()
    teacher = login_as("teacher")
    teacher.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    inbox = teacher.get(scenario.url("/messages/")).content.decode()
    assert "Re: Uitstap" in inbox
    assert "Antw: Uitstap" not in inbox
