"""Jobs whose worker died end clearly, and unapplied previews do not keep personal data for ever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage

from krijt.core import clock, housekeeping
from krijt.imports.models import ImportJob
from krijt.imports.services import import_jobs_tidy
from krijt.imports.tests.conftest import Upload, csv_bytes
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

TEACHERS = [["username", "first_name", "last_name"], ["an.janssens", "An", "Janssens"]]


def test_a_job_stuck_while_applying_ends_as_failed_with_nothing_changed(upload: Upload, scenario: Scenario) -> None:
    job = upload("teachers", "t.csv", csv_bytes(TEACHERS))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING)
    assert import_jobs_tidy(now=clock.now() + dt.timedelta(minutes=5)) == 0
    assert import_jobs_tidy(now=clock.now() + dt.timedelta(minutes=31)) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "nothing was changed" in job.message
    assert not job.file


def test_an_unapplied_preview_is_deleted_after_a_week(upload: Upload, scenario: Scenario) -> None:
    job = upload("teachers", "t.csv", csv_bytes(TEACHERS))
    assert job.status == ImportJob.Status.PREVIEW
    stored = job.file.name
    assert default_storage.exists(stored)
    assert import_jobs_tidy(now=clock.now() + dt.timedelta(days=6)) == 0
    with pytest.MonkeyPatch.context() as patch:
        # The file is deleted once the transaction commits; in a test transaction, call it at once.
        patch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())
        assert import_jobs_tidy(now=clock.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not default_storage.exists(stored)


def test_the_tidy_chore_is_registered() -> None:
    assert "imports.tidy" in housekeeping._chores
