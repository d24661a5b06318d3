"""The demo's in-process worker also sends due notifications."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.test import override_settings

from krijt.core.worker import start_background_worker
from krijt.notifications.models import Delivery
from krijt.notifications.services import Target, notify
from krijt.notifications.tests.conftest import KIND
from tests.scenario import Scenario


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_background_worker_dispatches(scenario: Scenario, no_push: None) -> None:
    staff = [Target(user_id=t.pk, audience="staff") for t in scenario.teachers]
    notify(
        school=scenario.school,
        kind=KIND,
        key="urgent:1",
        targets=staff,
        params={"subject": "Now"},
        url="/",
        urgent=True,
        actor=scenario.admin,
        reason="Test of the alarm",
    )
    stop = threading.Event()
    thread = start_background_worker(interval=0.05, stop=stop)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Delivery.objects.filter(state="pending").exists():
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert sorted(Delivery.objects.values_list("channel", "state")) == [
        ("email", "sent"),
        ("email", "sent"),
        ("push", "skipped"),
        ("push", "skipped"),
    ]
    assert len(mail.outbox) == 2
