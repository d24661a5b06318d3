"""Django's own error handlers, rendered in the one error shape."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from krijt.core.errors import Forbidden, KrijtError, NotFound, ValidationFailed
from krijt.core.middleware import error_response

logger = logging.getLogger(__name__)
PLAIN_ERROR = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Krijt</title></head>'
               "<body><main><h1>500</h1><p>Something went wrong. Try again in a moment.</p></main></body></html>")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, ValidationFailed())


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, Forbidden())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that no longer matches the session (signed out meanwhile, or open too long):
    the one error shape, in the school's layout, saying what to do."""
    return error_response(request, Forbidden(_("This form was open while you were signed out, so nothing was "
                                                "saved. Open the page again and send it once more.")))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, NotFound())


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page. When even the page cannot be drawn (the error came from the database, and the shell
    would ask it for the person again), a plain one: the error page must never fail itself. Admission
    control then answers a database outage with its own 503 (krijt.ops.admission)."""
    error = KrijtError()
    error.status = 500
    error.code = "server_error"
    try:
        return error_response(request, error)
    except Exception:
        logger.warning("the error page could not be drawn; a plain one instead", exc_info=True)
        return HttpResponse(PLAIN_ERROR, status=500, content_type="text/html; charset=utf-8")
