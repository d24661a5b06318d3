"""Retries never land in quiet hours: each retry is decided again by the pure decision, a digest waits for
the next digest moment (merged, never two a day). A property of the decision and a real outage."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from krijt.core import clock
from krijt.notifications import dispatch
from krijt.notifications.dispatch import backoff, dispatch_once
from krijt.notifications.models import Delivery
from krijt.notifications.policy import (
    EMAIL,
    PARENT,
    PUSH,
    STUDENT,
    DeliveryPolicy,
    Preference,
    earliest_delivery,
    is_allowed,
    redecide,
)
from krijt.notifications.services import Target, notify
from krijt.notifications.tests.conftest import KIND, FakePush, FakePushResult
from krijt.schools.calendar import SchoolCalendar
from tests.scenario import Scenario

TZ = ZoneInfo("Europe/Brussels")
CALENDAR = SchoolCalendar(
    weekdays=frozenset({1, 2, 3, 4, 5}),
    years=((dt.date(2026, 9, 1), dt.date(2027, 6, 30)),),
    closed=((dt.date(2026, 10, 26), dt.date(2026, 11, 1), "Herfstvakantie"),),
)
POLICY = DeliveryPolicy()
MAX = dispatch.MAX_ATTEMPTS

moments = st.datetimes(
    min_value=dt.datetime(2026, 9, 1), max_value=dt.datetime(2027, 6, 20), timezones=st.just(dt.UTC)
)


def _redecide(moment: dt.datetime, audience: str, channel: str, digest: bool) -> dt.datetime:
    return redecide(
        moment=moment, audience=audience, channel=channel, urgent=False, digest=digest, policy=POLICY,
        calendar=CALENDAR, tz=TZ,
    )


@settings(max_examples=300, deadline=None)
@given(
    start=moments,
    failures=st.lists(st.booleans(), min_size=1, max_size=MAX),
    audience=st.sampled_from([STUDENT, PARENT]),
    channel=st.sampled_from([EMAIL, PUSH]),
    digest=st.booleans(),
)
def test_property_no_attempt_to_a_minor_or_parent_lies_in_quiet_hours(
    start: dt.datetime, failures: list[bool], audience: str, channel: str, digest: bool
) -> None:
    digest = digest and channel == EMAIL
    due = earliest_delivery(
        moment=start, audience=audience, channel=channel, urgent=False, policy=POLICY, calendar=CALENDAR, tz=TZ,
        preference=Preference(digest=digest) if channel == EMAIL else None,
    )
    rules = POLICY.rules_for(audience)
    attempt_at = _redecide(due, audience, channel, digest)  # claimed at its due moment
    for attempt, fails in enumerate(failures, start=1):
        assert attempt_at >= due
        assert is_allowed(attempt_at, rules=rules, calendar=CALENDAR, tz=TZ)
        if not fails:
            break
        attempt_at = _redecide(attempt_at + backoff(attempt), audience, channel, digest)
    # Asked twice, the same answer.
    assert _redecide(attempt_at, audience, channel, digest) == attempt_at


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(moments, min_size=1, max_size=12),
    outages=st.lists(
        st.tuples(moments, st.integers(min_value=1, max_value=36 * 60)), min_size=0, max_size=4
    ),
)
def test_property_a_family_never_gets_two_digests_a_day(
    items: list[dt.datetime], outages: list[tuple[dt.datetime, int]]
) -> None:
    """A model of the dispatcher for one family: due digest rows leave together, a failed group retries
    together at the earliest of its decided moments, rows give up after MAX attempts."""

    def down(at: dt.datetime) -> bool:
        return any(start <= at < start + dt.timedelta(minutes=length) for start, length in outages)

    rows: list[dict[str, Any]] = []
    for item in items:
        due = earliest_delivery(
            moment=item, audience=PARENT, channel=EMAIL, urgent=False, policy=POLICY, calendar=CALENDAR, tz=TZ,
            preference=Preference(digest=True),
        )
        rows.append({"next": due, "attempts": 0, "state": "pending"})
    sent: list[dt.datetime] = []
    for _ in range(200):
        pending = [r for r in rows if r["state"] == "pending"]
        if not pending:
            break
        now = min(r["next"] for r in pending)
        group = [r for r in pending if r["next"] <= now]
        # Claimed late (never here) or not: the decision at the claim.
        decided = _redecide(now, PARENT, EMAIL, True)
        if decided > now:
            for r in group:
                r["next"] = decided
            continue
        for r in group:
            r["attempts"] += 1
        if not down(now):
            sent.append(now)
            for r in group:
                r["state"] = "sent"
            continue
        retry = []
        for r in group:
            if r["attempts"] >= MAX:
                r["state"] = "failed"
            else:
                retry.append(r)
        if retry:
            soonest = min(_redecide(now + backoff(r["attempts"]), PARENT, EMAIL, True) for r in retry)
            for r in retry:
                r["next"] = soonest
    for at in sent:
        assert is_allowed(at, rules=POLICY.parent, calendar=CALENDAR, tz=TZ)
    days = Counter(at.astimezone(TZ).date() for at in sent)
    assert all(n == 1 for n in days.values()), days


# --- a real outage through the dispatcher -------------------------------------------------------------

# Tuesday 6 October 2026: the mail server and the push service are down from 17:58 to 18:25.
DOWN_FROM = dt.datetime(2026, 10, 6, 17, 58, tzinfo=TZ)
DOWN_UNTIL = dt.datetime(2026, 10, 6, 18, 25, tzinfo=TZ)


def _down() -> bool:
    return DOWN_FROM <= clock.now() < DOWN_UNTIL


class OutageBackend(locmem.EmailBackend):
    """The test mail box, unreachable during the outage; records when each e-mail left."""

    sent_at: list[tuple[list[str], dt.datetime, str]] = []

    def open(self) -> bool:
        if _down():
            raise ConnectionRefusedError("mail server down")
        return bool(super().open())

    def send_messages(self, messages: Any) -> int:
        if _down():
            raise ConnectionRefusedError("mail server down")
        for message in messages:
            OutageBackend.sent_at.append((list(message.to), clock.now(), message.body))
        return int(super().send_messages(messages))


@pytest.fixture
def outage(push: FakePush) -> Iterator[list[tuple[int, dt.datetime]]]:
    OutageBackend.sent_at = []
    pushed: list[tuple[int, dt.datetime]] = []
    original = push.send_push

    def send_push(user_id: int, payload: dict[str, Any]) -> list[FakePushResult]:
        if _down():
            return [FakePushResult(ok=False, error="503 push service down")]
        pushed.append((user_id, clock.now()))
        return original(user_id, payload)

    sys.modules["krijt.webpush.sender"].send_push = send_push  # type: ignore[attr-defined]
    with override_settings(EMAIL_BACKEND="krijt.notifications.tests.test_retries.OutageBackend"):
        yield pushed


def _run_until(end: dt.datetime, traveller: Any) -> None:
    """Moves the clock from due moment to due moment and runs the dispatcher, as its loop would."""
    for _ in range(100):
        nxt = (
            Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if nxt is None or nxt > end:
            return
        traveller.move_to(max(nxt, clock.now()))
        while dispatch_once().claimed:
            pass
    raise AssertionError("the dispatcher kept finding work")


@pytest.mark.django_db
def test_an_outage_at_digest_time_sends_nothing_in_quiet_hours_and_one_digest_a_day(
    scenario: Scenario, outage: list[tuple[int, dt.datetime]]
) -> None:
    s = scenario
    parents = [Target(p.pk, PARENT, about_student_id=c.pk) for p, c in zip(s.parents, s.students, strict=True)]
    students = [Target(st.pk, STUDENT) for st in s.students]
    with time_machine.travel(dt.datetime(2026, 10, 6, 10, 0, tzinfo=TZ), tick=False) as traveller:
        notify(school=s.school, kind=KIND, key="trip", targets=parents, params={"subject": "Trip"}, url="/x/")
        traveller.move_to(DOWN_FROM)
        notify(school=s.school, kind=KIND, key="bus", targets=students, params={"subject": "Bus"}, url="/x/")
        _run_until(dt.datetime(2026, 10, 7, 12, 0, tzinfo=TZ), traveller)
        # Wednesday noon: another item for the parents, in Wednesday's digest.
        notify(school=s.school, kind=KIND, key="menu", targets=parents, params={"subject": "Menu"}, url="/x/")
        _run_until(dt.datetime(2026, 10, 9, 12, 0, tzinfo=TZ), traveller)
    mails = OutageBackend.sent_at
    parent_mail = {p.email: [(at, body) for to, at, body in mails if p.email in to] for p in s.parents}
    for address, received in parent_mail.items():
        # The outage ate Tuesday's digest; it waited for Wednesday's, merged with Wednesday's item.
        assert len(received) == 1, (address, received)
        at, body = received[0]
        assert at.astimezone(TZ) == dt.datetime(2026, 10, 7, 18, 0, tzinfo=TZ)
        assert "Trip" in body
        assert "Menu" in body
    for _to, at, _body in mails:
        assert is_allowed(at, rules=POLICY.parent, calendar=CALENDAR, tz=TZ)
    # The students' pushes failed until 18:25; the backoff's next try fell at 19:23: it waited for 07:00.
    assert sorted(user for user, _at in outage) == sorted(st.pk for st in s.students)
    for _user, at in outage:
        assert at.astimezone(TZ) == dt.datetime(2026, 10, 7, 7, 0, tzinfo=TZ)
    assert not Delivery.objects.exclude(state__in=[Delivery.State.SENT, Delivery.State.DIGESTED]).exclude(
        channel=EMAIL, recipient__in=s.students
    ).exists()
