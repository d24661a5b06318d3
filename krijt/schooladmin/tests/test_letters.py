from __future__ import annotations

import re

import pytest

from krijt.accounts.models import ActivationCode, ParentLink, hash_code
from tests.scenario import Scenario

CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _active_hashes(s: Scenario) -> set[str]:
    return set(ActivationCode.objects.filter(school=s.school, kind="parent", used_at__isnull=True,
                                             revoked_at__isnull=True).values_list("code_hash", flat=True))


@pytest.mark.django_db
def test_confirm_page_warns_that_printing_again_replaces_codes(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.get(scenario.url(f"/manage/classes/{scenario.classes[0].pk}/letters/"))
    html = response.content.decode()
    assert "Printing again replaces the codes" in html
    assert not ActivationCode.objects.exists()


@pytest.mark.django_db
def test_printable_letters_show_the_codes_that_are_stored_as_hashes(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    students = scenario.students_by_class[group.pk]
    # The first student gets a second parent: no free slot, so no code on their letter.
    ParentLink.objects.create(school=scenario.school, parent=scenario.parents[5], student=students[0])
    client = login_as("admin")
    response = client.post(scenario.url(f"/manage/classes/{group.pk}/letters/"))
    assert response.status_code == 200
    html = response.content.decode()
    codes = CODE_RE.findall(html)
    assert len(codes) == 2  # one free parent slot for each of the two other students
    assert {hash_code(c) for c in codes} == _active_hashes(scenario)
    rows = ActivationCode.objects.filter(school=scenario.school)
    assert {r.student_id for r in rows} == {students[1].pk, students[2].pk}
    assert html.count('class="letter"') == 3  # one letter per student, one page each in print
    assert "break-after" in (client.get("/static/schooladmin/schooladmin.css").getvalue().decode())
    assert "/accounts/activate/" in html
    for student in students:
        assert student.full_name in html
    assert "Sint-Alphacollege" in html


@pytest.mark.django_db
def test_printing_again_replaces_unused_codes(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    client = login_as("admin")
    first = set(CODE_RE.findall(client.post(scenario.url(f"/manage/classes/{group.pk}/letters/")).content.decode()))
    second = set(CODE_RE.findall(client.post(scenario.url(f"/manage/classes/{group.pk}/letters/")).content.decode()))
    assert len(first) == len(second) == 3
    assert not first & second
    assert _active_hashes(scenario) == {hash_code(c) for c in second}


@pytest.mark.django_db
def test_pdf_letters_one_page_per_student(scenario: Scenario, login_as) -> None:
    group = scenario.classes[1]
    client = login_as("admin")
    earlier = CODE_RE.findall(client.post(scenario.url(f"/manage/classes/{group.pk}/letters/")).content.decode())
    response = client.post(scenario.url(f"/manage/classes/{group.pk}/letters.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="parent-letters-2a.pdf"' in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 3
    # The PDF's new codes replaced the printed page's: those no longer work.
    active = _active_hashes(scenario)
    assert len(active) == 3
    assert not active & {hash_code(c) for c in earlier}


@pytest.mark.django_db
def test_pdf_needs_post(scenario: Scenario, login_as) -> None:
    response = login_as("admin").get(scenario.url(f"/manage/classes/{scenario.classes[0].pk}/letters.pdf"))
    assert response.status_code == 405
    assert not ActivationCode.objects.exists()


@pytest.mark.django_db
def test_letters_are_in_the_schools_language(scenario: Scenario, login_as) -> None:
    scenario.school.language = "en"
    scenario.school.save()
    client = login_as("admin")
    html = client.post(scenario.url(f"/manage/classes/{scenario.classes[0].pk}/letters/")).content.decode()
    assert "Parent account for Stu1 Student" in html
    assert "Codes (one per parent)" in html
