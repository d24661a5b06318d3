"""The notification centre through the API: my visible notifications, the unread count, marking one read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from itertools import count
from typing import Any

import pytest
import time_machine

from krijt.accounts.models import User
from krijt.api.tests.conftest import Api, error_of
from krijt.notifications import kinds
from krijt.notifications.models import Notification
from krijt.notifications.selectors import PAGE_SIZE
from krijt.schools.models import School
from tests.scenario import Scenario, make_user

pytestmark = pytest.mark.django_db

KIND = "api-test-note"
NOW = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)
_serial = count(1)

QueryCount = Callable[..., Any]


def _render(params: Mapping[str, Any], language: str) -> kinds.Rendered:
    return kinds.Rendered(title=str(params["subject"]), text="Bring your gym clothes.")


@pytest.fixture(autouse=True)
def _kind_and_time() -> Iterator[None]:
    kinds.register(KIND, _render)
    with time_machine.travel(NOW, tick=False):
        yield


def _note(school: School, user: User, *, minutes_ago: int = 5, read: bool = False,
          about: User | None = None) -> Notification:
    n = next(_serial)
    at = NOW - dt.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        school=school, recipient=user, audience="student", kind=KIND, key=f"api:{n}",
        params={"subject": f"Note {n}"}, url="/s/alpha/", about_student=about, visible_at=at,
        read_at=at if read else None,
    )


def test_my_notifications_newest_first_only_visible_and_mine(
    api_as: Callable[..., Api], scenario: Scenario, other_school: Scenario
) -> None:
    older = _note(scenario.school, scenario.student, minutes_ago=30, read=True)
    newer = _note(scenario.school, scenario.student, minutes_ago=1)
    _note(scenario.school, scenario.student, minutes_ago=-60)  # held back until later
    _note(scenario.school, scenario.students[1])  # someone else's
    _note(other_school.school, scenario.student)  # another school's
    response = api_as("student").get("/me/notifications")
    assert response.status_code == 200
    body = response.json()
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    assert body["count"] == 2
    assert body["page"] == 1
    assert body["pages"] == 1
    assert body["page_size"] == PAGE_SIZE
    first = body["results"][0]
    assert first["title"] == newer.params["subject"]
    assert first["text"] == "Bring your gym clothes."
    assert first["unread"] is True
    assert first["read_at"] is None
    assert body["results"][1]["unread"] is False


def test_only_unread_and_pages(api_as: Callable[..., Api], scenario: Scenario) -> None:
    unread = _note(scenario.school, scenario.student)
    _note(scenario.school, scenario.student, read=True)
    api = api_as("student")
    body = api.get("/me/notifications", unread=1).json()
    assert [n["id"] for n in body["results"]] == [unread.pk]
    for n in range(PAGE_SIZE):
        _note(scenario.school, scenario.student, minutes_ago=100 + n)
    second = api.get("/me/notifications", page=2).json()
    assert second["page"] == 2
    assert second["pages"] == 2
    assert len(second["results"]) == 2
    assert api.get("/me/notifications", page=9).json()["page"] == 2
    response = api.get("/me/notifications", page=0)
    assert response.status_code == 400
    assert "page" in error_of(response)["fields"]


def test_a_parent_sees_which_child_it_is_about(api_as: Callable[..., Api], scenario: Scenario) -> None:
    _note(scenario.school, scenario.parent, about=scenario.student)
    body = api_as("parent").get("/me/notifications").json()
    assert body["results"][0]["about_student"] == scenario.student.full_name


def test_the_unread_count(api_as: Callable[..., Api], scenario: Scenario,
                          django_assert_num_queries: QueryCount) -> None:
    _note(scenario.school, scenario.teacher)
    _note(scenario.school, scenario.teacher, read=True)
    _note(scenario.school, scenario.teacher, minutes_ago=-5)
    api = api_as("teacher")
    api.get("/me/notifications/unread-count")
    with django_assert_num_queries(1):  # count
        response = api.get("/me/notifications/unread-count")
    assert response.json() == {"unread": 1}


def test_marking_one_read(api_as: Callable[..., Api], scenario: Scenario) -> None:
    note = _note(scenario.school, scenario.student)
    api = api_as("student")
    response = api.post(f"/me/notifications/{note.pk}/read", {})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == note.pk
    assert body["unread"] is False
    note.refresh_from_db()
    assert note.read_at == NOW
    assert api.post(f"/me/notifications/{note.pk}/read", {}).status_code == 200
    assert api.get("/me/notifications/unread-count").json() == {"unread": 0}


def test_marking_read_what_is_not_mine_is_not_found(
    api_as: Callable[..., Api], scenario: Scenario, other_school: Scenario
) -> None:
    others = _note(scenario.school, scenario.students[1])
    held_back = _note(scenario.school, scenario.student, minutes_ago=-30)
    foreign = _note(other_school.school, scenario.student)
    api = api_as("student")
    for note in (others, held_back, foreign):
        response = api.post(f"/me/notifications/{note.pk}/read", {})
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_the_centre_refuses_the_wrong_callers(
    api_as: Callable[..., Api], anonymous_api: Api, scenario: Scenario
) -> None:
    note = _note(scenario.school, scenario.student)
    for path in ("/me/notifications", "/me/notifications/unread-count"):
        assert anonymous_api.get(path).status_code == 401
    assert error_of(anonymous_api.post(f"/me/notifications/{note.pk}/read", {}))["code"] == "not_authenticated"
    stranger = api_as("student", user=make_user("stranger", "Str", "Anger"))
    for path in ("/me/notifications", "/me/notifications/unread-count"):
        response = stranger.get(path)
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"


def test_with_a_token(scenario: Scenario, client: Any, token_for: Callable[..., str]) -> None:
    note = _note(scenario.school, scenario.student)
    api = Api(client, f"/s/{scenario.school.slug}", token_for(scenario.student))
    assert api.post(f"/me/notifications/{note.pk}/read", {}).json()["unread"] is False


def test_the_list_costs_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    _note(scenario.school, scenario.parent, about=scenario.student)
    api = api_as("parent")
    api.get("/me/notifications")
    with django_assert_num_queries(2):  # count, page
        assert len(api.get("/me/notifications").json()["results"]) == 1
    for n in range(PAGE_SIZE + 3):
        _note(scenario.school, scenario.parent, about=scenario.student, minutes_ago=10 + n)
    with django_assert_num_queries(2):
        assert len(api.get("/me/notifications").json()["results"]) == PAGE_SIZE


def test_marking_read_costs_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_max_num_queries: QueryCount
) -> None:
    note = _note(scenario.school, scenario.student)
    api = api_as("student")
    api.post(f"/me/notifications/{note.pk}/read", {})
    with django_assert_max_num_queries(8):
        assert api.post(f"/me/notifications/{note.pk}/read", {}).status_code == 200
