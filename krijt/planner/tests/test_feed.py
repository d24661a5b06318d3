"""The secret calendar address, read by a real iCalendar parser."""

from __future__ import annotations

import datetime as dt
import hashlib

import icalendar
import pytest
from django.test import Client

from krijt.agenda.services import EventIn, event_add
from krijt.planner.models import FeedToken
from krijt.planner.tests.conftest import WEEK
from krijt.planner.tests.factories import make_item, new_feed_address
from tests.scenario import Scenario, count_queries

pytestmark = pytest.mark.usefixtures("school_hours")


def test_a_students_feed_holds_their_class_items(scenario: Scenario, login_as) -> None:
    test = make_item(
        scenario.courses[0], day=WEEK, kind="test", title="Breuken", lesson_period=scenario.lesson_periods[0]
    )
    task = make_item(scenario.courses[1], day=WEEK + dt.timedelta(days=1), kind="task", title="Leesverslag")
    make_item(scenario.courses[2], day=WEEK, title="Other class")
    cancelled = make_item(scenario.courses[0], day=WEEK, title="Cancelled", state="cancelled")
    path = new_feed_address(login_as("student"), scenario)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    stored = FeedToken.objects.get(user=scenario.student)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash

    anonymous = Client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    # Only the planner's items here; the school calendar's events and lessons: krijt/agenda/tests.
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("planner-")}
    assert set(events) == {f"planner-{test.pk}@alpha.testserver", f"planner-{task.pk}@alpha.testserver"}
    ev_test = events[f"planner-{test.pk}@alpha.testserver"]
    assert ev_test.decoded("DTSTART").date() == WEEK
    assert "Wiskunde" in str(ev_test["SUMMARY"])
    assert "Toets" in str(ev_test["SUMMARY"])  # calendar apps send no language: the school's, Dutch
    ev_task = events[f"planner-{task.pk}@alpha.testserver"]
    assert ev_task.decoded("DTSTART") == WEEK + dt.timedelta(days=1)
    assert "Nederlands" in str(ev_task["SUMMARY"])
    assert "Taak" in str(ev_task["SUMMARY"])
    assert str(cancelled.pk) not in "".join(events)
    # The UID stays the same when the item changes.
    test.title = "Breuken herhaling"
    test.save()
    again = icalendar.Calendar.from_ical(anonymous.get(path).content)
    assert f"planner-{test.pk}@alpha.testserver" in {str(e["UID"]) for e in again.walk("VEVENT")}


def test_a_new_address_revokes_the_old_and_revoking_stops_it(scenario: Scenario, login_as) -> None:
    client = login_as("parent")
    make_item(scenario.courses[0], day=WEEK, title="Voor ouders")
    first = new_feed_address(client, scenario)
    assert b"Voor ouders" in Client().get(first).content
    second = new_feed_address(client, scenario)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    client.post(scenario.url("/planner/feed/"), {"action": "revoke"})
    assert Client().get(second).status_code == 404
    assert not FeedToken.objects.exists()


def test_a_feed_address_works_only_in_its_own_school(scenario: Scenario, other_school: Scenario, login_as) -> None:
    path = new_feed_address(login_as("teacher"), scenario)
    assert Client().get(path.replace("/s/alpha/", "/s/beta/")).status_code == 404
    assert Client().get(scenario.url("/planner/feed/not-a-token.ics")).status_code == 404


def test_the_feed_runs_a_fixed_number_of_queries(scenario: Scenario, login_as) -> None:
    path = new_feed_address(login_as("teacher"), scenario)
    make_item(scenario.courses[0], day=WEEK)
    event_add(school=scenario.school, author=scenario.admin, roles=frozenset({"admin"}),
              data=EventIn(title="First", starts_on=WEEK))
    Client().get(path)  # records the first use
    few = count_queries(lambda: Client().get(path))
    for n in range(30):
        make_item(scenario.courses[n % 4], day=WEEK + dt.timedelta(days=n % 20))
    for n in range(9):  # the school calendar's events add no query per event either
        event_add(school=scenario.school, author=scenario.admin, roles=frozenset({"admin"}), data=EventIn(
            title=f"Event {n}", starts_on=WEEK + dt.timedelta(days=n), rule="FREQ=WEEKLY;COUNT=4" if n % 2 else "",
            skip_days_without_school=False))
    assert count_queries(lambda: Client().get(path)) == few
    response = Client().get(path)
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    assert len([u for u in uids if u.startswith("planner-")]) == 31
    assert len([u for u in uids if u.startswith("event-")]) == 1 + 5 + 4 * 4
