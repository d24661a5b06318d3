"""The dispatcher against a real SMTP server: sending, language, links, outages, crashes, retries, digests, budget."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from krijt.accounts.models import ParentLink
from krijt.notifications import dispatch, selectors, services
from krijt.notifications.dispatch import dispatch_once
from krijt.notifications.emails import message_id
from krijt.notifications.models import Delivery
from krijt.notifications.policy import QuietRules
from krijt.notifications.services import Target, notify
from krijt.notifications.tests.conftest import KIND, FakePush, FakePushResult, SmtpServer, html_of, text_of
from tests.scenario import Scenario

TZ = ZoneInfo("Europe/Brussels")
TUESDAY = dt.datetime(2026, 10, 6, 10, 0, tzinfo=TZ)


def teachers(s: Scenario) -> list[Target]:
    return [Target(user_id=t.pk, audience="staff") for t in s.teachers]


def each_item_parents(s: Scenario) -> list[Target]:
    """Parents who chose to get each item on its own (no digest), e-mail only."""
    for parent in s.parents:
        services.preference_update(user=parent, digest=False, digest_time=None, email=True, push=False)
    return [
        Target(user_id=p.pk, audience="parent", about_student_id=c.pk)
        for p, c in zip(s.parents, s.students, strict=True)
    ]


def send(s: Scenario, targets: list[Target], key: str = "test:1", subject: str = "Trip", **kw: object) -> None:
    notify(
        school=s.school,
        kind=KIND,
        key=key,
        targets=targets,
        params={"subject": subject, "body": "Bring a lunch."},
        url="/messages/1/",
        **kw,  # type: ignore[arg-type]
    )


def states(**filters: object) -> list[str]:
    return sorted(Delivery.objects.filter(**filters).values_list("state", flat=True))


def test_emails_reach_a_real_smtp_server_in_the_recipients_language(
    scenario: Scenario, smtp: SmtpServer, no_push: None
) -> None:
    english, french = scenario.teachers
    english.language = "en"
    english.save()
    french.language = "fr"
    french.save()
    with time_machine.travel(TUESDAY, tick=False):
        send(scenario, teachers(scenario))
        report = dispatch_once()
    assert (report.sent, report.skipped) == (2, 2)  # two e-mails; two pushes skipped: web push not available
    assert states(channel="email") == ["sent", "sent"]
    assert set(Delivery.objects.filter(channel="push").values_list("last_error", flat=True)) == {"push not available"}
    [en_mail] = smtp.inbox.to(english.email)
    [fr_mail] = smtp.inbox.to(french.email)
    assert en_mail["Subject"] == "Student: Trip"
    assert fr_mail["Subject"] == "Élève: Trip"
    assert (en_mail["Content-Language"], fr_mail["Content-Language"]) == ("en", "fr")
    body = text_of(en_mail)
    assert "Bring a lunch." in body
    assert "http://localhost:8000/s/alpha/messages/1/" in body
    assert 'href="http://localhost:8000/s/alpha/messages/1/"' in html_of(en_mail)
    row = Delivery.objects.get(recipient=english, channel="email")
    assert en_mail["Message-ID"] == message_id([row.idempotency_key])
    assert row.sent_at == TUESDAY
    assert row.attempts == 1
    # Nothing is due any more: a second round sends nothing.
    with time_machine.travel(TUESDAY + dt.timedelta(minutes=5), tick=False):
        assert dispatch_once().claimed == 0
    assert len(smtp.inbox.messages) == 2


def test_nothing_is_sent_before_it_is_due(scenario: Scenario, smtp: SmtpServer, no_push: None) -> None:
    friday_night = dt.datetime(2026, 10, 2, 21, 0, tzinfo=TZ)
    with time_machine.travel(friday_night, tick=False):
        send(scenario, teachers(scenario))
        assert dispatch_once().claimed == 0
    with time_machine.travel(dt.datetime(2026, 10, 5, 7, 0, tzinfo=TZ), tick=False):
        assert dispatch_once().sent == 2
    assert len(smtp.inbox.messages) == 2


def test_mail_server_down_keeps_rows_pending_then_they_go(
    scenario: Scenario, smtp_down: SmtpServer, no_push: None
) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        send(scenario, teachers(scenario))
        report = dispatch_once()
    assert (report.sent, report.retrying, report.failed) == (0, 2, 0)
    for row in Delivery.objects.filter(channel="email"):
        assert (row.state, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == TUESDAY + dt.timedelta(minutes=1)
        assert row.last_error.startswith("mail server:")
    smtp_down.start()
    with time_machine.travel(TUESDAY + dt.timedelta(seconds=30), tick=False):
        assert dispatch_once().claimed == 0  # not before the backoff
    with time_machine.travel(TUESDAY + dt.timedelta(minutes=1), tick=False):
        assert dispatch_once().sent == 2
    assert states(channel="email") == ["sent", "sent"]
    assert len(smtp_down.inbox.messages) == 2


class BrokenBackend:
    """A mail backend whose server refuses everything (not a connection problem)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise RuntimeError("451 try again later")


@override_settings(EMAIL_BACKEND="krijt.notifications.tests.test_dispatch.BrokenBackend")
def test_failed_sends_back_off_then_end_visibly_as_failed(scenario: Scenario, no_push: None) -> None:
    with time_machine.travel(TUESDAY, tick=False) as clock:
        send(scenario, [Target(user_id=scenario.teacher.pk, audience="staff")])
        row = Delivery.objects.get(channel="email")
        waits = []
        for _attempt in range(dispatch.MAX_ATTEMPTS):
            clock.move_to(row.next_attempt_at)
            dispatch_once()
            before = row.next_attempt_at
            row.refresh_from_db()
            waits.append(row.next_attempt_at - before)
        assert waits[:4] == [dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]
        assert (row.state, row.attempts, row.last_error) == ("failed", 5, "e-mail: 451 try again later")
        clock.shift(dt.timedelta(days=1))
        assert dispatch_once().claimed == 0
    page = selectors.failed_deliveries(school=scenario.school)
    assert [d.pk for d in page.object_list] == [row.pk]
    assert selectors.delivery_counts(school=scenario.school)["failed"] == 1
    with time_machine.travel(TUESDAY + dt.timedelta(days=2), tick=False):
        services.delivery_retry(school=scenario.school, delivery_id=row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 0)


def test_a_crashed_worker_leaves_rows_that_are_sent_exactly_once(
    scenario: Scenario, smtp: SmtpServer, no_push: None
) -> None:
    targets = each_item_parents(scenario) + teachers(scenario)
    with time_machine.travel(TUESDAY, tick=False) as clock:
        send(scenario, targets)
        claimed, _lease = dispatch.claim(now=TUESDAY, limit=100)  # the worker dies right after claiming
        assert len(claimed) == 10  # 8 e-mails, and the teachers' 2 pushes
        assert states() == ["sending"] * 10
        assert dispatch_once().claimed == 0  # leased: nobody else takes them yet
        clock.shift(dt.timedelta(seconds=dispatch.LEASE_SECONDS + 1))
        report = dispatch_once()
        assert report.sent == 8
        clock.shift(dt.timedelta(hours=1))
        assert dispatch_once().claimed == 0
    assert len(smtp.inbox.messages) == 8
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 8
    assert sorted(a for rcpt in smtp.inbox.recipients for a in rcpt) == sorted(
        [p.email for p in scenario.parents] + [t.email for t in scenario.teachers]
    )


def test_a_crash_after_sending_resends_with_the_same_message_id(
    scenario: Scenario, smtp: SmtpServer, no_push: None
) -> None:
    """A worker dying between the SMTP answer and its bookkeeping cannot know whether the mail left; the
    row goes again after the lease, with the same Message-ID, so mail clients show it once."""
    with time_machine.travel(TUESDAY, tick=False) as clock:
        send(scenario, teachers(scenario)[:1])
        with mock.patch.object(dispatch, "_record", side_effect=SystemExit("killed")), pytest.raises(SystemExit):
            dispatch_once()
        clock.shift(dt.timedelta(seconds=dispatch.LEASE_SECONDS + 1))
        assert dispatch_once().sent == 1
    first, second = smtp.inbox.messages
    assert first["Message-ID"] == second["Message-ID"]


def test_a_late_worker_records_nothing_over_a_newer_claim(scenario: Scenario, smtp: SmtpServer, no_push: None) -> None:
    with time_machine.travel(TUESDAY, tick=False) as clock:
        send(scenario, teachers(scenario)[:1])
        ids, old_lease = dispatch.claim(now=TUESDAY, limit=10)
        clock.shift(dt.timedelta(seconds=dispatch.LEASE_SECONDS + 1))
        ids_again, _new_lease = dispatch.claim(now=dispatch.clock.now(), limit=10)
        assert ids == ids_again
        report = dispatch.DispatchReport()
        outcome = dispatch._Outcome(sent=ids)
        dispatch._record(outcome, lease_end=old_lease, report=report)
        assert report.sent == 0
        assert states(channel="email") == ["sending"]


def test_a_parents_digest_holds_both_children_in_one_email(scenario: Scenario, smtp: SmtpServer, no_push: None) -> None:
    parent = scenario.parent
    first_child = scenario.students_by_class[scenario.classes[0].pk][0]
    second_child = scenario.students_by_class[scenario.classes[1].pk][0]
    ParentLink.objects.create(school=scenario.school, parent=parent, student=second_child)
    parent.language = "en"
    parent.save()
    with time_machine.travel(dt.datetime(2026, 10, 2, 9, 0, tzinfo=TZ), tick=False):  # Friday
        send(
            scenario,
            [Target(user_id=parent.pk, audience="parent", about_student_id=first_child.pk)],
            key="m:1",
            subject="Trip 1A",
        )
    with time_machine.travel(dt.datetime(2026, 10, 2, 21, 0, tzinfo=TZ), tick=False):  # Friday evening
        send(
            scenario,
            [Target(user_id=parent.pk, audience="parent", about_student_id=second_child.pk)],
            key="m:2",
            subject="Trip 2A",
        )
    with time_machine.travel(dt.datetime(2026, 10, 5, 8, 0, tzinfo=TZ), tick=False):  # Monday morning
        send(
            scenario,
            [Target(user_id=parent.pk, audience="parent", about_student_id=first_child.pk)],
            key="m:3",
            subject="Test 1A",
        )
    # Friday's 18:00 digest holds the Friday-morning item only.
    with time_machine.travel(dt.datetime(2026, 10, 2, 18, 0, tzinfo=TZ), tick=False):
        assert dispatch_once().digests == 1
    assert "Trip 1A" in text_of(smtp.inbox.messages[0])
    assert "Trip 2A" not in text_of(smtp.inbox.messages[0])
    with time_machine.travel(dt.datetime(2026, 10, 4, 18, 0, tzinfo=TZ), tick=False):  # Sunday: quiet
        assert dispatch_once().claimed == 0
    with time_machine.travel(dt.datetime(2026, 10, 5, 18, 0, tzinfo=TZ), tick=False):
        report = dispatch_once()
    assert (report.digests, report.digested) == (1, 2)
    assert len(smtp.inbox.messages) == 2
    monday = smtp.inbox.messages[1]
    assert monday["Subject"] == "Your overview of Monday 5 October 2026"
    body = text_of(monday)
    assert "About Stu1 Student" in body
    assert "About Stu4 Student" in body
    assert body.index("About Stu1 Student") < body.index("Student: Test 1A")
    assert body.index("About Stu4 Student") < body.index("Student: Trip 2A")
    assert "http://localhost:8000/s/alpha/messages/1/" in body
    assert states(recipient=parent) == ["digested", "digested", "digested"]


def test_digest_in_dutch_by_the_schools_language(scenario: Scenario, smtp: SmtpServer, no_push: None) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        send(scenario, [Target(user_id=scenario.parent.pk, audience="parent", about_student_id=scenario.student.pk)])
    with time_machine.travel(dt.datetime(2026, 10, 6, 18, 0, tzinfo=TZ), tick=False):
        dispatch_once()
    [mail] = smtp.inbox.messages
    assert mail["Content-Language"] == "nl"
    assert "6 oktober 2026" in mail["Subject"]
    assert "Leerling: Trip" in text_of(mail)


def test_push_budget_moves_the_rest_of_the_day_into_the_digest(
    scenario: Scenario, smtp: SmtpServer, push: FakePush
) -> None:
    services.policy_update(
        school=scenario.school,
        actor=scenario.admin,
        student=QuietRules(),
        parent=QuietRules(),
        staff=QuietRules(start=dt.time(20, 0)),
        digest_time=dt.time(18, 0),
        push_budget=2,
        urgent_roles=["admin"],
    )
    teacher = scenario.teacher
    target = [Target(user_id=teacher.pk, audience="staff")]
    with time_machine.travel(TUESDAY, tick=False) as clock:
        for n in range(4):
            send(scenario, target, key=f"m:{n}", subject=f"Item {n}")
        report = dispatch_once()
        assert len(push.sent) == 2
        assert report.skipped == 2
        # The first two items went by push and by e-mail; the other two wait for the 18:00 digest.
        assert len(smtp.inbox.messages) == 2
        over = Delivery.objects.filter(channel="push", state="skipped")
        assert set(over.values_list("last_error", flat=True)) == {dispatch.OVER_BUDGET}
        moved = Delivery.objects.filter(channel="email", digest=True)
        assert moved.count() == 2
        assert {r.due_at for r in moved} == {dt.datetime(2026, 10, 6, 18, 0, tzinfo=TZ)}
        assert {r.attempts for r in moved} == {0}
        # An urgent item is not held by the budget.
        send(scenario, target, key="urgent", urgent=True, actor=scenario.admin, reason="Fire drill")
        dispatch_once()
        assert len(push.sent) == 3
        clock.move_to(dt.datetime(2026, 10, 6, 18, 0, tzinfo=TZ))
        assert dispatch_once().digests == 1
        # A new day, a new budget.
        clock.move_to(dt.datetime(2026, 10, 7, 10, 0, tzinfo=TZ))
        send(scenario, target, key="m:next")
        dispatch_once()
        assert len(push.sent) == 4
    digest = smtp.inbox.messages[3]
    assert "Item 2" in text_of(digest)
    assert "Item 3" in text_of(digest)
    assert push.sent[0][1]["url"] == "http://localhost:8000/s/alpha/messages/1/"
    assert push.sent[0][1]["tag"] == Delivery.objects.filter(channel="push").order_by("id")[0].idempotency_key


def test_push_results(scenario: Scenario, push: FakePush) -> None:
    first, second = scenario.teachers
    push.answers[first.pk] = []
    push.answers[second.pk] = [FakePushResult(ok=False, error="500 push service down")]
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        time_machine.travel(TUESDAY, tick=False),
    ):
        send(scenario, teachers(scenario))
        dispatch_once()
    no_device = Delivery.objects.get(recipient=first, channel="push")
    assert (no_device.state, no_device.last_error) == ("skipped", "no push subscription")
    failing = Delivery.objects.get(recipient=second, channel="push")
    assert (failing.state, failing.last_error) == ("pending", "push: 500 push service down")
    assert failing.next_attempt_at == TUESDAY + dt.timedelta(minutes=1)


def test_dispatch_runs_a_fixed_number_of_queries(
    scenario: Scenario, django_assert_num_queries: object, no_push: None
) -> None:
    targets = each_item_parents(scenario)
    locmem = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    with locmem, time_machine.travel(TUESDAY, tick=False):
        send(scenario, targets[:2], key="small")
        send(scenario, targets, key="big")
        # claim: savepoint, select, update, release; load; record: savepoint, update, release.
        with django_assert_num_queries(8):  # type: ignore[operator]
            assert dispatch_once(batch_size=2).sent == 2
        with django_assert_num_queries(8):  # type: ignore[operator]
            assert dispatch_once(batch_size=100).sent == 6


def test_management_command_once(
    scenario: Scenario, smtp: SmtpServer, no_push: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        send(scenario, teachers(scenario))
        call_command("dispatch", "--once")
    assert "claimed 4: sent 2" in capsys.readouterr().out
    assert len(smtp.inbox.messages) == 2
