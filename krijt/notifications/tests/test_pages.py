"""The notification pages: the centre and its badge, the policy, preferences and failed deliveries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from krijt.accounts.models import User
from krijt.core.roles import Role
from krijt.notifications import selectors, services
from krijt.notifications.models import Delivery, Notification, NotificationPreference
from krijt.notifications.services import Target
from krijt.notifications.tests.conftest import KIND
from krijt.schools.models import School
from krijt.webpush.models import PushSubscription
from tests.scenario import Scenario

pytestmark = [pytest.mark.django_db, pytest.mark.urls("krijt.webpush.tests.urls")]

BRUSSELS = dt.timezone(dt.timedelta(hours=2))  # October 2026 is summer time
MONDAY_MORNING = dt.datetime(2026, 10, 5, 10, 0, tzinfo=BRUSSELS)
ALL_ROLES = [Role.STUDENT, Role.PARENT, Role.TEACHER, Role.STAFF, Role.ADMIN]
_serial = iter(range(1, 10**6))


def make_notification(
    school: School,
    user: User,
    *,
    visible_at: dt.datetime | None = None,
    read: bool = False,
    url: str = "/s/alpha/",
    subject: str = "Hello",
    about: User | None = None,
) -> Notification:
    n = next(_serial)
    at = visible_at or MONDAY_MORNING - dt.timedelta(minutes=n)
    return Notification.objects.create(
        school=school,
        recipient=user,
        audience="student",
        kind=KIND,
        key=f"pages:{n}",
        params={"subject": f"{subject} {n}", "body": "Bring your gym clothes."},
        url=url,
        about_student=about,
        visible_at=at,
        read_at=at if read else None,
    )


def make_delivery(notification: Notification, *, state: str = Delivery.State.FAILED) -> Delivery:
    return Delivery.objects.create(
        school_id=notification.school_id,
        notification=notification,
        recipient_id=notification.recipient_id,
        channel="email",
        due_at=notification.visible_at,
        next_attempt_at=notification.visible_at,
        state=state,
        attempts=5,
        last_error="550 mailbox unavailable",
        idempotency_key=f"{notification.school_id}:{notification.key}:{notification.recipient_id}:email",
    )


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


def badge_count(response: Any) -> int:
    match = re.search(r'data-count="(\d+)"', response.content.decode())
    assert match, response.content
    return int(match[1])


# ---------------------------------------------------------------- the badge


def test_the_badge_counts_visible_unread_items_of_this_school(
    scenario: Scenario, other_school: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    for _ in range(3):
        make_notification(scenario.school, scenario.student)
    make_notification(scenario.school, scenario.student, read=True)
    make_notification(scenario.school, scenario.student, visible_at=MONDAY_MORNING + dt.timedelta(hours=1))
    make_notification(scenario.school, scenario.students[1])
    other_school_student = other_school.student
    make_notification(other_school.school, other_school_student)
    response = login_as("student").get(scenario.url("/notifications/badge"))
    assert response.status_code == 200
    assert badge_count(response) == 3
    assert "3 unread" in response.content.decode()


def test_the_badge_costs_two_queries_however_many_items(
    scenario: Scenario, login_as: Callable[..., Client], monday: Any, django_assert_num_queries: Any
) -> None:
    client = login_as("student")
    client.get(scenario.url("/notifications/badge"))  # warm the school cache
    for count in (1, 150):
        while Notification.objects.filter(recipient=scenario.student).count() < count:
            make_notification(scenario.school, scenario.student)
        # the user, the count (no roles query: it only ever shows the person's own number)
        with django_assert_num_queries(1):
            response = client.get(scenario.url("/notifications/badge"))
        assert badge_count(response) == count
    assert "99+" in response.content.decode()


def test_the_badge_changes_when_a_held_back_item_becomes_visible(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    friday_evening = dt.datetime(2026, 10, 2, 21, 0, tzinfo=BRUSSELS)
    client = login_as("student")
    with time_machine.travel(friday_evening, tick=False) as traveller:
        result = services.notify(
            school=scenario.school,
            kind=KIND,
            key="message:friday",
            targets=[Target(scenario.student.pk, "student")],
            params={"subject": "Friday news"},
            url=scenario.url("/"),
        )
        assert result.visible_at(scenario.student.pk) == dt.datetime(2026, 10, 5, 7, 0, tzinfo=BRUSSELS)
        assert badge_count(client.get(scenario.url("/notifications/badge"))) == 0
        traveller.move_to(dt.datetime(2026, 10, 5, 6, 59, tzinfo=BRUSSELS))
        assert badge_count(client.get(scenario.url("/notifications/badge"))) == 0
        traveller.move_to(dt.datetime(2026, 10, 5, 7, 0, tzinfo=BRUSSELS))
        assert badge_count(client.get(scenario.url("/notifications/badge"))) == 1


def test_a_signed_out_badge_stops_polling(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/notifications/badge"))
    assert response.status_code == 286  # htmx stops polling on 286
    assert response.content == b""


def test_the_badge_slot_polls_every_thirty_seconds(scenario: Scenario, settings: Any) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("notifications/_badge_slot.html", {"school": scenario.school, "user": scenario.student})
    assert 'hx-trigger="load, every 30s' in html
    assert 'href="/notifications/"' in html
    settings.KRIJT_NOTIFICATION_BADGE_POLL_SECONDS = 2
    html = render_to_string("notifications/_badge_slot.html", {"school": scenario.school, "user": scenario.student})
    assert 'hx-trigger="load, every 2s' in html
    assert render_to_string("notifications/_badge_slot.html", {"school": None, "user": scenario.student}).strip() == ""


# ---------------------------------------------------------------- the list


def test_the_list_shows_ones_own_visible_items_newest_first(
    scenario: Scenario, other_school: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    old = make_notification(scenario.school, scenario.student, visible_at=MONDAY_MORNING - dt.timedelta(days=2))
    new = make_notification(
        scenario.school, scenario.student, visible_at=MONDAY_MORNING - dt.timedelta(hours=1), about=scenario.student
    )
    later = make_notification(scenario.school, scenario.student, visible_at=MONDAY_MORNING + dt.timedelta(hours=1))
    theirs = make_notification(scenario.school, scenario.students[1])
    elsewhere = make_notification(other_school.school, scenario.student)
    body = login_as("student").get(scenario.url("/notifications/")).content.decode()
    assert body.index(f"notification-{new.pk}") < body.index(f"notification-{old.pk}")
    for hidden in (later, theirs, elsewhere):
        assert f"notification-{hidden.pk}" not in body
    assert "Bring your gym clothes." in body
    assert f"About {scenario.student.full_name}" in body
    assert "Mark all as read" in body


def test_the_list_is_paged_in_a_fixed_number_of_queries(
    scenario: Scenario, login_as: Callable[..., Client], monday: Any, django_assert_num_queries: Any
) -> None:
    client = login_as("student")
    client.get(scenario.url("/notifications/"))
    for count in (3, 45):
        while Notification.objects.filter(recipient=scenario.student).count() < count:
            make_notification(scenario.school, scenario.student, about=scenario.students[1])
        # count, the page with its children
        with django_assert_num_queries(2):
            response = client.get(scenario.url("/notifications/"))
        assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="nopen"') == selectors.PAGE_SIZE
    assert "Page 1 of 3" in body
    last = client.get(scenario.url("/notifications/?page=3")).content.decode()
    assert last.count('class="nopen"') == 45 - 2 * selectors.PAGE_SIZE


def test_the_unread_filter(scenario: Scenario, login_as: Callable[..., Client], monday: Any) -> None:
    unread = make_notification(scenario.school, scenario.student)
    read = make_notification(scenario.school, scenario.student, read=True)
    body = login_as("student").get(scenario.url("/notifications/?unread=1")).content.decode()
    assert f"notification-{unread.pk}" in body
    assert f"notification-{read.pk}" not in body


def test_opening_an_item_marks_it_read_and_goes_to_it(
    scenario: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    item = make_notification(scenario.school, scenario.student, url=scenario.url("/messages/7"))
    response = login_as("student").post(scenario.url(f"/notifications/{item.pk}/open"))
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/messages/7")
    item.refresh_from_db()
    assert item.read_at == MONDAY_MORNING


def test_an_item_pointing_elsewhere_opens_the_list(
    scenario: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    item = make_notification(scenario.school, scenario.student, url="https://evil.example/")
    response = login_as("student").post(scenario.url(f"/notifications/{item.pk}/open"))
    assert response["Location"] == scenario.url("/notifications/")


def test_marking_one_read_with_htmx_returns_the_item_and_refreshes_the_badge(
    scenario: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    item = make_notification(scenario.school, scenario.student)
    response = login_as("student").post(scenario.url(f"/notifications/{item.pk}/read"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    body = response.content.decode()
    assert f'id="notification-{item.pk}"' in body
    assert "Mark as read" not in body
    item.refresh_from_db()
    assert item.read_at is not None


def test_marking_one_read_without_javascript(scenario: Scenario, login_as: Callable[..., Client], monday: Any) -> None:
    item = make_notification(scenario.school, scenario.student)
    response = login_as("student").post(
        scenario.url(f"/notifications/{item.pk}/read"), {"next": scenario.url("/notifications/?page=1")}
    )
    assert response["Location"] == scenario.url("/notifications/?page=1")


def test_marking_all_read_leaves_held_back_items(
    scenario: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    visible = [make_notification(scenario.school, scenario.student) for _ in range(3)]
    later = make_notification(scenario.school, scenario.student, visible_at=MONDAY_MORNING + dt.timedelta(hours=9))
    theirs = make_notification(scenario.school, scenario.students[1])
    response = login_as("student").post(scenario.url("/notifications/read-all"))
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in visible)
    assert Notification.objects.get(pk=later.pk).read_at is None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_someone_elses_item_is_not_found(
    scenario: Scenario, other_school: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    theirs = make_notification(scenario.school, scenario.students[1])
    elsewhere = make_notification(other_school.school, other_school.student)
    client = login_as("student")
    for item in (theirs, elsewhere):
        for action in ("open", "read"):
            assert client.post(scenario.url(f"/notifications/{item.pk}/{action}")).status_code == 404
    # Through the other school's address, a stranger has no role there at all.
    assert client.post(other_school.url(f"/notifications/{elsewhere.pk}/open")).status_code == 403
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_writes_need_post(scenario: Scenario, login_as: Callable[..., Client], monday: Any) -> None:
    item = make_notification(scenario.school, scenario.student)
    client = login_as("student")
    for path in (f"/notifications/{item.pk}/open", f"/notifications/{item.pk}/read", "/notifications/read-all"):
        assert client.get(scenario.url(path)).status_code == 405
    assert Notification.objects.get(pk=item.pk).read_at is None


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_has_a_notification_centre_and_settings(
    scenario: Scenario, login_as: Callable[..., Client], role: str
) -> None:
    client = login_as(role)
    for path in ("/notifications/", "/notifications/preferences", "/notifications/policy"):
        assert client.get(scenario.url(path)).status_code == 200, path


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, scenario: Scenario) -> None:
    for path in ("/notifications/", "/notifications/preferences", "/notifications/policy", "/notifications/failed"):
        response = client.get(scenario.url(path))
        assert response.status_code == 302
        assert "/accounts/" in response["Location"]


# ---------------------------------------------------------------- the school's policy


def policy_post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"digest_time": "18:00", "push_budget": "5", "urgent_roles": ["admin"]}
    for audience, start in (("student", "19:00"), ("parent", "19:00"), ("staff", "20:00")):
        data.update(
            {
                f"{audience}_quiet_start": start,
                f"{audience}_quiet_end": "07:00",
                f"{audience}_quiet_weekends": "on",
                f"{audience}_quiet_holidays": "on",
            }
        )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", [Role.STUDENT, Role.PARENT, Role.TEACHER, Role.STAFF])
def test_everyone_reads_the_policy_in_plain_words(
    scenario: Scenario, login_as: Callable[..., Client], role: str
) -> None:
    body = login_as(role).get(scenario.url("/notifications/policy")).content.decode()
    assert "Students and parents get nothing between 19:00 and 07:00, at weekends and in holidays." in body
    assert "Staff get no e-mail or push between 20:00 and 07:00" in body
    assert "at 18:00 unless they choose another time" in body
    assert "more than 5 push notifications a day" in body
    assert "They may be sent by administrators" in body
    assert "<form method=\"post\" novalidate>" not in body


def test_only_administrators_change_the_policy(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    response = login_as("teacher").post(scenario.url("/notifications/policy"), policy_post(push_budget="9"))
    assert response.status_code == 403
    assert selectors.policy_for(school=scenario.school).push_budget == 5


def test_an_administrator_changes_the_policy(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    client = login_as("admin")
    page = client.get(scenario.url("/notifications/policy")).content.decode()
    assert "Between 17:00 and 22:00." in page
    assert "Between 06:00 and 09:00." in page
    assert "From 0 to 50." in page
    response = client.post(
        scenario.url("/notifications/policy"),
        policy_post(
            student_quiet_start="18:30",
            parent_quiet_start="20:00",
            parent_quiet_weekends=None,
            push_budget="3",
            urgent_roles=["admin", "teacher"],
        ),
    )
    assert response.status_code == 302
    policy = selectors.policy_for(school=scenario.school)
    assert policy.student.start == dt.time(18, 30)
    assert policy.parent.start == dt.time(20, 0)
    assert policy.parent.weekends is False
    assert policy.push_budget == 3
    assert policy.urgent_roles == frozenset({"admin", "teacher"})
    body = login_as("parent").get(scenario.url("/notifications/policy")).content.decode()
    assert "Students get nothing between 18:30 and 07:00, at weekends and in holidays." in body
    assert "Parents get nothing between 20:00 and 07:00, in holidays." in body
    assert "They may be sent by teachers and administrators" in body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"student_quiet_start": "23:00"}, "Quiet hours start at 22:00 at the latest."),
        ({"parent_quiet_end": "05:00"}, "Quiet hours end at 06:00 at the earliest."),
        ({"student_quiet_start": "16:00"}, "Quiet hours start at 17:00 at the earliest."),
        ({"parent_quiet_end": "10:00"}, "Quiet hours end at 09:00 at the latest."),
        ({"push_budget": "51"}, "Ensure this value is less than or equal to 50."),
        ({"digest_time": "21:00"}, "Choose a digest time inside the parents&#x27; allowed hours."),
        ({"student_quiet_start": ""}, "This field is required."),
    ],
)
def test_the_policy_stays_inside_its_limits(
    scenario: Scenario, login_as: Callable[..., Client], changes: dict[str, str], message: str
) -> None:
    response = login_as("admin").post(scenario.url("/notifications/policy"), policy_post(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert selectors.policy_row(school=scenario.school) is None


def test_the_other_schools_policy_is_out_of_reach(
    scenario: Scenario, other_school: Scenario, login_as: Callable[..., Client]
) -> None:
    client = login_as("admin")
    assert client.get(other_school.url("/notifications/policy")).status_code == 403
    assert client.post(other_school.url("/notifications/policy"), policy_post()).status_code == 403
    assert selectors.policy_row(school=other_school.school) is None


# ---------------------------------------------------------------- preferences


def test_a_parent_gets_the_digest_by_default(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    body = login_as("parent").get(scenario.url("/notifications/preferences")).content.decode()
    assert re.search(r'<input type="radio" name="digest" value="1"[^>]*checked', body)
    assert "For parents the digest is the default" in body
    assert 'value="18:00"' in body


def test_a_teacher_chooses_a_digest(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    client = login_as("teacher")
    body = client.get(scenario.url("/notifications/preferences")).content.decode()
    assert re.search(r'<input type="radio" name="digest" value="0"[^>]*checked', body)
    response = client.post(
        scenario.url("/notifications/preferences"), {"email": "on", "push": "on", "digest": "1", "digest_time": "16:30"}
    )
    assert response.status_code == 302
    row = NotificationPreference.objects.get(user=scenario.teacher)
    assert (row.digest, row.digest_time, row.email, row.push) == (True, dt.time(16, 30), True, True)


def test_turning_email_and_push_off(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    response = login_as("student").post(scenario.url("/notifications/preferences"), {"digest": "0"})
    assert response.status_code == 302
    row = NotificationPreference.objects.get(user=scenario.student)
    assert (row.digest, row.email, row.push) == (False, False, False)


def test_a_digest_time_inside_the_allowed_hours(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    response = login_as("parent").post(
        scenario.url("/notifications/preferences"), {"email": "on", "digest": "1", "digest_time": "22:00"}
    )
    assert response.status_code == 400
    assert "Choose a time between 07:00 and 19:00." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_parent_keeps_following_the_schools_digest_time(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    login_as("parent").post(scenario.url("/notifications/preferences"), {"email": "on", "digest": "1",
                                                                        "digest_time": "18:00"})
    assert NotificationPreference.objects.get(user=scenario.parent).digest_time is None


def test_the_preferences_page_lists_only_ones_own_devices(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    PushSubscription.objects.create(
        user=scenario.student, endpoint="https://push.example/1", p256dh="x", auth="y", label="Firefox on Android"
    )
    PushSubscription.objects.create(
        user=scenario.teacher, endpoint="https://push.example/2", p256dh="x", auth="y", label="Edge on Windows"
    )
    body = login_as("student").get(scenario.url("/notifications/preferences")).content.decode()
    assert "Firefox on Android" in body
    assert "Edge on Windows" not in body
    assert "data-push-root" in body
    assert "Turn on push on this device" in body


# ---------------------------------------------------------------- failed deliveries


def test_administrators_see_failed_deliveries_in_fixed_queries(
    scenario: Scenario,
    other_school: Scenario,
    login_as: Callable[..., Client],
    monday: Any,
    django_assert_num_queries: Any,
) -> None:
    client = login_as("admin")
    client.get(scenario.url("/notifications/failed"))
    make_delivery(make_notification(other_school.school, other_school.parent, subject="Elsewhere"))
    make_delivery(make_notification(scenario.school, scenario.parents[1], subject="Delivered"), state="sent")
    for count in (1, 8):
        while Delivery.objects.filter(school=scenario.school, state="failed").count() < count:
            make_delivery(make_notification(scenario.school, scenario.parent, subject="Trip"))
        # count, the page with recipients and notifications
        with django_assert_num_queries(2):
            response = client.get(scenario.url("/notifications/failed"))
    body = response.content.decode()
    assert body.count("Send again") == 8
    assert "550 mailbox unavailable" in body
    assert scenario.parent.full_name in body
    assert "Elsewhere" not in body
    assert "Delivered" not in body


@pytest.mark.parametrize("role", [Role.STUDENT, Role.PARENT, Role.TEACHER, Role.STAFF])
def test_only_administrators_see_failed_deliveries(
    scenario: Scenario, login_as: Callable[..., Client], role: str, monday: Any
) -> None:
    delivery = make_delivery(make_notification(scenario.school, scenario.parent))
    client = login_as(role)
    assert client.get(scenario.url("/notifications/failed")).status_code == 403
    assert client.post(scenario.url(f"/notifications/failed/{delivery.pk}/retry")).status_code == 403
    assert Delivery.objects.get(pk=delivery.pk).state == "failed"


def test_sending_a_failed_delivery_again(scenario: Scenario, login_as: Callable[..., Client], monday: Any) -> None:
    delivery = make_delivery(make_notification(scenario.school, scenario.parent))
    response = login_as("admin").post(scenario.url(f"/notifications/failed/{delivery.pk}/retry"))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("pending", 0, MONDAY_MORNING)
    again = login_as("admin").post(scenario.url(f"/notifications/failed/{delivery.pk}/retry"), follow=True)
    assert "Only a failed delivery can be sent again." in again.content.decode()


def test_another_schools_delivery_is_not_found(
    scenario: Scenario, other_school: Scenario, login_as: Callable[..., Client], monday: Any
) -> None:
    delivery = make_delivery(make_notification(other_school.school, other_school.parent))
    assert login_as("admin").post(scenario.url(f"/notifications/failed/{delivery.pk}/retry")).status_code == 404
    assert Delivery.objects.get(pk=delivery.pk).state == "failed"
