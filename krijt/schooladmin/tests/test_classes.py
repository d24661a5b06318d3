from __future__ import annotations

import datetime as dt

import pytest

from krijt.accounts.models import Membership, User
from krijt.core.roles import Role
from krijt.schools.models import ClassGroup, Enrollment
from krijt.schools.services import class_create, school_year_create
from tests.scenario import Scenario

# the page's own queries (the school itself comes from the cache)
CLASS_LIST_QUERIES = 2
CLASS_DETAIL_QUERIES = 5


def _more_classes(s: Scenario, n: int) -> None:
    groups = ClassGroup.objects.bulk_create(
        ClassGroup(school=s.school, school_year=s.year, name=f"X{i}", grade=3, mentor=s.teachers[i % 2])
        for i in range(n)
    )
    users = User.objects.bulk_create(User(username=f"alpha.x{i}", last_name=f"X{i}") for i in range(n * 5))
    Membership.objects.bulk_create(Membership(school=s.school, user=u, role=Role.STUDENT) for u in users)
    Enrollment.objects.bulk_create(
        Enrollment(school=s.school, school_year=s.year, class_group=groups[i // 5], student=u)
        for i, u in enumerate(users)
    )


@pytest.mark.django_db
def test_class_list_shows_classes_of_the_year_with_counts(scenario: Scenario, login_as) -> None:
    html = login_as("admin").get(scenario.url("/manage/classes/")).content.decode()
    assert "1A" in html
    assert "2A" in html
    assert "Tess1 Teacher" in html
    assert "<td>3</td>" in html  # three students in each class


@pytest.mark.django_db
def test_class_list_costs_a_fixed_number_of_queries(
    scenario: Scenario, login_as, count_get, django_assert_num_queries
) -> None:
    client = login_as("admin")
    url = scenario.url("/manage/classes/")
    assert count_get(client, url) == CLASS_LIST_QUERIES
    _more_classes(scenario, 30)
    with django_assert_num_queries(CLASS_LIST_QUERIES):
        response = client.get(url)
    assert "X29" in response.content.decode()


@pytest.mark.django_db
def test_class_detail_costs_a_fixed_number_of_queries(
    scenario: Scenario, login_as, count_get, django_assert_num_queries
) -> None:
    client = login_as("admin")
    group = scenario.classes[0]
    url = scenario.url(f"/manage/classes/{group.pk}/")
    assert count_get(client, url) == CLASS_DETAIL_QUERIES
    users = User.objects.bulk_create(User(username=f"alpha.y{i}", last_name=f"Y{i}") for i in range(40))
    Membership.objects.bulk_create(Membership(school=scenario.school, user=u, role=Role.STUDENT) for u in users)
    Enrollment.objects.bulk_create(
        Enrollment(school=scenario.school, school_year=scenario.year, class_group=group, student=u) for u in users
    )
    with django_assert_num_queries(CLASS_DETAIL_QUERIES):
        html = client.get(url).content.decode()
    assert "Y39" in html
    assert "Wiskunde" in html
    assert "Nederlands" in html
    assert "B101" in html  # a room in the grid


@pytest.mark.django_db
def test_create_class(scenario: Scenario, login_as) -> None:
    response = login_as("admin").post(
        scenario.url("/manage/classes/new/"),
        {"school_year": scenario.year.pk, "name": " 3B ", "grade": 3, "mentor": scenario.teachers[1].pk},
    )
    group = ClassGroup.objects.get(school=scenario.school, name="3B")
    assert response.status_code == 302
    assert response["Location"] == scenario.url(f"/manage/classes/{group.pk}/")
    assert group.mentor == scenario.teachers[1]
    assert group.school_year == scenario.year


@pytest.mark.django_db
def test_create_class_errors_show_next_to_the_field(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    response = client.post(
        scenario.url("/manage/classes/new/"),
        {"school_year": scenario.year.pk, "name": "1A", "grade": 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "There is already a class with this name in this school year." in response.content.decode()
    response = client.post(
        scenario.url("/manage/classes/new/"),
        {"school_year": scenario.year.pk, "name": "", "grade": 13},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert "This field is required." in html
    assert "less than or equal to 12" in html


@pytest.mark.django_db
def test_mentor_must_be_a_teacher(scenario: Scenario, login_as) -> None:
    response = login_as("admin").post(
        scenario.url("/manage/classes/new/"),
        {"school_year": scenario.year.pk, "name": "3C", "grade": 3, "mentor": scenario.student.pk},
    )
    assert response.status_code == 400
    assert not ClassGroup.objects.filter(name="3C").exists()


@pytest.mark.django_db
def test_edit_class(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    client = login_as("admin")
    assert client.get(scenario.url(f"/manage/classes/{group.pk}/edit/")).status_code == 200
    response = client.post(scenario.url(f"/manage/classes/{group.pk}/edit/"), {"name": "1Z", "grade": 1, "mentor": ""})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.mentor) == ("1Z", None)


@pytest.mark.django_db
def test_edit_class_to_a_taken_name_fails(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    response = login_as("admin").post(
        scenario.url(f"/manage/classes/{group.pk}/edit/"),
        {"name": "2A", "grade": 1, "mentor": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "already a class with this name" in response.content.decode()
    group.refresh_from_db()
    assert group.name == "1A"


@pytest.mark.django_db
def test_errors_are_in_the_users_language(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.post(scenario.url("/manage/classes/new/"), {"school_year": scenario.year.pk, "grade": 1})
    assert "This field is required." in response.content.decode()


@pytest.mark.django_db
def test_class_of_next_year_can_be_listed(scenario: Scenario, login_as) -> None:
    nxt = school_year_create(
        actor=scenario.admin,
        school=scenario.school,
        name="2027-2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
    )
    class_create(actor=scenario.admin, school=scenario.school, school_year=nxt, name="1N", grade=1, mentor=None)
    client = login_as("admin")
    # As a link in the list (the bare text could turn up in the page's random CSRF token).
    shown = '">1N</a>'
    current = client.get(scenario.url("/manage/classes/")).content.decode()
    assert shown not in current
    assert shown in client.get(scenario.url(f"/manage/classes/?year={nxt.pk}")).content.decode()
