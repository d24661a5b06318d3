"""Who may call the API, and the one error shape whatever goes wrong."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from krijt.accounts.models import ApiToken, User
from krijt.api import services
from krijt.api.tests.conftest import Api, error_of
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------- sessions


def test_without_credentials_every_endpoint_answers_401(anonymous_api: Api, scenario: Scenario) -> None:
    paths = ["/me", "/me/timetable", "/me/timetable/week", "/me/classes", f"/classes/{scenario.classes[0].pk}",
             "/admin/classes", "/admin/people", f"/admin/people/{scenario.student.pk}", "/admin/courses",
             "/admin/timetable", "/admin/calendar"]
    for path in paths:
        response = anonymous_api.get(path)
        assert response.status_code == 401, path
        assert error_of(response)["code"] == "not_authenticated"
    for path in ["/admin/classes", "/admin/people"]:
        response = anonymous_api.post(path, {})
        assert response.status_code == 401, path
        assert error_of(response)["code"] == "not_authenticated"


def _csrf_client(scenario: Scenario, user: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="krijt.accounts.backends.KrijtBackend")
    # Any page with a form hands out the CSRF cookie; the token page is the API's own.
    assert client.get(scenario.url("/api/tokens/")).status_code == 200
    return client, client.cookies["csrftoken"].value


NEW_CLASS = {"name": "3B", "grade": 3}


def test_session_post_without_csrf_token_is_refused(scenario: Scenario) -> None:
    client, _token = _csrf_client(scenario, scenario.admin)
    response = client.post(scenario.url("/api/v1/admin/classes"), json.dumps(NEW_CLASS),
                           content_type="application/json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"


def test_session_post_with_csrf_token_is_accepted(scenario: Scenario) -> None:
    client, token = _csrf_client(scenario, scenario.admin)
    response = client.post(scenario.url("/api/v1/admin/classes"), json.dumps(NEW_CLASS),
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "3B"


def test_session_get_needs_no_csrf_token(scenario: Scenario) -> None:
    client, _token = _csrf_client(scenario, scenario.admin)
    assert client.get(scenario.url("/api/v1/me")).status_code == 200


# ---------------------------------------------------------------- tokens


def test_a_valid_token_authenticates_with_the_users_roles(
    client: Client, scenario: Scenario, token_for: Callable[[User], str]
) -> None:
    api = Api(client, "/s/alpha", token_for(scenario.teacher))
    response = api.get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == scenario.teacher.username
    assert body["roles"] == ["teacher"]
    assert api.get("/admin/people").status_code == 403


def test_a_token_needs_no_csrf_token_for_post(scenario: Scenario, token_for: Callable[[User], str]) -> None:
    client = Client(enforce_csrf_checks=True)
    api = Api(client, "/s/alpha", token_for(scenario.admin))
    response = api.post("/admin/classes", NEW_CLASS)
    assert response.status_code == 201, response.content


def test_a_revoked_token_is_refused(client: Client, scenario: Scenario, token_for: Callable[[User], str]) -> None:
    secret = token_for(scenario.teacher)
    token = ApiToken.objects.get(user=scenario.teacher)
    services.api_token_revoke(user=scenario.teacher, token_id=token.pk)
    response = Api(client, "/s/alpha", secret).get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Bearer krijt_wrong", "Bearer not-a-krijt-token", "Bearer ", "Basic abc"])
def test_a_wrong_token_is_refused(client: Client, scenario: Scenario, header: str) -> None:
    response = client.get(scenario.url("/api/v1/me"), headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_a_wrong_token_is_refused_even_with_a_valid_session(login_as: Callable[..., Client],
                                                            scenario: Scenario) -> None:
    client = login_as("teacher")
    assert client.get(scenario.url("/api/v1/me")).status_code == 200
    response = client.get(scenario.url("/api/v1/me"), headers={"Authorization": "Bearer krijt_wrong"})
    assert response.status_code == 401


def test_a_token_of_an_inactive_user_is_refused(client: Client, scenario: Scenario,
                                                token_for: Callable[[User], str]) -> None:
    secret = token_for(scenario.teacher)
    User.objects.filter(pk=scenario.teacher.pk).update(is_active=False)
    assert Api(client, "/s/alpha", secret).get("/me").status_code == 401


def test_a_token_in_a_school_where_the_user_has_no_role_is_forbidden(
    client: Client, scenario: Scenario, other_school: Scenario, token_for: Callable[[User], str]
) -> None:
    api = Api(client, "/s/beta", token_for(scenario.teacher))
    response = api.get("/me")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert api.get(f"/classes/{other_school.classes[0].pk}").status_code == 403


def test_last_used_is_written_at_most_once_a_minute(
    client: Client, scenario: Scenario, token_for: Callable[[User], str],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    api = Api(client, "/s/alpha", token_for(scenario.teacher))
    with time_machine.travel(NOW, tick=False):
        api.get("/me")  # warms the school cache and records the first use
        assert ApiToken.objects.get().last_used_at == NOW
        # the token with its user (the roles are a cache read): no write
        with django_assert_num_queries(1):
            assert api.get("/me").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(seconds=59), tick=False):
        api.get("/me")
        assert ApiToken.objects.get().last_used_at == NOW
    later = NOW + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        with django_assert_num_queries(2):  # the token with its user, and the one write of its last use
            assert api.get("/me").status_code == 200
        assert ApiToken.objects.get().last_used_at == later


# ---------------------------------------------------------------- outside a school, unknown routes


def test_outside_a_school_the_api_answers_404(login_as: Callable[..., Client], scenario: Scenario) -> None:
    client = login_as("admin")
    for path in ["/api/v1/me", "/api/v1/admin/people", f"/api/v1/classes/{scenario.classes[0].pk}"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


def test_outside_a_school_a_token_also_gets_404(client: Client, scenario: Scenario,
                                                token_for: Callable[[User], str]) -> None:
    response = Api(client, "", token_for(scenario.admin)).get("/me")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("path", ["/s/alpha/api/v1/nope", "/s/alpha/api/v2/me", "/s/alpha/api/", "/s/alpha/api/x/y",
                                  "/api/v1/nope", "/api/"])
def test_unknown_api_paths_answer_404_in_the_error_shape(login_as: Callable[..., Client], path: str) -> None:
    response = login_as("admin").get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_answers_405_in_the_error_shape(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("admin").client.delete(scenario.url("/api/v1/admin/people"))
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response["Allow"]


def test_a_body_that_is_not_json_is_a_400_with_fields(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("admin").client.post(scenario.url("/api/v1/admin/people"), "{not json",
                                           content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert "body" in error["fields"]


def test_bad_query_input_is_a_400_with_the_field_named(api_as: Callable[..., Api]) -> None:
    response = api_as("student").get("/me/timetable", date="2026-13-01")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["date"]


# ---------------------------------------------------------------- the schema


def test_the_openapi_schema_lists_every_endpoint(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/api/v1/openapi.json"))
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1"
    expected = {
        "/me": {"get"}, "/me/timetable": {"get"}, "/me/timetable/week": {"get"}, "/me/classes": {"get"},
        "/classes/{class_id}": {"get"}, "/admin/classes": {"get", "post"}, "/admin/people": {"get", "post"},
        "/admin/people/{person_id}": {"get"}, "/admin/courses": {"get"}, "/admin/timetable": {"get"},
        "/admin/calendar": {"get"},
        "/me/planner": {"get"}, "/planner/items/{item_id}/done": {"post", "delete"},
        "/me/notifications": {"get"}, "/me/notifications/unread-count": {"get"},
        "/notifications/urgent-log": {"get"},
        "/me/notifications/{notification_id}/read": {"post"},
        "/me/messages": {"get"}, "/messages/{message_id}": {"get"}, "/me/results": {"get"},
        "/planner/items": {"post"}, "/planner/items/{item_id}": {"get", "put"},
        "/planner/items/{item_id}/cancel": {"post"},
        "/planner/items/{item_id}/submission": {"get", "post"}, "/planner/items/{item_id}/submissions": {"get"},
        "/submissions/{submission_id}/feedback": {"put"},
        "/messages": {"post"}, "/messages/{message_id}/reply": {"post"}, "/messages/{message_id}/schedule": {"put"},
        "/messages/{message_id}/cancel": {"post"},
        "/results/evaluations/{evaluation_id}": {"get"},
        "/results/evaluations/{evaluation_id}/scores/{student_id}": {"put"},
        "/results/evaluations/{evaluation_id}/publish": {"post"},
        "/reportcards/periods/{period_id}/classes/{class_id}": {"get"},
        "/reportcards/periods/{period_id}/students/{student_id}": {"get"},
        "/attendance/lessons/{course_id}/{day}/{period}": {"get", "put"},
        "/attendance/students/{student_id}": {"get"}, "/attendance/reports": {"post"},
        "/attendance/reports/{report_id}/end": {"post"}, "/attendance/absences": {"get"},
        "/attendance/students/{student_id}/codes": {"put"}, "/attendance/codes": {"get"},
        "/attendance/reviews": {"get"}, "/attendance/reviews/{review_id}/close": {"post"},
        "/me/notes": {"get"}, "/notes/{note_id}/reply": {"post"}, "/students/{student_id}/notes": {"get"},
        "/notes/{note_id}": {"get"}, "/notes": {"post"},
        "/announcements": {"get", "post"}, "/announcements/{announcement_id}": {"get"},
        "/announcements/{announcement_id}/answers": {"get", "post"},
        "/calendar": {"get"}, "/events": {"post"}, "/events/{event_id}": {"get", "put"},
        "/events/{event_id}/cancel": {"post"},
        "/documents/courses": {"get"}, "/documents/courses/{course_id}/folder": {"get"}, "/documents/mine": {"get"},
        "/documents/folders/{folder_id}": {"get"}, "/documents/folders/{folder_id}/folders": {"post"},
        "/documents/folders/{folder_id}/files": {"post"}, "/documents/folders/{folder_id}/links": {"post"},
        "/documents/{document_id}": {"get"}, "/documents/{document_id}/versions": {"post"},
        "/documents/{document_id}/versions/{number}/restore": {"post"},
        "/live/lessons": {"get", "post"}, "/live/lessons/{lesson_id}": {"get", "put"},
        "/live/lessons/{lesson_id}/cancel": {"post"}, "/live/lessons/{lesson_id}/{day}/join": {"post"},
        "/live/lessons/{lesson_id}/{day}/joins": {"get"}, "/live/settings": {"get", "put"},
        "/live/servers": {"post"}, "/live/servers/{server_id}": {"put", "delete"},
        "/exercises": {"get", "post"}, "/exercises/{exercise_id}": {"get", "put"},
        "/exercises/{exercise_id}/items": {"post"}, "/exercises/{exercise_id}/import": {"post"},
        "/exercises/{exercise_id}/export": {"get"}, "/exercises/items/{item_id}": {"put", "delete"},
        "/exercises/assignments": {"post"}, "/exercises/assignments/{assignment_id}": {"get", "put"},
        "/exercises/assignments/{assignment_id}/cancel": {"post"},
        "/exercises/assignments/{assignment_id}/results": {"post"},
        "/exercises/practice": {"get"}, "/exercises/practice/{assignment_id}": {"get"},
        "/exercises/attempts": {"post"}, "/exercises/courses/{course_id}": {"get"},
    }
    paths = {path.removeprefix("/s/alpha/api/v1"): set(ops) for path, ops in schema["paths"].items()}
    assert paths == expected
    security = schema["components"]["securitySchemes"]
    assert {s["type"] for s in security.values()} == {"http", "apiKey"}


def test_the_openapi_schema_is_also_served_outside_a_school(client: Client, db: None) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]


def test_the_interactive_docs_are_served(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/api/v1/docs"))
    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()
