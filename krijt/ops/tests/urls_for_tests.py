"""The site's URLs plus views that hold a slot until a test lets them go."""

from __future__ import annotations

import threading

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_patterns
from krijt.ops.admission import heavy

release = threading.Event()
entered = threading.Semaphore(0)


def slow(request: HttpRequest) -> HttpResponse:
    entered.release()
    release.wait(timeout=10)
    return HttpResponse("done")


@heavy
def heavy_report(request: HttpRequest) -> HttpResponse:
    return HttpResponse("report")


@heavy(methods=["POST"])
def upload(request: HttpRequest) -> HttpResponse:
    return HttpResponse("upload")


urlpatterns = [
    path("slow/", slow, name="slow"),
    path("report.pdf", heavy_report, name="heavy_report"),
    path("upload/", upload, name="upload"),
    *site_patterns,
]
