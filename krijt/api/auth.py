"""Who is calling: a browser session (with CSRF on unsafe methods) or a personal bearer token.

Both need a school: the API speaks about one school, the one in the URL. A token belongs to a person;
what they may see follows from their roles in that school, exactly as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from krijt.accounts.models import User
from krijt.accounts.selectors import cached_roles_in_school
from krijt.api import selectors, services
from krijt.core.errors import Forbidden, NotAuthenticated, NotFound

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    default_message = _("The security check of this request failed. Reload the page and try again.")


def _require_school(request: HttpRequest) -> Any:
    school = getattr(request, "school", None)
    if school is None:
        raise NotFound()
    return school


class TokenAuth(HttpBearer):
    """Authorization: Bearer krijt_...; looked up by its hash, refused when revoked."""

    def __call__(self, request: HttpRequest) -> Any:
        _require_school(request)
        if not request.headers.get(self.header):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = selectors.token_for_secret(token.strip()) if token.startswith(services.SECRET_PREFIX) else None
        if found is None:
            # A wrong token must not fall back to the session: the caller meant this token.
            raise NotAuthenticated(_("This API token is not valid or has been revoked."))
        services.api_token_mark_used(token=found)
        user = found.user
        school = request.school  # type: ignore[attr-defined]
        request.user = user
        request.roles = SimpleLazyObject(lambda: cached_roles_in_school(school=school, user=user))  # type: ignore[attr-defined]
        request.api_token = found  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session; unsafe methods also need the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        _require_school(request)
        user = request.user
        if not user.is_authenticated:
            return None
        # Checked only for a signed-in caller, so an anonymous caller gets 401 rather than 403.
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


token_auth = TokenAuth()
session_auth = SessionAuth()
