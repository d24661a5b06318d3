"""Who may open which administration page, and that another school's objects are never found."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver

from krijt.schools.models import CalendarEntry, TimetableSlot
from tests.scenario import Scenario

READ_PAGES = ["/manage/", "/manage/classes/", "/manage/people/", "/manage/courses/", "/manage/timetable/",
              "/manage/calendar/"]
WRITE_PAGES = ["/manage/classes/new/", "/manage/people/new/", "/manage/courses/new/", "/manage/calendar/years/new/",
               "/manage/calendar/periods/new/", "/manage/calendar/entries/new/"]


def _schooladmin_routes() -> list[tuple[str, str]]:
    """(url name, route) of every administration page, read from the URL configuration itself."""
    resolver = get_resolver()
    routes = []
    for top in resolver.url_patterns:
        if getattr(top, "namespace", None) != "schooladmin":
            continue
        for pattern in top.url_patterns:  # type: ignore[union-attr]
            assert isinstance(pattern, URLPattern)
            routes.append((pattern.name or "", "/manage/" + str(pattern.pattern)))
    return routes


def _ids(s: Scenario) -> dict[str, int]:
    slot = TimetableSlot.objects.filter(school=s.school).first()
    entry = CalendarEntry.objects.filter(school=s.school).first()
    assert slot is not None
    assert entry is not None
    return {"class_id": s.classes[0].pk, "person_id": s.student.pk, "course_id": s.courses[0].pk,
            "slot_id": slot.pk, "entry_id": entry.pk, "lesson_period_id": s.lesson_periods[0].pk,
            "year_id": s.year.pk, "period_id": s.periods[0].pk}


def _fill(route: str, ids: dict[str, int]) -> str:
    return re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), route)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["student", "teacher", "parent"])
def test_other_roles_get_403_everywhere(scenario: Scenario, login_as, role: str) -> None:
    client = login_as(role)
    ids = _ids(scenario)
    for _name, route in _schooladmin_routes():
        url = scenario.url(_fill(route, ids))
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/manage/people/"))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


@pytest.mark.django_db
def test_staff_may_look_but_not_change(scenario: Scenario, login_as) -> None:
    client = login_as("staff")
    for path in [*READ_PAGES, f"/manage/classes/{scenario.classes[0].pk}/", f"/manage/people/{scenario.student.pk}/"]:
        response = client.get(scenario.url(path))
        assert response.status_code == 200, path
        assert 'class="button primary"' not in response.content.decode() or path == "/manage/", path
    for path in WRITE_PAGES:
        assert client.get(scenario.url(path)).status_code == 403, path
    assert client.post(scenario.url("/manage/timetable/"),
                       {"number": 9, "starts_at": "16:00", "ends_at": "16:50"}).status_code == 403
    assert client.post(scenario.url(f"/manage/courses/{scenario.courses[0].pk}/delete/")).status_code == 403
    assert client.get(scenario.url(f"/manage/classes/{scenario.classes[0].pk}/letters/")).status_code == 403


@pytest.mark.django_db
def test_every_route_404s_for_objects_of_another_school(scenario: Scenario, other_school: Scenario,
                                                        login_as) -> None:
    client = login_as("admin")
    foreign = _ids(other_school)
    walked = 0
    for name, route in _schooladmin_routes():
        if "<int:" not in route:
            continue
        url = scenario.url(_fill(route, foreign))
        assert client.get(url).status_code == 404, (name, url)
        assert client.post(url, {"role": "teacher", "class_group": "", "name": "x"}).status_code == 404, (name, url)
        walked += 1
    assert walked >= 15
    # Nothing of the other school changed.
    assert other_school.courses[0].__class__.objects.filter(pk=other_school.courses[0].pk).exists()
    assert TimetableSlot.objects.filter(school=other_school.school).count() == 20


@pytest.mark.django_db
def test_a_person_only_in_another_school_is_not_found(scenario: Scenario, other_school: Scenario, login_as) -> None:
    client = login_as("admin")
    for person in (other_school.student, other_school.teacher, other_school.parent, other_school.admin):
        assert client.get(scenario.url(f"/manage/people/{person.pk}/")).status_code == 404
    listing = client.get(scenario.url("/manage/people/?q=beta")).content.decode()
    assert "beta." not in listing


@pytest.mark.django_db
def test_post_only_routes_refuse_get(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    response = client.get(scenario.url(f"/manage/courses/{scenario.courses[0].pk}/delete/"))
    assert response.status_code == 405


@pytest.mark.django_db
def test_choices_of_another_school_are_refused(scenario: Scenario, other_school: Scenario, login_as) -> None:
    client = login_as("admin")
    response = client.post(scenario.url("/manage/courses/new/"), {
        "name": "Latijn", "class_group": other_school.classes[0].pk, "teacher": scenario.teacher.pk,
        "hours_per_week": 2})
    assert response.status_code == 400
    response = client.post(scenario.url("/manage/classes/new/"), {
        "school_year": scenario.year.pk, "name": "3A", "grade": 3, "mentor": other_school.teacher.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode() or "geldige keuze" in response.content.decode()


@pytest.mark.django_db
def test_navigation_shows_administration_to_admin_and_staff_only(scenario: Scenario, login_as, client) -> None:
    assert "/manage/" in login_as("admin").get(scenario.url("/")).content.decode()
    assert "/manage/" in login_as("staff").get(scenario.url("/")).content.decode()
    assert 'href="/s/alpha/manage/"' not in login_as("student").get(scenario.url("/")).content.decode()
