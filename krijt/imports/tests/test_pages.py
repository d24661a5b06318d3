"""Who may import, what the pages show while a job runs, and what they cost in queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.core.errors import Forbidden
from krijt.imports import services
from krijt.imports.models import ImportJob
from krijt.imports.selectors import job_progress, progress_key
from krijt.imports.tests.conftest import Upload, csv_bytes
from tests.scenario import Scenario

TEACHERS = [["username", "first_name", "last_name"], ["an.j", "An", "J"]]


def make_job(scenario: Scenario, **fields: Any) -> ImportJob:
    defaults: dict[str, Any] = {"kind": "students", "original_name": "leerlingen.csv", "created_by": scenario.admin}
    return ImportJob.objects.create(school=scenario.school, **{**defaults, **fields})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teacher", "student", "parent", "staff"])
def test_only_admins_may_import(login_as: Callable[..., Client], scenario: Scenario, role: str) -> None:
    job = make_job(scenario)
    client = login_as(role)
    assert client.get(scenario.url("/manage/imports/")).status_code == 403
    assert client.post(scenario.url("/manage/imports/"), {
        "kind": "teachers", "file": SimpleUploadedFile("t.csv", csv_bytes(TEACHERS))}).status_code == 403
    assert client.get(scenario.url(f"/manage/imports/{job.pk}/")).status_code == 403
    assert client.get(scenario.url(f"/manage/imports/{job.pk}/state/")).status_code == 403
    assert client.post(scenario.url(f"/manage/imports/{job.pk}/apply/")).status_code == 403
    assert ImportJob.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teacher", "student", "parent", "staff"])
def test_the_import_services_refuse_anyone_but_an_administrator_when_called_directly(
    scenario: Scenario, role: str
) -> None:
    job = make_job(scenario, status=ImportJob.Status.PREVIEW)
    actor = scenario.user_for(role)
    upload = SimpleUploadedFile("t.csv", csv_bytes(TEACHERS))
    with pytest.raises(Forbidden):
        services.import_job_create(school=scenario.school, user=actor, kind="teachers", upload=upload)
    with pytest.raises(Forbidden):
        services.import_apply_start(school=scenario.school, actor=actor, job_id=job.pk)
    with pytest.raises(Forbidden):  # the roles the caller knows decide, whoever the account is
        services.import_apply_start(school=scenario.school, actor=scenario.admin, job_id=job.pk,
                                    roles=frozenset({role}))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    assert ImportJob.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/manage/imports/"))
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


@pytest.mark.django_db
def test_another_schools_job_is_not_found(login_as: Callable[..., Client], scenario: Scenario,
                                          other_school: Scenario) -> None:
    theirs = ImportJob.objects.create(school=other_school.school, kind="teachers", original_name="geheim.csv",
                                      status=ImportJob.Status.PREVIEW, rows_total=1)
    client = login_as("admin")
    for path in (f"/manage/imports/{theirs.pk}/", f"/manage/imports/{theirs.pk}/state/"):
        response = client.get(scenario.url(path))
        assert response.status_code == 404
        assert "geheim" not in response.content.decode()
    assert client.post(scenario.url(f"/manage/imports/{theirs.pk}/apply/")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ImportJob.Status.PREVIEW
    assert "geheim" not in client.get(scenario.url("/manage/imports/")).content.decode()


@pytest.mark.django_db
def test_upload_page_and_navigation(login_as: Callable[..., Client], scenario: Scenario) -> None:
    page = login_as("admin").get(scenario.url("/manage/imports/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'for="id_file"' in html
    assert 'for="id_kind"' in html
    assert f'href="{scenario.url("/manage/imports/")}"' in html  # the nav entry for admins
    teacher_home = login_as("teacher").get(scenario.url("/")).content.decode()
    assert "/manage/imports/" not in teacher_home


@pytest.mark.django_db
def test_empty_header_file_to_download(login_as: Callable[..., Client], scenario: Scenario) -> None:
    response = login_as("admin").get(scenario.url("/manage/imports/template/parents.csv"))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").strip() == "username;first_name;last_name;student_username;email"
    assert login_as("admin").get(scenario.url("/manage/imports/template/pets.csv")).status_code == 404


@pytest.mark.django_db
def test_a_waiting_job_polls_and_shows_progress(login_as: Callable[..., Client], upload: Upload,
                                                scenario: Scenario) -> None:
    job = upload("teachers", "t.csv", csv_bytes(TEACHERS), run=False)
    assert job.status == ImportJob.Status.UPLOADED
    html = login_as("admin").get(scenario.url(f"/manage/imports/{job.pk}/")).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{scenario.url(f"/manage/imports/{job.pk}/state/")}"' in html
    assert "<progress" in html


@pytest.fixture
def private_cache(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Progress in a cache of this test alone: the shared Redis may be flushed by other test runs meanwhile."""
    from django.core.cache.backends.locmem import LocMemCache

    from krijt.imports import selectors, services

    local = LocMemCache("imports-progress-test", {})
    monkeypatch.setattr(selectors, "cache", local)
    monkeypatch.setattr(services, "cache", local)
    return local


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING])
def test_progress_of_a_running_job(login_as: Callable[..., Client], scenario: Scenario, status: str,
                                   private_cache: Any) -> None:
    job = make_job(scenario, status=status, rows_total=1000, rows_done=100)
    client = login_as("admin")
    html = client.get(scenario.url(f"/manage/imports/{job.pk}/state/")).content.decode()
    assert '<progress class="progress" id="job-progress" max="1000" value="100"' in html
    assert "100 of 1000 rows" in html
    assert 'hx-trigger="every 1s"' in html
    # While the apply transaction runs, its progress is only in the cache.
    private_cache.set(progress_key(job.pk), 640)
    html = client.get(scenario.url(f"/manage/imports/{job.pk}/state/")).content.decode()
    assert "640 of 1000 rows" in html
    assert job_progress(job=job) == (640, 1000)


@pytest.mark.django_db
def test_a_finished_job_stops_polling(login_as: Callable[..., Client], upload: Upload, scenario: Scenario,
                                      private_cache: Any) -> None:
    job = upload("teachers", "t.csv", csv_bytes(TEACHERS))
    html = login_as("admin").get(scenario.url(f"/manage/imports/{job.pk}/state/")).content.decode()
    assert 'hx-trigger="every 1s"' not in html
    assert "<progress" not in html
    assert "Apply the import" in html
    private_cache.set(progress_key(job.pk), 5)  # a stale cached value is ignored once the job has finished
    assert job_progress(job=job) == (1, 1)


@pytest.mark.django_db
def test_validation_records_progress_as_it_goes(upload: Upload, scenario: Scenario,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from krijt.imports import services

    seen: list[tuple[str, int]] = []
    real = services._progress

    def spy(job: ImportJob, done: int, *, persist: bool) -> None:
        real(job, done, persist=persist)
        current = ImportJob.objects.get(pk=job.pk)
        seen.append((current.status, current.rows_done if persist else done))

    monkeypatch.setattr(services, "_progress", spy)
    rows = [["username", "first_name", "last_name"]] + [[f"t{i}", "T", str(i)] for i in range(300)]
    job = upload("teachers", "t.csv", csv_bytes(rows))
    assert job.rows_total == 300
    assert job.rows_done == 300
    assert [s for s, _n in seen] == ["validating"] * len(seen)
    numbers = [n for _s, n in seen]
    assert numbers == sorted(numbers)
    assert numbers[0] < 300
    assert numbers[-1] == 300
    assert len(seen) >= 10


@pytest.mark.django_db
def test_job_list_query_count_does_not_grow(login_as: Callable[..., Client], scenario: Scenario,
                                            django_assert_num_queries: Any) -> None:
    client = login_as("admin")
    make_job(scenario)
    client.get(scenario.url("/manage/imports/"))  # warm the school cache
    with django_assert_num_queries(2) as one:
        assert client.get(scenario.url("/manage/imports/")).status_code == 200
    for i in range(30):
        make_job(scenario, original_name=f"file{i}.csv", kind="parents", status=ImportJob.Status.DONE)
    make_job(scenario, original_name="fout.csv", status=ImportJob.Status.PREVIEW,
             errors=[{"row": 2, "column": "klas", "message": "x"}])
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(scenario.url("/manage/imports/")).content.decode()
    assert "file29.csv" in html
    assert "Problems found" in html
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(scenario.url("/manage/imports/?page=2")).status_code == 200


@pytest.mark.django_db
def test_job_page_query_count_does_not_grow(login_as: Callable[..., Client], upload: Upload, scenario: Scenario,
                                            django_assert_num_queries: Any) -> None:
    client = login_as("admin")
    small = upload("teachers", "t.csv", csv_bytes(TEACHERS))
    rows = [["username", "first_name", "last_name"]] + [[f"t{i}", "T", str(i)] for i in range(200)]
    large = upload("teachers", "t2.csv", csv_bytes(rows))
    bad = upload("teachers", "t3.csv", csv_bytes([["username", "first_name", "last_name"]] +
                                                 [["bad name", "T", str(i)] for i in range(200)]))
    client.get(scenario.url(f"/manage/imports/{small.pk}/"))
    with django_assert_num_queries(1) as counted:
        assert client.get(scenario.url(f"/manage/imports/{small.pk}/")).status_code == 200
    for job in (large, bad):
        with django_assert_num_queries(len(counted.captured_queries)):
            assert client.get(scenario.url(f"/manage/imports/{job.pk}/")).status_code == 200
        with django_assert_num_queries(len(counted.captured_queries)):
            assert client.get(scenario.url(f"/manage/imports/{job.pk}/state/")).status_code == 200


@pytest.mark.django_db
def test_apply_progress_starts_from_zero(login_as: Callable[..., Client], upload: Upload, scenario: Scenario,
                                         private_cache: Any) -> None:
    rows = [["username", "first_name", "last_name"]] + [[f"t{i}", "T", str(i)] for i in range(100)]
    job = upload("teachers", "t.csv", csv_bytes(rows))
    assert private_cache.get(progress_key(job.pk)) == 100  # left by the validation
    client = login_as("admin")
    assert client.post(scenario.url(f"/manage/imports/{job.pk}/apply/")).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLYING
    assert job_progress(job=job) == (0, 100)
    html = client.get(scenario.url(f"/manage/imports/{job.pk}/state/")).content.decode()
    assert "0 of 100 rows" in html
    assert "Applying the import" in html
