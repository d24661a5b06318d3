"""One error hierarchy for the whole platform.

Services raise these; pages render them as a message in the user's language and the API as one JSON
shape: {"error": {"code": ..., "message": ..., "fields": {...}}}.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class KrijtError(Exception):
    status = 400
    code = "error"
    default_message: Any = _("Something went wrong.")

    def __init__(self, message: Any = None, *, fields: dict[str, list[str]] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in self.fields.items()}
        return {"error": body}


class ValidationFailed(KrijtError):
    status = 400
    code = "invalid"
    default_message = _("Some fields are not valid.")


class NotAuthenticated(KrijtError):
    status = 401
    code = "not_authenticated"
    default_message = _("Please sign in first.")


class Forbidden(KrijtError):
    status = 403
    code = "forbidden"
    default_message = _("You do not have access to this.")


class NotFound(KrijtError):
    status = 404
    code = "not_found"
    default_message = _("This page or item does not exist, or you have no access to it.")


class Conflict(KrijtError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with existing data.")


class PayloadTooLarge(KrijtError):
    status = 413
    code = "too_large"
    default_message = _("The file is too big.")


class UriTooLong(KrijtError):
    status = 414
    code = "uri_too_long"
    default_message = _("The address is too long.")


class RetryLater(KrijtError):
    """An error that passes: the answer carries Retry-After (seconds) so clients come back, not hammer."""

    def __init__(self, message: Any = None, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["error"]["retry_after"] = self.retry_after
        return body


class RateLimited(RetryLater):
    status = 429
    code = "rate_limited"
    default_message = _("Too many attempts. Please wait a moment and try again.")
