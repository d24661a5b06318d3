"""Health and readiness, the public status page with its incidents, and /metrics."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from krijt.accounts.models import User
from krijt.core import clock
from krijt.ops import health, metrics
from krijt.ops.models import Incident, IncidentStatus, IncidentUpdate
from krijt.ops.status import snapshot
from tests import scenario as testing
from tests.scenario import TEST_PASSWORD, Scenario, english_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_staff() -> User:
    return User.objects.create(username="ops.platform", first_name="Pat", is_staff=True)


@pytest.fixture
def staff_client(client: Client, platform_staff: User) -> Client:
    client.force_login(platform_staff, backend="krijt.accounts.backends.KrijtBackend")
    return client


# ---------------------------------------------------------------- health and readiness


def test_health_answers_without_any_io(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_checks_database_and_cache(client: Client) -> None:
    response = client.get("/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["state"] == "ok"
    assert body["checks"]["cache"]["state"] == "ok"


def test_ready_is_503_when_the_cache_fails(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(health, "_cache_probe", broken)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"state": "down", "error": "ConnectionError"}


def test_ready_gives_up_on_a_hanging_database_after_its_deadline(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "DEADLINE", 0.2)
    monkeypatch.setattr(health, "_database_probe", lambda: time.sleep(1.5))
    started = time.perf_counter()
    response = client.get("/ready/")
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"state": "down", "error": "timeout"}


# ---------------------------------------------------------------- status page


def test_status_page_shows_every_part_and_no_incidents(client: Client) -> None:
    response = client.get("/status/")
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("Web servers", "Database", "Cache", "Background work", "E-mail"):
        assert label in page
    assert "Everything is working" in page
    assert "No incidents right now." in page
    assert response["Cache-Control"] == "private, max-age=5"


def test_status_page_speaks_the_visitors_language() -> None:
    client = Client()
    client.cookies["krijt_language"] = "fr"
    assert '<html lang="fr">' in client.get("/status/").content.decode()
    assert '<html lang="nl">' in Client().get("/status/").content.decode()


def test_status_json_has_the_same_figures(client: Client) -> None:
    body = client.get("/status.json").json()
    assert body["status"] == "operational"
    assert set(body["components"]) == {"web", "database", "cache", "worker", "email", "live"}
    assert body["components"]["worker"]["queue_depth"] == 0
    assert body["incidents"] == {"open": [], "recent": []}


def _ready_task(age: dt.timedelta) -> None:
    from django_tasks_db.models import DBTaskResult, get_date_max

    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="krijt.example.task", backend_name="default",
        run_after=get_date_max(), queue_name="default",
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=clock.now() - age)


@pytest.mark.usefixtures("inline_probes")
def test_worker_shows_queue_depth_and_the_age_of_the_oldest_ready_task(client: Client) -> None:
    _ready_task(dt.timedelta(seconds=30))
    _ready_task(dt.timedelta(seconds=2))
    worker = client.get("/status.json").json()["components"]["worker"]
    assert worker["state"] == "ok"
    assert worker["queue_depth"] == 2
    assert 29 <= worker["oldest_ready_age_seconds"] <= 40


@pytest.mark.usefixtures("inline_probes")
def test_a_worker_that_falls_behind_degrades_the_status(client: Client) -> None:
    _ready_task(dt.timedelta(minutes=20))
    body = client.get("/status.json").json()
    assert body["components"]["worker"]["state"] == "degraded"
    assert body["status"] == "degraded"
    assert "Slow or behind" in client.get("/status/").content.decode()


@pytest.mark.usefixtures("inline_probes")
def test_the_worker_heartbeat_is_the_last_task_it_ran(client: Client) -> None:
    from krijt.ops import signals

    signals._last_written = 0.0
    signals._worker_seen(sender=None)
    assert client.get("/status.json").json()["components"]["worker"]["last_seen"]


def test_email_is_not_configured_without_the_notifications_app(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = health.apps.is_installed
    monkeypatch.setattr(
        health.apps, "is_installed", lambda name: False if name == "krijt.notifications" else real(name)
    )
    assert client.get("/status.json").json()["components"]["email"] == {"state": "not_configured"}
    snapshot.clear()
    assert "Not configured" in client.get("/status/").content.decode()


@pytest.mark.usefixtures("inline_probes")
def test_email_without_deliveries_is_working(client: Client) -> None:
    email = client.get("/status.json").json()["components"]["email"]
    assert email == {"state": "ok", "last_success": None, "last_failure": None}


def test_a_database_outage_shows_on_the_page_instead_of_an_error(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_database_probe", down)
    body = client.get("/status.json").json()
    assert body["status"] == "outage"
    assert body["components"]["database"]["state"] == "down"
    assert body["incidents"]["open"] is None
    snapshot.clear()
    page = client.get("/status/").content.decode()
    assert "Krijt is unavailable" in page
    assert "Incidents cannot be read right now." in page


def test_the_snapshot_is_reused_for_a_few_seconds(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = health.collect

    def counting() -> dict[str, health.Check]:
        calls.append(1)
        return real()

    monkeypatch.setattr(health, "collect", counting)
    for _ in range(10):
        client.get("/status.json")
        client.get("/status/")
    assert len(calls) == 1


# ---------------------------------------------------------------- incidents


def test_platform_staff_post_update_and_resolve_an_incident(
    staff_client: Client, platform_staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    assert staff_client.get("/status/incidents/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/status/incidents/new/",
            {"title": "Slow sign-in", "impact": "minor", "status": "investigating", "message": "We are looking."},
        )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/status/incidents/{incident.pk}/"
    assert incident.created_by == platform_staff
    assert incident.is_open

    body = Client().get("/status.json").json()
    assert body["status"] == "degraded"
    assert body["incidents"]["open"][0]["title"] == "Slow sign-in"
    assert body["incidents"]["open"][0]["updates"][0]["message"] == "We are looking."

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/status/incidents/{incident.pk}/update/", {"status": "identified", "message": "Found it."})
        staff_client.post(f"/status/incidents/{incident.pk}/update/", {"status": "resolved", "message": "All good."})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolved_at is not None
    assert IncidentUpdate.objects.filter(incident=incident).count() == 3

    body = Client().get("/status.json").json()
    assert body["status"] == "operational"
    assert body["incidents"]["open"] == []
    messages = [u["message"] for u in body["incidents"]["recent"][0]["updates"]]
    assert messages == ["All good.", "Found it.", "We are looking."]

    again = staff_client.post(f"/status/incidents/{incident.pk}/update/", {"status": "monitoring", "message": "x"})
    assert again.status_code == 409


def test_an_incident_needs_a_title_and_a_message(staff_client: Client) -> None:
    response = staff_client.post("/status/incidents/new/", {"title": " ", "impact": "minor", "status": "investigating",
                                                            "message": ""})
    assert response.status_code == 400
    assert not Incident.objects.exists()
    update = staff_client.post("/status/incidents/new/", {"title": "x", "impact": "huge", "status": "investigating",
                                                          "message": "y"})
    assert update.status_code == 400


def test_school_roles_cannot_post_incidents(login_as: Callable[..., Client], scenario: Scenario) -> None:
    client = login_as("admin")
    assert client.get("/status/incidents/new/").status_code == 403
    assert client.post("/status/incidents/new/", {"title": "x", "impact": "minor", "status": "investigating",
                                                  "message": "y"}).status_code == 403
    assert not Incident.objects.exists()


def test_strangers_are_sent_to_sign_in(client: Client) -> None:
    incident = Incident.objects.create(title="x", impact="minor", status="investigating", started_at=clock.now())
    response = client.get("/status/incidents/new/")
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]
    update = client.post(f"/status/incidents/{incident.pk}/update/", {"status": "resolved", "message": "x"})
    assert update.status_code == 302
    incident.refresh_from_db()
    assert incident.is_open


def test_incident_pages_are_public_and_an_unknown_one_is_404(client: Client) -> None:
    incident = Incident.objects.create(
        title="Mail delayed", impact="minor", status="monitoring", started_at=clock.now()
    )
    page = client.get(f"/status/incidents/{incident.pk}/")
    assert page.status_code == 200
    assert "Mail delayed" in page.content.decode()
    assert "Post an update" not in page.content.decode()
    assert client.get("/status/incidents/999999/").status_code == 404


def _incidents(count: int) -> None:
    now = clock.now()
    for n in range(count):
        incident = Incident.objects.create(
            title=f"Incident {n}", impact="major", status="resolved", started_at=now - dt.timedelta(days=n),
            resolved_at=now,
        )
        IncidentUpdate.objects.create(incident=incident, status="resolved", message="done", posted_at=now)


@pytest.mark.parametrize("count", [2, 30])
def test_history_takes_a_fixed_number_of_queries(client: Client, count: int, django_assert_num_queries: Any) -> None:
    _incidents(count)
    with django_assert_num_queries(3):  # count, page, updates
        response = client.get("/status/incidents/")
    assert response.status_code == 200
    assert "Incident 0" in response.content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_status_page_takes_a_fixed_number_of_queries(
    client: Client, count: int, django_assert_max_num_queries: Any
) -> None:
    _incidents(count)
    with django_assert_max_num_queries(4):  # open and recent incidents, each with their updates
        response = client.get("/status/")
    assert response.status_code == 200


# ---------------------------------------------------------------- metrics


def _metrics(client: Client) -> str:
    return str(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.KRIJT_METRICS_TOKEN}").content.decode())


def test_metrics_are_in_the_prometheus_text_format(client: Client) -> None:
    client.get("/status/")
    client.get("/health/")
    text = _metrics(client)
    assert "# TYPE krijt_http_requests_total counter" in text
    assert 'krijt_http_requests_total{class="health",code="2xx"} 2' in text
    assert '# TYPE krijt_http_request_duration_seconds histogram' in text
    assert 'krijt_http_request_duration_seconds_bucket{class="health",le="+Inf"} 2' in text
    assert 'krijt_http_request_duration_seconds_count{class="health"} 2' in text
    assert "krijt_task_queue_depth 0" in text
    assert 'krijt_admission_in_flight{priority="read"} 0' in text
    assert "krijt_admission_limit " in text


def test_logins_are_counted_by_result(scenario: Scenario) -> None:
    client = english_client()
    User.objects.filter(pk=scenario.student.pk).update(password=testing.test_password_hash())
    client.post("/s/alpha/accounts/sign-in/", {"username": scenario.student.username, "password": "wrong"})
    client.post("/s/alpha/accounts/sign-in/", {"username": scenario.student.username, "password": TEST_PASSWORD})
    text = _metrics(client)
    assert 'krijt_logins_total{result="failure"} 1' in text
    assert 'krijt_logins_total{result="success"} 1' in text
    assert metrics.REGISTRY.histogram_count("krijt_http_request_duration_seconds", (("class", "login"),)) == 2


@override_settings(KRIJT_METRICS_TOKEN="s3cret")
def test_metrics_require_the_token(client: Client, scenario: Scenario) -> None:
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200
    # Never under a school's prefix or sub-domain, token or not.
    assert client.get("/s/alpha/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 404
    assert client.get("/metrics", HTTP_HOST="alpha.krijt.test", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 404


@override_settings(KRIJT_METRICS_TOKEN="")
def test_without_a_token_metrics_are_off(client: Client) -> None:
    assert client.get("/metrics").status_code == 404


def test_label_values_are_escaped() -> None:
    registry = metrics.Registry()
    registry.inc("x_total", (("path", 'a"b\\c\nd'),))
    assert 'x_total{path="a\\"b\\\\c\\nd"} 1' in registry.render()


def test_status_json_can_be_read_by_other_sites(client: Client) -> None:
    response = client.get("/status.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content)["updated_at"]
