from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation

from krijt.accounts.selectors import who_part
from krijt.core import fragments, parts
from krijt.core.errors import NotFound
from krijt.core.nav import cached_reverse
from krijt.core.permissions import require_roles, require_school
from krijt.core.roles import Role
from krijt.home import help as helppages
from krijt.home import today
from krijt.ops import degraded
from krijt.ops.degraded import DB_ERRORS
from krijt.schools import identity
from krijt.schools.models import School
from krijt.schools.selectors import school_logo_bytes, schools_of

logger = logging.getLogger(__name__)

ALL_ROLES = frozenset(r.value for r in Role)


def home(request: HttpRequest) -> HttpResponse:
    school: School | None = getattr(request, "school", None)
    if school is not None and degraded.breaker_open():
        cached = _from_parts(request, school)
        if cached is not None:
            return cached
    try:
        return _home(request)
    except DB_ERRORS as error:
        if not degraded.is_database_error(error):
            raise
        degraded.breaker_trip()
        # Degraded mode: Today as the cached parts last held it, read-only.
        cached = _from_parts(request, school) if school is not None else None
        if cached is None:
            raise
        return cached


class _Asker:
    """The person of a session while the database is down: their id, and their name from the cache."""

    is_authenticated = True

    def __init__(self, pk: int, name: str) -> None:
        self.pk = self.id = pk
        self.first_name = name
        self.username = name


def _from_parts(request: HttpRequest, school: School) -> HttpResponse | None:
    """Today from the cached parts alone (no query), for the session's own person, or None.

    The person comes from the session (Redis), never from the user row; the page is shown only while
    the session carries the auth hash cached for them, so a session ended by "sign out everywhere" or a
    new password sees nothing. Any part the cache lacks: None (the caller answers 503).
    """
    session = getattr(request, "session", None)
    try:
        user_id = int(session.get(SESSION_KEY)) if session is not None and session.get(SESSION_KEY) else None
        session_hash = session.get(HASH_SESSION_KEY) if session is not None else None
        if user_id is None or not session_hash:
            return None
        asker = _Asker(user_id, "")
        with parts.offline():
            (who,) = parts.fetch([who_part(school, asker)], current=True)
            if who["hash"] != session_hash:
                return None
            asker.first_name = asker.username = who["name"]
            roles = frozenset(who["roles"])
            context = _today(school, asker, roles, office=False)
    except parts.Missing:
        return None
    except Exception:
        logger.warning("Today not served from the cache", exc_info=True)
        return None
    if not context:
        return None
    context = _with_fragments(context)
    language = translation.get_language()
    page = render_to_string("home/degraded.html", {**context, "name": asker.first_name, "LANG": language,
                                                   "school": school})
    response = HttpResponse(page, status=200)
    response["Cache-Control"] = "no-store"
    response["X-Krijt-Degraded"] = "1"
    return response


def _today(school: School, user: Any, roles: frozenset[str], *, office: bool = True) -> dict[str, Any]:
    context: dict[str, Any] = {}
    if Role.STUDENT in roles:
        context["student"] = today.student(school, user)
    if Role.TEACHER in roles:
        context["teacher"] = today.teacher(school, user)
    if Role.PARENT in roles:
        context["parent"] = today.parent(school, user)
    if office and roles & {Role.ADMIN, Role.STAFF}:
        context["office"] = today.staff(school, user, roles)
    try:
        news = today.news(school, user, roles, (translation.get_language() or "nl")[:2])
    except parts.Missing:  # offline, and the news was never cached for them: Today without it
        news = None
    if news is not None and news["rows"]:
        context["news"] = news
    return context


STUDENT_LESSONS = ("days", "place", "lessons", "current", "upcoming")
STUDENT_REST = ("items", "documents", "results", "messages")


def _with_fragments(context: dict[str, Any]) -> dict[str, Any]:
    """The role sections of Today as remembered fragments (krijt.core.fragments), in page order.

    A student's lessons are a fragment of their own: the same for every student of the class at this
    moment, so a lesson change renders it once per class, not once per student."""
    wanted: dict[str, fragments.Fragment] = {}
    if "news" in context:
        wanted["news"] = fragments.Fragment("home/_news.html", {"news": context["news"]})
    if "student" in context:
        s = context["student"]
        wanted["student_lessons"] = fragments.Fragment(
            "home/_student_lessons.html", {"s": {key: s[key] for key in STUDENT_LESSONS}})
        wanted["student_rest"] = fragments.Fragment(
            "home/_student_rest.html", {"s": {key: s[key] for key in STUDENT_REST}})
    if "teacher" in context:
        wanted["teacher"] = fragments.Fragment("home/_teacher.html", {"t": context["teacher"]})
    if "parent" in context:
        wanted["parent"] = fragments.Fragment("home/_parent.html", {"parent": context["parent"]})
    html = fragments.render_many(wanted)
    return {**context, "today_fragments": [html[name] for name in wanted]}


def _home(request: HttpRequest) -> HttpResponse:
    school: School | None = getattr(request, "school", None)
    if school is None:
        if request.user.is_authenticated:
            mine = schools_of(user=request.user)  # type: ignore[arg-type]
            if mine:
                return redirect(f"/s/{mine[0].slug}/")
        return render(request, "home/landing.html", {"schools": School.objects.order_by("name")[:200]})
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    roles: frozenset[str] = frozenset(request.roles)  # type: ignore[attr-defined]
    if not roles:
        return render(
            request,
            "home/no_role.html",
            {"schools": schools_of(user=request.user)},  # type: ignore[arg-type]
            status=403,
        )
    context = _with_fragments(_today(school, request.user, roles))
    return render(request, "home/home.html", context)


def help_page(request: HttpRequest, topic: str = "") -> HttpResponse:
    """Help for one role; without a topic, the reader's own. Signed-in people of the school only."""
    school = require_school(request)
    roles = require_roles(request, ALL_ROLES)
    if topic and topic not in helppages.TOPICS:
        raise NotFound()
    chosen = topic or helppages.topic_for(roles)
    return render(request, "home/help.html", {
        "topic": chosen, "topics": helppages.TOPICS, "rules": helppages.school_rules(school=school),
    })


def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest of a school: Krijt installs on a phone's home screen under the school's name."""
    school = require_school(request)
    home_url = cached_reverse("home")
    data = {
        "name": f"{school.name} · Krijt",
        "short_name": school.name if len(school.name) <= 12 else "Krijt",
        "lang": school.language,  # cached publicly: the same answer whoever asks
        "start_url": home_url,
        "scope": home_url,
        "display": "standalone",
        "background_color": "#f5f6f8",
        "theme_color": "#1d2330",
        "icons": [
            {"src": static("krijt/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("krijt/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("krijt/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
            {"src": static("krijt/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=86400"
    return response


def theme_css(request: HttpRequest) -> HttpResponse:
    """The school's colour as the shell's accent, in light and dark mode (a file, for the
    Content-Security-Policy allows no inline style). Its address carries the colour: cached for a year."""
    school = require_school(request)
    color = school.accent_color
    if not identity.HEX.match(color or ""):
        raise NotFound()
    css = (f":root{{--accent:{color};--accent-ink:#fff}}\n"
           f"@media (prefers-color-scheme: dark){{:root{{--accent:{identity.dark_variant(color)};"
           f"--accent-ink:#0d1420}}}}\n")
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def school_logo(request: HttpRequest) -> HttpResponse:
    """The school's logo (checked when it was uploaded); its address changes with every new logo."""
    school = require_school(request)
    data = school_logo_bytes(school=school)
    if data is None:
        raise NotFound()
    response = HttpResponse(data, content_type=school.logo_type or "application/octet-stream")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
