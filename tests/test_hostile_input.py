"""No route answers 5xx to bad input: every route, as every role, with the inputs an attacker's fuzzer sends.

NUL bytes in every text (PostgreSQL refuses them), days at the ends of the calendar, ids that are not
numbers, numbers too large for the database, and JSON bodies that hold the same. Each must be a 4xx in
the one error shape, or an ordinary page; a 5xx fails the test with the route and the input.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver

from krijt.core.roles import Role
from tests.scenario import Scenario
from tests.test_tenant_isolation import SKIP_PREFIXES, b_objects, fill, walk

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
FIELDS = ["q", "title", "text", "body", "subject", "name", "first_name", "last_name", "email", "description",
          "reason", "comment", "code", "username", "password", "role", "kind", "label", "place", "note"]
NUMBERS = ["item_id", "student", "student_id", "class_group", "class_id", "course", "parent", "page", "score",
           "evaluation", "period", "weight", "max_score", "lesson_period", "weekday", "school_year"]
DAYS = ["week", "date", "day", "month", "since", "until", "due_date", "starts_on", "ends_on", "birth_date",
        "visible_from", "send_at"]


def hostile_inputs() -> list[tuple[str, dict[str, str]]]:
    nul = dict.fromkeys(FIELDS, NUL)
    words = dict.fromkeys(NUMBERS, "abc")
    huge = dict.fromkeys(NUMBERS, "99999999999999999999999")
    late = dict.fromkeys(DAYS, "9999-12-31") | {"month": "9999-12"}
    early = dict.fromkeys(DAYS, "0001-01-01") | {"month": "0001-01"}
    return [("NUL", nul), ("words for ids", words), ("huge ids", huge), ("last day", late), ("first day", early)]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT, Role.STAFF])
def test_no_route_answers_5xx_to_hostile_input(scenario: Scenario, role: str) -> None:
    from krijt.accounts.models import ApiToken

    ApiToken.objects.create(user=scenario.admin, name="fuzz", prefix="krijt_fz", key_hash="1" * 64)
    values = b_objects(scenario)  # the walk's objects, here of the school the roles belong to
    # Signing out would end the walk's session: those two routes take no input anyway.
    routes = [fill(r, values) for r, _p in walk(get_resolver().url_patterns)
              if not r.startswith(SKIP_PREFIXES) and "sign-out" not in r]
    problems: list[str] = []
    client = Client(raise_request_exception=False)
    client.force_login(scenario.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
    for path in routes:
        url = f"/s/alpha/{path}"
        for label, data in hostile_inputs():
            attempts: list[tuple[str, Any]] = [
                ("GET", lambda url=url, data=data: client.get(url, data)),
                ("POST form", lambda url=url, data=data: client.post(url, data)),
                ("POST urlencoded", lambda url=url, data=data: client.post(
                    url, urlencode(data), content_type="application/x-www-form-urlencoded")),
            ]
            if path.startswith("api/"):
                attempts.append(("POST json", lambda url=url, data=data: client.post(
                    url, json.dumps(data), content_type="application/json")))
            for method, send in attempts:
                status = send().status_code
                if status >= 500:
                    problems.append(f"{role} {method} {url} with {label}: {status}")
    assert not problems, "\n".join(problems)


@override_settings(ALLOWED_HOSTS=["krijt.example", ".krijt.test"])
def test_a_foreign_host_under_a_school_prefix_is_a_400_in_the_one_shape(scenario: Scenario) -> None:
    client = Client(raise_request_exception=True)  # the error page itself must not fail
    for host in ("evil.example", "evil.example:8000\x00", "bad host"):
        page = client.get("/s/alpha/", HTTP_HOST=host)
        assert page.status_code == 400
        assert "<html" in page.content.decode()
        api = client.get("/s/alpha/api/v1/me", HTTP_HOST=host)
        assert api.status_code == 400
        assert api.json()["error"]["code"] == "invalid"


def test_an_over_long_address_gets_the_one_error_shape(scenario: Scenario) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(scenario.admin, backend="krijt.accounts.backends.KrijtBackend")
    api = client.get("/s/alpha/api/v1/me", {"x": "y" * 5000})
    assert api.status_code == 414
    assert api.json()["error"]["code"] == "uri_too_long"
    page = client.get("/s/alpha/", {"x": "y" * 5000})
    assert page.status_code == 414
    assert "<html" in page.content.decode()
    assert client.get("/s/alpha/api/v1/me", {"x": "y" * 3000}).status_code == 200
