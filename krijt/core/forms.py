"""The one way a page shows a service's error on its form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krijt.core.errors import KrijtError


def show_error(form: Any, error: KrijtError, *, renamed: Mapping[str, str] | None = None) -> None:
    """Puts each of the error's field messages at its field (above the form when the form has no such
    field; `renamed` maps a service's field name to the form's), and the error's own message above the
    form when no field took it or when it says more than the default."""
    shown: set[str] = set()
    for service_name, messages in error.fields.items():
        name = (renamed or {}).get(service_name, service_name)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
            shown.add(str(message))
    message = str(error.message)
    if message not in shown and (not error.fields or error.message != type(error).default_message):
        form.add_error(None, message)
