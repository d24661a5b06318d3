from __future__ import annotations

import datetime as dt

import pytest

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.roles import Role
from krijt.schooladmin.selectors import PEOPLE_PER_PAGE
from krijt.schools.models import Enrollment
from tests.scenario import Scenario

# school years, count, page, then roles, classes and parent links of the page's people
PEOPLE_QUERIES = 6


def _bulk_people(s: Scenario, n: int) -> list[User]:
    users = User.objects.bulk_create(
        User(username=f"alpha.bulk{i:04d}", first_name=f"Bulk{i}", last_name=f"Zimmer{i:04d}") for i in range(n))
    Membership.objects.bulk_create(Membership(school=s.school, user=u, role=Role.STUDENT) for u in users)
    Membership.objects.bulk_create(Membership(school=s.school, user=u, role=Role.TEACHER) for u in users[::7])
    Enrollment.objects.bulk_create(
        Enrollment(school=s.school, school_year=s.year, class_group=s.classes[i % 2], student=u)
        for i, u in enumerate(users))
    return users


@pytest.mark.django_db
def test_people_list_costs_a_fixed_number_of_queries(scenario: Scenario, login_as, count_get,
                                                     django_assert_num_queries) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    url = scenario.url("/manage/people/")
    assert count_get(client, url) == PEOPLE_QUERIES
    _bulk_people(scenario, 3 * PEOPLE_PER_PAGE)
    with django_assert_num_queries(PEOPLE_QUERIES):
        response = client.get(url + "?page=2")
    html = response.content.decode()
    assert "Page 2 of 4" in html
    assert response.context["page"].paginator.count == 3 * PEOPLE_PER_PAGE + 2 + 2 + 6 + 6
    assert len(response.context["page"].object_list) == PEOPLE_PER_PAGE
    for path in ("?page=4", "?q=zimmer", "?role=teacher&q=bulk1", "?role=parent", "?q=zimmer+bulk"):
        with django_assert_num_queries(PEOPLE_QUERIES):
            assert client.get(url + path).status_code == 200


@pytest.mark.django_db
def test_people_list_shows_roles_and_class(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.get(scenario.url("/manage/people/?q=stu1"))
    rows = response.context["page"].object_list
    assert [r.user.username for r in rows] == ["alpha.student1"]
    assert rows[0].roles == [Role.STUDENT]
    assert rows[0].class_group.name == "1A"
    parents = client.get(scenario.url("/manage/people/?role=parent")).context["page"].object_list
    assert len(parents) == 6
    assert all(r.roles == [Role.PARENT] for r in parents)


@pytest.mark.django_db
def test_people_search_is_case_insensitive_on_names_and_user_names(scenario: Scenario, login_as) -> None:
    client = login_as("admin")

    def found(q: str, role: str = "") -> list[str]:
        page = client.get(scenario.url("/manage/people/"), {"q": q, "role": role}).context["page"]
        return sorted(r.user.username for r in page.object_list)

    assert found("TEACHER") == ["alpha.teacher1", "alpha.teacher2"]  # last name
    assert found("tess2") == ["alpha.teacher2"]  # first name
    assert found("ALPHA.ADM") == ["alpha.admin"]  # user name
    assert found("stu2 student") == ["alpha.student2"]  # every word must match
    assert found("student", role="teacher") == []
    assert found("nobody-like-this") == []
    User.objects.filter(username="alpha.teacher1").update(last_name="De Smet")
    assert found("smet") == ["alpha.teacher1"]  # a part of a composed last name


@pytest.mark.django_db
def test_people_list_pages_by_fifty(scenario: Scenario, login_as) -> None:
    _bulk_people(scenario, 120)
    client = login_as("admin")
    first = client.get(scenario.url("/manage/people/?q=zimmer")).context["page"]
    third = client.get(scenario.url("/manage/people/?q=zimmer&page=3")).context["page"]
    assert first.paginator.num_pages == 3
    assert len(third.object_list) == 20
    assert third.object_list[-1].user.last_name == "Zimmer0119"
    html = client.get(scenario.url("/manage/people/?q=zimmer&page=2")).content.decode()
    assert "q=zimmer&amp;page=3" in html
    assert "q=zimmer&amp;page=1" in html
    assert client.get(scenario.url("/manage/people/?page=999")).status_code == 200


@pytest.mark.django_db
def test_person_detail_of_a_student_shows_class_and_parents(scenario: Scenario, login_as) -> None:
    html = login_as("admin").get(scenario.url(f"/manage/people/{scenario.student.pk}/")).content.decode()
    assert "1A" in html
    assert "Pa1 Parent" in html
    assert "2012" in html  # birth date


@pytest.mark.django_db
def test_person_detail_of_a_parent_shows_children_of_this_school_only(scenario: Scenario, other_school: Scenario,
                                                                       login_as) -> None:
    parent = scenario.parent
    ParentLink.objects.create(school=other_school.school, parent=parent, student=other_school.student)
    response = login_as("admin").get(scenario.url(f"/manage/people/{parent.pk}/"))
    profile = response.context["profile"]
    assert [c.user for c in profile.children] == [scenario.student]
    assert profile.children[0].class_group.name == "1A"
    assert profile.roles == [Role.PARENT]


@pytest.mark.django_db
def test_create_student_in_a_class(scenario: Scenario, login_as) -> None:
    response = login_as("admin").post(scenario.url("/manage/people/new/"), {
        "username": "Alpha.New", "first_name": "Nina", "last_name": "Nieuw", "email": "nina@example.org",
        "birth_date": "2013-04-05", "role": "student", "class_group": scenario.classes[1].pk})
    user = User.objects.get(username="alpha.new")
    assert response.status_code == 302
    assert response["Location"] == scenario.url(f"/manage/people/{user.pk}/")
    assert user.birth_date == dt.date(2013, 4, 5)
    assert Membership.objects.filter(school=scenario.school, user=user, role=Role.STUDENT).exists()
    assert Enrollment.objects.get(school=scenario.school, student=user).class_group == scenario.classes[1]
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_create_parent_linked_to_a_child(scenario: Scenario, login_as) -> None:
    child = scenario.students[3]
    ParentLink.objects.filter(student=child).delete()
    response = login_as("admin").post(scenario.url("/manage/people/new/"), {
        "username": "alpha.mama", "first_name": "Mama", "last_name": "Mol", "role": "parent",
        "child": child.username.upper()})
    assert response.status_code == 302
    user = User.objects.get(username="alpha.mama")
    assert ParentLink.objects.filter(school=scenario.school, parent=user, student=child).exists()
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_create_teacher(scenario: Scenario, login_as) -> None:
    response = login_as("admin").post(scenario.url("/manage/people/new/"), {
        "username": "alpha.teacher9", "first_name": "Tom", "last_name": "Negen", "role": "teacher"})
    assert response.status_code == 302
    assert Membership.objects.filter(user__username="alpha.teacher9", role=Role.TEACHER).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field", "message"), [
    ({"username": "alpha.student1", "last_name": "X", "role": "teacher"}, "username", "Taken."),
    ({"username": "Bad Name!", "last_name": "X", "role": "teacher"}, "username", "2 to 64 characters"),
    ({"username": "alpha.s9", "last_name": "X", "role": "student"}, "class_group", "Choose a class for a student."),
    ({"username": "alpha.p9", "last_name": "X", "role": "parent"}, "child", "enter the child's user name"),
    ({"username": "alpha.p9", "last_name": "X", "role": "parent", "child": "beta.student1"}, "child",
     "no student with this user name in this school"),
    ({"username": "alpha.p9", "last_name": "X", "role": "parent", "child": "alpha.student1"}, None,
     "already has two parent accounts"),
    ({"username": "alpha.t9", "role": "teacher"}, "last_name", "Enter a first or last name."),
    ({"username": "alpha.t9", "last_name": "X", "role": "teacher", "birth_date": "2999-01-01"}, "birth_date",
     "cannot be in the future"),
    ({"username": "alpha.t9", "last_name": "X", "role": "teacher", "email": "nope"}, "email",
     "valid email"),
], ids=["taken", "bad-username", "student-without-class", "parent-without-child", "foreign-child",
        "child-full", "no-name", "future-birth", "bad-email"])
def test_create_person_failures(scenario: Scenario, other_school: Scenario, login_as, data: dict[str, str],
                                field: str | None, message: str) -> None:
    # The first student gets a second parent, so their parent accounts are full.
    ParentLink.objects.create(school=scenario.school, parent=scenario.parents[1], student=scenario.students[0])
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    users_before = User.objects.count()
    response = client.post(scenario.url("/manage/people/new/"), data)
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in str(e) for e in errors), form.errors
    assert User.objects.count() == users_before


@pytest.mark.django_db
def test_edit_person(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    url = scenario.url(f"/manage/people/{scenario.student.pk}/edit/")
    assert client.get(url).status_code == 200
    response = client.post(url, {"first_name": "Stella", "last_name": "Ster", "email": "s@example.org",
                                 "birth_date": "2012-01-02"})
    assert response.status_code == 302
    scenario.student.refresh_from_db()
    assert (scenario.student.first_name, scenario.student.birth_date) == ("Stella", dt.date(2012, 1, 2))


@pytest.mark.django_db
def test_edit_person_failure(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.post(scenario.url(f"/manage/people/{scenario.student.pk}/edit/"),
                           {"first_name": "", "last_name": "", "birth_date": "not a date"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    scenario.student.refresh_from_db()
    assert scenario.student.first_name == "Stu1"


@pytest.mark.django_db
def test_add_and_remove_a_role(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    teacher = scenario.teacher
    response = client.post(scenario.url(f"/manage/people/{teacher.pk}/roles/add/"), {"role": "staff"})
    assert response.status_code == 302
    assert Membership.objects.filter(school=scenario.school, user=teacher, role=Role.STAFF).exists()
    response = client.post(scenario.url(f"/manage/people/{teacher.pk}/roles/remove/"), {"role": "staff"})
    assert response.status_code == 302
    assert not Membership.objects.filter(school=scenario.school, user=teacher, role=Role.STAFF).exists()


@pytest.mark.django_db
def test_the_add_role_menu_chooses_no_role_by_itself(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    student = scenario.student
    html = client.get(scenario.url(f"/manage/people/{student.pk}/")).content.decode()
    menu = html[html.index('name="role"'):]
    menu = menu[:menu.index("</select>")]
    assert menu.index('<option value="" selected>Choose a role</option>') < menu.index('value="teacher"')
    response = client.post(scenario.url(f"/manage/people/{student.pk}/roles/add/"), {"role": ""}, follow=True)
    assert "Choose a role." in response.content.decode()
    assert set(Membership.objects.filter(school=scenario.school, user=student).values_list("role", flat=True)) == {
        Role.STUDENT}


@pytest.mark.django_db
def test_role_changes_refuse_bad_input(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    url = scenario.url(f"/manage/people/{scenario.teacher.pk}/roles/add/")
    response = client.post(url, {"role": "parent"}, follow=True)
    assert "Choose a role." in response.content.decode()
    assert not Membership.objects.filter(user=scenario.teacher, role="parent").exists()
    # An administrator cannot remove their own admin role (and so lock the school out).
    response = client.post(scenario.url(f"/manage/people/{scenario.admin.pk}/roles/remove/"), {"role": "admin"},
                           follow=True)
    assert "cannot remove your own administrator role" in response.content.decode()
    assert Membership.objects.filter(user=scenario.admin, role=Role.ADMIN).exists()


@pytest.mark.django_db
def test_removing_the_student_role_takes_them_out_of_the_class(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    response = client.post(scenario.url(f"/manage/people/{scenario.student.pk}/roles/remove/"), {"role": "student"})
    assert response.status_code == 302
    assert not Enrollment.objects.filter(student=scenario.student).exists()


@pytest.mark.django_db
def test_enrol_student_moves_and_removes(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    url = scenario.url(f"/manage/people/{scenario.student.pk}/class/")
    assert client.post(url, {"class_group": scenario.classes[1].pk}).status_code == 302
    assert Enrollment.objects.get(student=scenario.student).class_group == scenario.classes[1]
    assert client.post(url, {"class_group": ""}).status_code == 302
    assert not Enrollment.objects.filter(student=scenario.student).exists()


@pytest.mark.django_db
def test_enrol_refuses_non_students_and_foreign_classes(scenario: Scenario, other_school: Scenario,
                                                         login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.post(scenario.url(f"/manage/people/{scenario.teacher.pk}/class/"),
                           {"class_group": scenario.classes[0].pk}, follow=True)
    assert "Only students can be put in a class." in response.content.decode()
    assert not Enrollment.objects.filter(student=scenario.teacher).exists()
    response = client.post(scenario.url(f"/manage/people/{scenario.student.pk}/class/"),
                           {"class_group": other_school.classes[0].pk}, follow=True)
    assert "Choose a class of this school year." in response.content.decode()
    assert Enrollment.objects.get(student=scenario.student).class_group == scenario.classes[0]
