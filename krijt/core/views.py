"""Django's own error handlers, rendered in the one error shape."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from krijt.core.errors import Forbidden, KrijtError, NotFound, ValidationFailed
from krijt.core.middleware import error_response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, ValidationFailed())


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, Forbidden())


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, NotFound())


def server_error(request: HttpRequest) -> HttpResponse:
    error = KrijtError()
    error.status = 500
    error.code = "server_error"
    return error_response(request, error)
