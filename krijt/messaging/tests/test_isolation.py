"""The tenant-isolation walk over the message routes alone (the full walk lives in tests/)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver

from tests.scenario import Scenario
from tests.test_tenant_isolation import CANARY, ROLES, b_objects, fill, make_canary_school, snapshot, walk

pytestmark = pytest.mark.django_db


def test_message_routes_keep_school_b_out_of_reach(scenario: Scenario) -> None:
    a, b = scenario, make_canary_school()
    values = b_objects(b)
    routes = [r for r, _p in walk(get_resolver().url_patterns) if r.startswith("messages/")]
    assert len(routes) >= 15
    before = snapshot(b.school)
    problems: list[str] = []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(a.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
        for route in routes:
            path = fill(route, values)
            for url in (f"/s/alpha/{path}", f"/s/beta/{path}"):
                for method in ("get", "post"):
                    data = {"to": ["school"], "subject": "x", "body": "y"} if method == "post" else {}
                    response = getattr(client, method)(url, data)
                    body = response.content.decode(errors="replace")
                    if response.status_code >= 500:
                        problems.append(f"{role} {method} {url}: {response.status_code}")
                    if CANARY in body.replace(f"Atheneum {CANARY}", ""):
                        problems.append(f"{role} {method} {url}: shows school B's data")
    assert snapshot(b.school) == before
    assert not problems, "\n".join(problems)
