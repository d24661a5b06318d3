from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from krijt.core import nav


def shell(request: HttpRequest) -> dict[str, Any]:
    school = getattr(request, "school", None)
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    items = nav.items_for(frozenset(roles)) if school is not None and request.user.is_authenticated else []
    return {"school": school, "roles": roles, "nav_items": items}
