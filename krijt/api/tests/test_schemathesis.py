"""Every operation of the OpenAPI schema, fed requests generated from the schema itself (schemathesis).

Bounded and repeatable: a fixed number of examples per operation, derandomised. Each response must be
no server error and have a status the schema declares for that operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import status_code_conformance

from krijt.api.services import api_token_create
from krijt.core.roles import Role
from tests.scenario import Scenario

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 20


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The real WSGI application, kept on the test's database connection (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STUDENT, Role.PARENT])
def test_every_operation_answers_as_documented(scenario: Scenario, role: str, wsgi_app: Any) -> None:
    secret = api_token_create(user=scenario.user_for(role), name="schemathesis").secret
    auth = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/s/alpha/api/v1/openapi.json", wsgi_app, headers=auth)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"the schema is not valid: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        # Requests that fit the schema, and requests that break it (wrong types, missing fields, bad values).
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                response = case.call(headers=auth)
                case.validate_response(response, checks=[not_a_server_error, status_code_conformance])

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # every failure is collected and shown together
                failures.append(f"{operation.label} ({mode}): {str(exc)[:600]}")
    assert operations > 15
    assert not failures, "\n\n".join(failures)


def test_every_operation_declares_what_any_request_may_meet(client: Any, scenario: Scenario) -> None:
    """Bad parameters, a too large body or address, too many requests and a full server can meet any call."""
    schema = client.get("/s/alpha/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            declared = set(operation["responses"])
            missing = {"400", "401", "404", "413", "414", "429", "503"} - declared
            assert not missing, f"{method.upper()} {path} does not declare {sorted(missing)}"
