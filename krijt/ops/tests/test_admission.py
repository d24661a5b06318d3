"""Admission control: priorities, immediate 503 with Retry-After, per-school fairness, bypasses."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from krijt.ops import admission, metrics
from krijt.ops.admission import CRITICAL, HEAVY, LOGIN, READ, WRITE, AdmissionMiddleware, Gate, classify
from krijt.ops.tests import urls_for_tests

COOKIE = {"krijt_session": "abc"}
# Page views may fill every slot: for the tests of the per-school cap, which is about schools, not classes.
ALL_FOR_READS = {READ: 1.0}


class Holder:
    """A middleware whose view blocks until released, and helpers to hold slots from threads."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)
        self.threads: list[threading.Thread] = []
        self.results: list[int] = []
        self.middleware = AdmissionMiddleware(self._view)

    def _view(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "hold", False):
            self.entered.release()
            self.release.wait(timeout=10)
        return HttpResponse("ok")

    def hold(self, request: HttpRequest, count: int = 1) -> None:
        for _ in range(count):
            request_copy = _copy(request)
            request_copy.hold = True  # type: ignore[attr-defined]
            thread = threading.Thread(target=lambda r=request_copy: self.results.append(self.middleware(r).status_code))
            thread.start()
            self.threads.append(thread)
            assert self.entered.acquire(timeout=5), "a holding request was not admitted"

    def ask(self, request: HttpRequest) -> HttpResponse:
        return self.middleware(request)

    def finish(self) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(timeout=5)


def _copy(request: HttpRequest) -> HttpRequest:
    factory = RequestFactory()
    method = (request.method or "GET").lower()
    copy = getattr(factory, method)(request.path, HTTP_HOST=request.META.get("HTTP_HOST", "testserver"))
    copy.COOKIES = dict(request.COOKIES)
    for key in ("HTTP_AUTHORIZATION", "HTTP_ACCEPT_LANGUAGE"):
        if key in request.META:
            copy.META[key] = request.META[key]
    return copy


@pytest.fixture
def holder() -> Iterator[Holder]:
    h = Holder()
    yield h
    h.finish()


def rf(method: str, path: str, *, signed_in: bool = True, **extra: str) -> HttpRequest:
    request = getattr(RequestFactory(), method)(path, **extra)
    if signed_in:
        request.COOKIES.update(COOKIE)
    return request


def read(school: str = "alpha") -> HttpRequest:
    return rf("get", f"/s/{school}/")


def write(school: str = "alpha") -> HttpRequest:
    return rf("post", f"/s/{school}/manage/classes/new/")


def login(school: str = "alpha") -> HttpRequest:
    return rf("post", f"/s/{school}/accounts/sign-in/", signed_in=False)


def heavy_request(school: str = "alpha") -> HttpRequest:
    return rf("post", f"/s/{school}/manage/imports/1/apply/")


def register_save(school: str = "alpha") -> HttpRequest:
    return rf("post", f"/s/{school}/attendance/lessons/3/2026-11-30/1/")


# ---------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("make", "priority", "route_class", "school"),
    [
        (lambda: rf("get", "/s/alpha/"), READ, "page", "alpha"),
        (lambda: rf("get", "/s/alpha/api/v1/me"), READ, "api", "alpha"),
        (lambda: rf("get", "/s/alpha/api/v1/me", signed_in=False, HTTP_AUTHORIZATION="Bearer x"), READ, "api", "alpha"),
        (lambda: rf("post", "/s/alpha/manage/classes/new/"), WRITE, "page", "alpha"),
        (lambda: rf("post", "/s/alpha/accounts/sign-in/", signed_in=False), LOGIN, "login", "alpha"),
        (lambda: rf("post", "/accounts/sign-in/"), LOGIN, "login", ""),
        (lambda: rf("get", "/s/alpha/accounts/sign-in/", signed_in=False), LOGIN, "page", "alpha"),
        (lambda: rf("post", "/s/alpha/manage/imports/", signed_in=True), HEAVY, "heavy", "alpha"),
        (lambda: rf("get", "/s/alpha/manage/imports/"), READ, "page", "alpha"),
        (lambda: rf("post", "/s/alpha/manage/imports/4/apply/"), HEAVY, "heavy", "alpha"),
        (lambda: rf("get", "/s/alpha/manage/classes/3/letters.pdf"), HEAVY, "heavy", "alpha"),
        (lambda: rf("get", "/", HTTP_HOST="beta.krijt.test"), READ, "page", "beta"),
        (lambda: rf("post", "/s/alpha/attendance/lessons/3/2026-11-30/1/"), CRITICAL, "page", "alpha"),
        (lambda: rf("get", "/s/alpha/attendance/lessons/3/2026-11-30/1/"), READ, "page", "alpha"),
        (lambda: rf("put", "/s/alpha/api/v1/attendance/lessons/3/2026-11-30/1"), CRITICAL, "api", "alpha"),
        (lambda: rf("post", "/s/alpha/attendance/lessons/3/2026-11-30/1/", signed_in=False), LOGIN, "page", "alpha"),
    ],
)
def test_requests_are_classified_by_method_path_and_credentials(
    make: Callable[[], HttpRequest], priority: str, route_class: str, school: str
) -> None:
    seen = classify(make())
    assert (seen.priority, seen.route_class, seen.school, seen.bypass) == (priority, route_class, school, False)


@pytest.mark.parametrize("path", ["/health/", "/ready/", "/metrics", "/status/", "/status.json", "/s/alpha/health/",
                                  "/static/krijt/krijt.css"])
def test_health_metrics_status_and_static_bypass_admission(path: str) -> None:
    assert classify(rf("get", path, signed_in=False)).bypass


def test_posting_to_the_status_pages_does_not_bypass() -> None:
    assert not classify(rf("post", "/status/incidents/new/")).bypass


@override_settings(ROOT_URLCONF="krijt.ops.tests.urls_for_tests")
def test_the_heavy_decorator_marks_a_view_for_all_or_some_methods() -> None:
    assert urls_for_tests.heavy_report.krijt_heavy is True  # type: ignore[attr-defined]
    assert classify(rf("get", "/report.pdf")).priority == HEAVY
    assert classify(rf("post", "/upload/")).priority == HEAVY
    assert classify(rf("get", "/upload/")).priority == READ


# ---------------------------------------------------------------- the gate


def test_each_class_may_fill_only_its_share_of_the_slots() -> None:
    gate = Gate(10)
    assert gate.ceilings == {CRITICAL: 10, READ: 9, WRITE: 8, LOGIN: 5, HEAVY: 2}
    assert Gate(2).ceilings == {CRITICAL: 2, READ: 1, WRITE: 1, LOGIN: 1, HEAVY: 1}


def test_high_priority_requests_find_room_while_lower_classes_are_refused(holder: Holder) -> None:
    with override_settings(KRIJT_ADMISSION_LIMIT=10):
        holder.hold(heavy_request(), 2)  # heavy may take 2 of 10
        assert holder.ask(heavy_request()).status_code == 503
        holder.hold(login(), 3)  # logins up to 5 in total
        assert holder.ask(login()).status_code == 503
        holder.hold(write(), 3)  # writes up to 8
        assert holder.ask(write()).status_code == 503
        assert holder.ask(login()).status_code == 503
        holder.hold(read(), 1)  # reads up to 9: the last slot is kept for registers
        assert holder.ask(read()).status_code == 503
        holder.hold(register_save(), 1)  # a lesson's register takes the last one
        assert admission.gate().in_use == 10
        for refused in (register_save(), read(), write(), login(), heavy_request()):
            assert holder.ask(refused).status_code == 503
    shed = metrics.REGISTRY
    assert shed.value("krijt_http_requests_shed_total", (("priority", "heavy"), ("reason", "capacity"))) == 2
    assert shed.value("krijt_http_requests_shed_total", (("priority", "read"), ("reason", "capacity"))) == 2
    assert shed.value("krijt_http_requests_shed_total", (("priority", "critical"), ("reason", "capacity"))) == 1


def test_a_refusal_is_immediate_with_retry_after_and_the_api_error_shape(holder: Holder) -> None:
    with override_settings(KRIJT_ADMISSION_LIMIT=2):
        holder.hold(read(), 1)  # of two slots, reads may take one: the other is kept for registers
        started = time.perf_counter()
        response = holder.ask(rf("get", "/s/alpha/api/v1/me"))
        elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert elapsed < 0.2
    assert 1 <= int(response["Retry-After"]) <= 3
    body = json.loads(response.content)
    assert body["error"]["code"] == "overloaded"
    assert body["error"]["retry_after"] == int(response["Retry-After"])
    assert response["Cache-Control"] == "no-store"


def test_retry_after_is_jittered_and_longer_for_lower_classes() -> None:
    login_waits = {admission.retry_after(LOGIN) for _ in range(200)}
    assert len(login_waits) > 3
    assert min(login_waits) >= 5
    assert max(admission.retry_after(READ) for _ in range(200)) <= 3


def test_a_refused_page_is_a_small_page_in_the_visitors_language(holder: Holder) -> None:
    with override_settings(KRIJT_ADMISSION_LIMIT=1):
        holder.hold(read())
        response = holder.ask(rf("get", "/s/alpha/", HTTP_ACCEPT_LANGUAGE="fr"))
        posted = holder.ask(rf("post", "/s/alpha/manage/classes/new/", HTTP_ACCEPT_LANGUAGE="en"))
    page = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="fr">' in page
    assert 'data-retry-after="' in page  # a page view retries by itself (and can be stopped)
    assert 'http-equiv="refresh"' not in page
    assert "data-retry-after" not in posted.content.decode()  # a form is never re-sent behind the user's back
    assert "Nothing was saved" in posted.content.decode()


def test_one_school_may_use_every_slot_while_no_other_school_asks(holder: Holder) -> None:
    with override_settings(KRIJT_ADMISSION_LIMIT=4, KRIJT_ADMISSION_SHARES=ALL_FOR_READS):
        holder.hold(read("alpha"), 4)
        assert admission.gate().by_school["alpha"] == 4


def test_one_school_cannot_starve_the_others() -> None:
    now = [100.0]
    gate = Gate(4, ALL_FOR_READS, school_share=0.5, clock=lambda: now[0])
    for _ in range(4):
        assert gate.try_enter(READ, "alpha") is None  # nobody else asks: alpha may use every slot
    assert gate.try_enter(READ, "beta") == "capacity"  # full; beta is now waiting
    gate.leave(READ, "alpha")
    assert gate.try_enter(READ, "alpha") == "school"  # alpha holds 3 of 4 while beta waits: refused
    assert gate.try_enter(READ, "beta") is None  # the free slot goes to beta
    assert gate.by_school == {"alpha": 3, "beta": 1}


def test_the_school_cap_applies_while_another_school_holds_a_slot(holder: Holder) -> None:
    with override_settings(
        KRIJT_ADMISSION_LIMIT=4, KRIJT_ADMISSION_SCHOOL_SHARE=0.5, KRIJT_ADMISSION_SHARES=ALL_FOR_READS
    ):
        holder.hold(read("beta"))
        holder.hold(read("alpha"), 2)
        refused = holder.ask(read("alpha"))
        assert refused.status_code == 503
        holder.hold(read("beta"))  # beta still finds the last slot
    assert metrics.REGISTRY.value("krijt_http_requests_shed_total", (("priority", "read"), ("reason", "school"))) == 1


def test_contention_from_a_refused_school_expires() -> None:
    now = [100.0]
    gate = Gate(2, ALL_FOR_READS, school_share=0.5, clock=lambda: now[0])
    assert gate.try_enter(READ, "alpha") is None
    assert gate.try_enter(READ, "alpha") is None
    assert gate.try_enter(READ, "beta") == "capacity"
    gate.leave(READ, "alpha")
    assert gate.try_enter(READ, "alpha") == "school"
    now[0] += 5
    assert gate.try_enter(READ, "alpha") is None  # beta gave up long ago: alpha may use the room


def test_slots_are_given_back_when_the_view_fails() -> None:
    def broken(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom")

    middleware = AdmissionMiddleware(broken)
    with pytest.raises(RuntimeError):
        middleware(read())
    assert admission.gate().in_use == 0


# ---------------------------------------------------------------- through the whole stack


@pytest.mark.django_db
def test_under_the_bound_admission_changes_nothing(login_as: Callable[..., Client], scenario: object) -> None:
    client = login_as("student")
    with override_settings(KRIJT_ADMISSION_LIMIT=2):
        statuses = {client.get("/s/alpha/").status_code for _ in range(20)}
    assert statuses == {200}
    assert admission.gate().in_use == 0
    assert metrics.REGISTRY.value("krijt_http_requests_total", (("class", "page"), ("code", "2xx"))) == 20
    assert metrics.REGISTRY.value("krijt_http_requests_shed_total", (("priority", "read"), ("reason", "capacity"))) == 0


@override_settings(ROOT_URLCONF="krijt.ops.tests.urls_for_tests", KRIJT_ADMISSION_LIMIT=2)
def test_a_full_process_sheds_at_once_and_health_still_answers() -> None:
    """Real threads through the whole middleware stack: one slow anonymous request fills the login share."""
    urls_for_tests.release.clear()
    results: list[int] = []
    holder = threading.Thread(target=lambda: results.append(Client().get("/slow/").status_code))
    holder.start()
    try:
        assert urls_for_tests.entered.acquire(timeout=5)
        started = time.perf_counter()
        refused = Client().get("/slow/", HTTP_ACCEPT_LANGUAGE="en")
        elapsed = time.perf_counter() - started
        assert refused.status_code == 503
        assert elapsed < 0.5
        assert int(refused["Retry-After"]) >= 5
        assert "Very busy" in refused.content.decode()
        assert Client().get("/health/").status_code == 200
        metrics_page = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.KRIJT_METRICS_TOKEN}")
        assert metrics_page.status_code == 200
        assert 'krijt_http_requests_shed_total{priority="login",reason="capacity"} 1' in metrics_page.content.decode()
    finally:
        urls_for_tests.release.set()
        holder.join(timeout=5)
    assert results == [200]
    assert Client().get("/slow/").status_code == 200
