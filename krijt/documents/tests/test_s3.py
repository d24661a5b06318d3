"""Course folders on S3-compatible object storage (django-storages), against a local S3 endpoint (moto's
server mode): each content stored once as a private object, a signed address answered with the object's
own short-lived signed URL (made without a call to the storage), versions and previews through the same
storage API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from config.settings.base import s3_storage
from krijt.core.roles import Role
from krijt.demo.documents import pdf
from krijt.documents import previews, selectors, services
from krijt.documents.models import Blob
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

TEACHER = frozenset({Role.TEACHER})
STUDENT = frozenset({Role.STUDENT})
BUCKET = "krijt-test"


@pytest.fixture
def s3(settings: Any) -> Iterator[Any]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)  # moto keeps its buckets per process
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(
        bucket=BUCKET, endpoint=endpoint, region="eu-west-1", access_key="test", secret_key="test", expire=600)}
    try:
        yield client
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _friday() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 10, 2, 15, 0, tzinfo=ZoneInfo("Europe/Brussels")), tick=True):
        yield


def test_files_live_in_the_bucket_once_and_are_fetched_from_it_directly(scenario: Scenario, s3: Any) -> None:
    s = scenario
    sheet = pdf("Werkblad", ["Oefening 1", "Oefening 2"])
    first = services.root_folder(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk)
    second = services.root_folder(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[2].pk)
    services.files_add(school=s.school, actor=s.teacher, roles=TEACHER, folder_id=first.pk,
                       files=[SimpleUploadedFile("Werkblad breuken.pdf", sheet)])
    services.files_add(school=s.school, actor=s.teacher, roles=TEACHER, folder_id=second.pk,
                       files=[SimpleUploadedFile("Zelfde werkblad.pdf", sheet)])
    objects = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert len(objects) == 1  # the same bytes, one object
    (blob,) = Blob.objects.all()
    assert objects[0]["Key"] == blob.file.name
    assert objects[0]["Size"] == len(sheet)
    # Private: the object's plain address is refused.
    endpoint = s3.meta.endpoint_url
    assert requests.get(f"{endpoint}/{BUCKET}/{blob.file.name}", timeout=10).status_code == 403
    student = s.students_by_class[s.classes[0].pk][0]
    (shown,) = selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=first.pk).documents
    answer = Client().get(shown.url)
    assert answer.status_code == 302
    signed = answer["Location"]
    assert urlparse(signed).netloc == urlparse(endpoint).netloc
    assert "X-Amz-Signature=" in signed
    assert "X-Amz-Expires=600" in signed
    fetched = requests.get(signed, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == sheet
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert "Werkblad" in fetched.headers.get("Content-Disposition", "Werkblad")


def test_versions_and_previews_go_through_the_same_storage(scenario: Scenario, s3: Any) -> None:
    s = scenario
    folder = services.root_folder(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk)
    (placed,) = services.files_add(school=s.school, actor=s.teacher, roles=TEACHER, folder_id=folder.pk,
                                   files=[SimpleUploadedFile("Werkblad.pdf", pdf("Werkblad", ["versie 1"]))])
    services.document_replace(school=s.school, actor=s.teacher, roles=TEACHER, document_id=placed.document.pk,
                              upload=SimpleUploadedFile("Werkblad.pdf", pdf("Werkblad", ["versie 2"])))
    assert len(s3.list_objects_v2(Bucket=BUCKET)["Contents"]) == 2
    for blob in Blob.objects.all():
        assert previews.make(blob.pk) == Blob.Preview.READY
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert len([k for k in keys if k.endswith(".preview.png")]) == 2
