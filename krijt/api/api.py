"""Krijt's JSON API, version 1: the NinjaAPI object, authentication, the one error shape, and the
registration of each domain's router (`krijt/<domain>/api.py`, built on `krijt.core.api`).

Every endpoint speaks about the school in the URL (/s/<slug>/api/v1/...). Errors have one shape,
{"error": {"code", "message", "fields"?}}, whatever raised them.
"""

from __future__ import annotations

import copy
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from krijt.agenda import api as agenda_api
from krijt.announcements import api as announcements_api
from krijt.api.auth import session_auth, token_auth
from krijt.attendance import api as attendance_api
from krijt.care import api as care_api
from krijt.core.errors import Forbidden, KrijtError, NotAuthenticated, NotFound, ValidationFailed
from krijt.documents import api as documents_api
from krijt.exercises import api as exercises_api
from krijt.handin import api as handin_api
from krijt.live import api as live_api
from krijt.messaging import api as messaging_api
from krijt.notifications import api as notifications_api
from krijt.planner import api as planner_api
from krijt.reportcards import api as reportcards_api
from krijt.results import api as results_api
from krijt.schooladmin import api as schooladmin_api
from krijt.schools import api as schools_api


class KrijtAPI(NinjaAPI):
    """The API, whose OpenAPI schema is built once per school path in a process: building it walks every
    operation's schemas (about a second), and it changes only with the code."""

    SCHEMAS_KEPT = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[str, Any] = {}

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = f"{translation.get_language()}:{path_prefix}"  # a lazily translated text reads in the language
        found = self._schemas.get(key)
        if found is None:
            found = super().get_openapi_schema(path_prefix=path_prefix)
            if len(self._schemas) >= self.SCHEMAS_KEPT:
                self._schemas.clear()
            self._schemas[key] = found
        return copy.deepcopy(found)  # callers may change their copy


api = KrijtAPI(
    title="Krijt API",
    version="1",
    description=(
        "The JSON API of a Krijt school. Every path is relative to the school: /s/<slug>/api/v1/... "
        "Sign in with the browser session (send the X-CSRFToken header on POST) or with a personal token "
        "(Authorization: Bearer krijt_...). Errors are always {\"error\": {\"code\", \"message\", \"fields\"}}."
    ),
    urls_namespace="api:api-v1",
    auth=[token_auth, session_auth],
)


# ---------------------------------------------------------------- one error shape


def _error_response(request: HttpRequest, error: KrijtError) -> HttpResponse:
    response = api.create_response(request, error.as_dict(), status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class MethodNotAllowed(KrijtError):
    status = 405
    code = "method_not_allowed"
    default_message = gettext_lazy("This method is not allowed here.")


_HTTP_ERRORS: dict[int, type[KrijtError]] = {
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
}


@api.exception_handler(KrijtError)
def _krijt_error(request: HttpRequest, exc: KrijtError) -> HttpResponse:
    return _error_response(request, exc)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error_response(request, NotAuthenticated())


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error_response(request, NotFound())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # Ninja's own 400 is a body it could not parse.
        return _error_response(request, ValidationFailed(fields={"body": [_("Send a JSON object.")]}))
    kind = _HTTP_ERRORS.get(exc.status_code)
    if kind is None:
        error = KrijtError(exc.message)
        error.status = exc.status_code
        return _error_response(request, error)
    return _error_response(request, kind())


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """("body", "payload", "username") -> "username"; ("query", "date") -> "date"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    """Pydantic speaks English only; the common cases get a message in the user's language."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type"}:
        return _("Send a JSON object.")
    if kind == "string_too_short":
        return _("Use at least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Use a number of at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Use a number of at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return _error_response(request, ValidationFailed(fields=fields))


# ---------------------------------------------------------------- each domain's own router, beside its views

api.add_router("", schools_api.router)
api.add_router("", schooladmin_api.router)
api.add_router("", planner_api.router)
api.add_router("", notifications_api.router)
api.add_router("", messaging_api.router)
api.add_router("", results_api.router)
api.add_router("", handin_api.router)
api.add_router("", reportcards_api.router)
api.add_router("", attendance_api.router)
api.add_router("", care_api.router)
api.add_router("", announcements_api.router)
api.add_router("", agenda_api.router)
api.add_router("", documents_api.router)
api.add_router("", live_api.router)
api.add_router("", exercises_api.router)
