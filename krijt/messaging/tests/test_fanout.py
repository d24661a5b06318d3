"""The fan-out survives a worker that dies mid-way: running it again finishes the job, once per person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from krijt.core.worker import run_pending_tasks
from krijt.messaging import services
from krijt.messaging.models import Message, MessageRecipient
from krijt.messaging.tests.conftest import TUESDAY_10, grow_school
from krijt.notifications.models import Delivery, Notification
from tests.scenario import Scenario

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class WorkerDied(Exception):
    pass


def crash_after(monkeypatch: pytest.MonkeyPatch, chunks: int) -> list[int]:
    """The fan-out dies (like a killed worker) when it starts chunk number `chunks + 1`."""
    original = services._fanout_chunk
    calls: list[int] = []

    def dying(**kwargs: Any) -> bool:
        calls.append(len(kwargs["chunk"]))
        if len(calls) > chunks:
            raise WorkerDied()
        return original(**kwargs)

    monkeypatch.setattr(services, "_fanout_chunk", dying)
    return calls


def assert_once_each(message: Message, expected: int) -> None:
    assert MessageRecipient.objects.filter(message=message).count() == expected
    doubles = (MessageRecipient.objects.filter(message=message).values("user_id")
               .annotate(n=Count("pk")).filter(n__gt=1))
    assert not doubles.exists()
    assert Notification.objects.filter(key=message.notification_key).count() == expected
    per_channel = (Delivery.objects.filter(notification__key=message.notification_key)
                   .values("recipient_id", "channel").annotate(n=Count("pk")).filter(n__gt=1))
    assert not per_channel.exists()
    channels = dict(Delivery.objects.filter(notification__key=message.notification_key)
                    .values_list("channel").annotate(n=Count("pk")))
    assert channels == {"email": expected, "push": expected - channels_without_push(message)}


def channels_without_push(message: Message) -> int:
    # Parents get the daily digest by default: their e-mail goes there, without a push per item.
    return Delivery.objects.filter(notification__key=message.notification_key, channel="email", digest=True).count()


def test_a_crash_after_the_second_chunk_then_a_second_run_gives_one_row_per_recipient(
    scenario: Scenario, login_as: Callable[..., Client], time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    time_machine.move_to(TUESDAY_10, tick=False)
    grow_school(scenario, students=2500)  # 5,000 people with the parents
    client = login_as("admin")
    response = client.post(scenario.url("/messages/new/"),
                           {"to": ["school"], "subject": "Nieuwsbrief", "body": "Beste iedereen"})
    assert response.status_code == 302
    message = Message.objects.get(school=scenario.school)
    expected = 5000 + len(scenario.students) * 2 + len(scenario.teachers) + 1
    calls = crash_after(monkeypatch, 2)
    with pytest.raises(WorkerDied):
        services.message_fanout(message_id=message.pk, generation=message.generation)
    assert calls == [1000, 1000, 1000]
    message.refresh_from_db()
    assert message.fanout_state == Message.Fanout.RUNNING
    assert message.fanout_done == 2000
    assert MessageRecipient.objects.filter(message=message).count() == 2000
    monkeypatch.undo()
    # The task that died is gone; the same task runs again (from the queue, or resumed).
    services.message_fanout(message_id=message.pk, generation=message.generation)
    message.refresh_from_db()
    assert message.fanout_state == Message.Fanout.DONE
    assert message.fanout_done == message.fanout_total == expected
    assert_once_each(message, expected)
    # A third run (a duplicate task) changes nothing.
    services.message_fanout(message_id=message.pk, generation=message.generation)
    Message.objects.filter(pk=message.pk).update(fanout_state=Message.Fanout.RUNNING, fanout_cursor=0)
    services.message_fanout(message_id=message.pk, generation=message.generation)
    assert_once_each(message, expected)


def test_resume_queues_a_stalled_fanout_again(
    scenario: Scenario, login_as: Callable[..., Client], time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    time_machine.move_to(TUESDAY_10, tick=False)
    grow_school(scenario, students=1200)
    monkeypatch.setattr(services, "FANOUT_CHUNK", 500)
    client = login_as("admin")
    client.post(scenario.url("/messages/new/"), {"to": ["school"], "subject": "Brief", "body": "Tekst"})
    message = Message.objects.get(school=scenario.school)
    crash_after(monkeypatch, 1)
    run_pending_tasks()  # the task fails in its second chunk (the worker records it as failed)
    message.refresh_from_db()
    assert message.fanout_done == 500
    assert message.fanout_state == Message.Fanout.RUNNING
    monkeypatch.undo()
    monkeypatch.setattr(services, "FANOUT_CHUNK", 500)
    assert services.resume_stalled_fanouts() == 0  # not stalled yet: it may still be running
    time_machine.move_to(TUESDAY_10 + dt.timedelta(minutes=10), tick=False)
    call_command("messages_resume")
    assert services.resume_stalled_fanouts() == 0  # queued once, not again at once
    run_pending_tasks()
    message.refresh_from_db()
    expected = 2400 + len(scenario.students) * 2 + len(scenario.teachers) + 1
    assert message.fanout_state == Message.Fanout.DONE
    assert_once_each(message, expected)


def test_a_fanout_of_an_older_version_stops(scenario: Scenario, login_as: Callable[..., Client],
                                            time_machine: Any) -> None:
    time_machine.move_to(TUESDAY_10, tick=False)
    client = login_as("teacher")
    client.post(scenario.url("/messages/new/"), {"to": [f"class:{scenario.classes[0].pk}"], "subject": "Later",
                                                 "body": "x", "send_at": "2026-10-09T10:00"})
    message = Message.objects.get(school=scenario.school)
    client.post(scenario.url(f"/messages/{message.pk}/cancel/"))
    run_pending_tasks()  # the queued fan-out of the cancelled message
    assert not MessageRecipient.objects.exists()
    assert not Notification.objects.exists()
