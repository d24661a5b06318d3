"""The urgent-message log: administrators see who sent what, when, why, to whom and how many it reached."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from krijt.notifications.models import Notification
from krijt.notifications.services import Target, notify
from krijt.notifications.tests.conftest import KIND
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Brussels")


def urgent(s: Scenario, key: str, subject: str, reason: str, at: dt.datetime) -> None:
    targets = [Target(p.pk, "parent", about_student_id=c.pk) for p, c in zip(s.parents, s.students, strict=True)]
    targets += [Target(st.pk, "student") for st in s.students[:2]]
    with time_machine.travel(at, tick=False):
        notify(
            school=s.school, kind=KIND, key=key, targets=targets, params={"subject": subject}, url="/x/",
            urgent=True, actor=s.admin, reason=reason, audience_label="Parents of 1A and 2A, two students",
        )


def test_administrators_see_every_urgent_message_filtered_by_period(
    scenario: Scenario, other_school: Scenario, login_as: Any
) -> None:
    s = scenario
    urgent(s, "u1", "School closed", "Storm warning", dt.datetime(2026, 10, 5, 21, 0, tzinfo=TZ))
    urgent(s, "u2", "Bus late", "Strike", dt.datetime(2026, 10, 20, 7, 30, tzinfo=TZ))
    urgent(other_school, "u9", "Elsewhere", "Not ours", dt.datetime(2026, 10, 20, 7, 30, tzinfo=TZ))
    Notification.objects.filter(key="u1", recipient=s.parents[0]).update(read_at=dt.datetime(2026, 10, 6, tzinfo=TZ))
    admin = login_as("admin")
    page = admin.get(s.url("/notifications/urgent")).content.decode()
    assert "Storm warning" in page
    assert "Strike" in page
    assert "Not ours" not in page
    assert "Ann Admin" in page
    assert "Parents of 1A and 2A, two students" in page
    assert "2 students, 6 parents" in page
    assert "8 people" in page
    assert "1 opened it" in page
    assert "5 Oct 2026, 21:00" in page  # in the school's time zone
    filtered = admin.get(s.url("/notifications/urgent?since=2026-10-10&until=2026-10-31")).content.decode()
    assert "Strike" in filtered
    assert "Storm warning" not in filtered
    wrong = admin.get(s.url("/notifications/urgent?since=2026-10-31&until=2026-10-10"))
    assert wrong.status_code == 400
    assert "The end lies on or after the start." in wrong.content.decode()
    # Days a calendar cannot convert are refused, not a server error.
    for query in ("since=0001-01-01", "until=9999-12-31"):
        extreme = admin.get(s.url(f"/notifications/urgent?{query}"))
        assert extreme.status_code == 400
        assert "Choose a day between 1900 and 2999." in extreme.content.decode()
    for role in ("teacher", "staff", "student", "parent"):
        assert login_as(role).get(s.url("/notifications/urgent")).status_code == 403
    # The API reads the same log.
    admin = login_as("admin")
    api = admin.get(s.url("/api/v1/notifications/urgent-log?since=2026-10-01"))
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["reason"], first["recipients"], first["audiences"]) == ("Strike", 8, {"parent": 6, "student": 2})
    assert first["sender"] == "Ann Admin"
    assert admin.get(s.url("/api/v1/notifications/urgent-log?since=2026-10-31&until=2026-10-01")).status_code == 400
    assert admin.get(s.url("/api/v1/notifications/urgent-log?until=9999-12-31")).status_code == 400
    assert login_as("teacher").get(s.url("/api/v1/notifications/urgent-log")).status_code == 403


def test_the_log_page_costs_the_same_for_one_and_for_many(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    admin = login_as("admin")
    urgent(s, "u1", "One", "First", dt.datetime(2026, 10, 5, 9, 0, tzinfo=TZ))
    admin.get(s.url("/notifications/urgent"))
    with CaptureQueriesContext(connection) as few:
        admin.get(s.url("/notifications/urgent"))
    for n in range(2, 12):
        urgent(s, f"u{n}", f"Item {n}", "Reason", dt.datetime(2026, 10, 5, 9, n, tzinfo=TZ))
    with CaptureQueriesContext(connection) as many:
        admin.get(s.url("/notifications/urgent"))
    assert len(many.captured_queries) == len(few.captured_queries)
