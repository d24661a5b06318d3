"""The sign-in waiting room: what a refused password sign-in sees instead of a bare 503.

A sign-in is refused when admission control sheds the login class or the password-check pool stays
full (krijt.accounts.hashing_pool). The answer is still 503 with Retry-After, and its page is the
sign-in form again, with the user name kept, a countdown from Retry-After, and a small script that
sends the form by itself when the countdown ends (plus up to a second of jitter, so that refused
users do not all return in the same instant).

The password is never written back into the page: the server would have to echo a secret into HTML.
The password field is empty and marked autocomplete="current-password", so a browser with a saved
password fills it again; otherwise the user types it while waiting, and the form goes when both the
countdown has ended and the field is filled. Without JavaScript the form is simply there to send.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

WAITING_ROOM_MESSAGE = _("Many people are signing in right now. You are in the waiting room.")


def is_sign_in_post(request: HttpRequest, route_name: str) -> bool:
    return (request.method or "").upper() == "POST" and route_name == "accounts:login"


def waiting_room_response(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """Built without a session or a query: it is answered exactly when the process is short of room."""
    language = translation.get_language_from_request(request)
    post = request.POST
    with translation.override(language):
        page = render_to_string(
            "ops/waiting_room.html",
            {
                "message": WAITING_ROOM_MESSAGE,
                "retry_after": retry_after,
                "action": request.get_full_path(),
                "username": post.get("username", "")[:64],
                "keep_signed_in": bool(post.get("keep_signed_in")),
                # The token the form carried is valid against the browser's CSRF cookie; sending it back
                # avoids touching the session or setting a new cookie on a refusal.
                "csrf_token": post.get("csrfmiddlewaretoken", "")[:128],
                "LANG": language,
            },
        )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
