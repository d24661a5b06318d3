from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from krijt.core import clock, nav


def shell(request: HttpRequest) -> dict[str, Any]:
    school = getattr(request, "school", None)
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    # An error page can be drawn before authentication ran (a bad Host header): then nobody is signed in.
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    items = nav.items_for(frozenset(roles)) if school is not None and signed_in else []
    notice: str = school.notice_now(clock.now()) if school is not None and school.notice else ""
    return {"school": school, "roles": roles, "nav_items": items, "school_notice": notice}
