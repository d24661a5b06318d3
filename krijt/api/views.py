"""The personal API tokens page, and the JSON answer for any unknown /api/ path."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from krijt.accounts.models import User
from krijt.api import selectors, services
from krijt.core.errors import KrijtError, NotFound


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return JsonResponse(NotFound().as_dict(), status=404)


def one_error_shape(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Gives the API's own "method not allowed" answer the error shape of every other API error."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            body = {"error": {"code": "method_not_allowed", "message": _("This method is not allowed here.")}}
            allowed = JsonResponse(body, status=405)
            allowed["Allow"] = response["Allow"]
            return allowed
        return response

    return wrapper


def _page(request: HttpRequest, *, new_secret: str | None = None, name_error: str | None = None,
          name: str = "", status: int = 200) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    response = render(request, "api/tokens.html", {
        "tokens": list(selectors.tokens_of(user=user)),
        "new_secret": new_secret,
        "name_error": name_error,
        "name": name,
    }, status=status)
    if new_secret:
        # The secret is shown once: no browser or proxy may keep a copy of this page.
        response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    name = request.POST.get("name", "")
    try:
        created = services.api_token_create(user=request.user, name=name)  # type: ignore[arg-type]
    except KrijtError as exc:
        message = exc.fields.get("name", [str(exc.message)])[0]
        return _page(request, name_error=str(message), name=name, status=exc.status)
    return _page(request, new_secret=created.secret)


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    except NotFound:
        messages.error(request, _("This token does not exist, or it is not yours."))
    else:
        messages.success(request, _("The token %(name)s no longer works.") % {"name": token.name})
    return redirect("api:tokens")
