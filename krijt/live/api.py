"""Live lessons as JSON, through the same doors as the pages: my coming live lessons, joining one (the join
address is made at that moment and is for the app to open, never to show), who joined; for teachers attaching,
changing and cancelling a live lesson; for administrators the video servers (secrets are write-only) and the
fallback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from krijt.core import clock
from krijt.core.api import Day, caller, ok
from krijt.live import permissions, rules, selectors, services
from krijt.live.models import LiveLesson, VideoServer

router: Router = Router(tags=["live lessons"])


class OccurrenceOut(Schema):
    lesson_id: int
    day: dt.date
    title: str
    course: str
    class_name: str
    starts: dt.datetime
    ends: dt.datetime
    provider: str = Field(..., description="bbb, jitsi or link.")
    moderator: bool = Field(..., description="I join as the teacher.")
    open: bool = Field(..., description="The join button works now.")


class LessonOut(Schema):
    id: int
    course_id: int
    class_name: str
    provider: str
    title: str
    weekday: int | None = Field(..., description="1 = Monday, for a weekly live lesson.")
    period: int
    starts_on: dt.date
    ends_on: dt.date
    item_id: int | None = Field(..., description="The planner's task or test of a one-off live lesson.")
    recording: bool
    cancelled: bool


class LessonIn(Schema):
    course_id: int
    when: str = Field(..., description='"slot:<weekday>-<period>" (every week) or "item:<planner item id>" (once).')
    provider: str = Field(..., description="bbb or jitsi (where the school has a server), or link.")
    link: str = Field("", max_length=500, description="For a link: its https address.")
    title: str = Field("", max_length=services.TITLE_MAX)
    recording: bool = False
    ends_on: Day | None = None


class LessonChangeIn(Schema):
    provider: str
    link: str = Field("", max_length=500)
    title: str = Field("", max_length=services.TITLE_MAX)
    recording: bool = False
    ends_on: Day | None = None


class FallbackOut(Schema):
    kind: str = Field(..., description="planner (the lesson continues with the planner's tasks) or link.")
    note: str


class JoinOut(Schema):
    state: str = Field(..., description="go (open `url` now), wait (for the teacher: ask again in a few seconds), "
                                        "early, over, or fallback (the video service failed).")
    url: str = Field("", description="Only with go: made now, valid for a few minutes. Open it; never show it.")
    opens_at: dt.datetime | None = None
    fallback: FallbackOut | None = None


class JoinedOut(Schema):
    student_id: int
    name: str
    joined_at: dt.datetime | None


class ServerOut(Schema):
    id: int
    kind: str
    name: str
    url: str
    app_id: str
    use: str
    active: bool
    has_secret: bool
    down: bool


class ServerIn(Schema):
    kind: str = Field(..., description="bbb or jitsi.")
    name: str = Field(..., max_length=services.NAME_MAX)
    url: str = Field(..., max_length=300)
    secret: str = Field("", max_length=200, description="Write-only. Empty when changing: keep the saved one.")
    app_id: str = Field("", max_length=100)
    use: str = Field(VideoServer.Use.PRIMARY, description="primary or fallback.")
    active: bool = True


class SettingsOut(Schema):
    recordings_allowed: bool
    fallback: str = Field(..., description="planner, link or server.")
    fallback_link: str
    fallback_note: str
    servers: list[ServerOut]


class SettingsIn(Schema):
    recordings_allowed: bool = False
    fallback: str = "planner"
    fallback_link: str = Field("", max_length=500)
    fallback_note: str = Field("", max_length=300)


@router.get("/live/lessons", response=ok(list[OccurrenceOut], 403), summary="My live lessons this week")
def upcoming(request: HttpRequest) -> list[dict[str, Any]]:
    c = caller(request, permissions.READ_ROLES)
    now = clock.now()
    return [{"lesson_id": r.lesson.pk, "day": r.day, "title": r.lesson.title or r.lesson.course.name,
             "course": r.lesson.course.name, "class_name": r.lesson.class_group.name, "starts": r.starts,
             "ends": r.ends, "provider": r.lesson.provider, "moderator": r.moderator,
             "open": rules.window(now, r.starts, r.ends, moderator=r.moderator) == rules.Window.OPEN}
            for r in selectors.upcoming_for(school=c.school, user=c.user, roles=c.roles)]


def _lesson(lesson: LiveLesson) -> dict[str, Any]:
    return {"id": lesson.pk, "course_id": lesson.course_id, "class_name": lesson.class_group.name,
            "provider": lesson.provider, "title": lesson.title, "weekday": lesson.weekday, "period": lesson.period,
            "starts_on": lesson.starts_on, "ends_on": lesson.ends_on, "item_id": lesson.item_id,
            "recording": lesson.recording, "cancelled": lesson.cancelled_at is not None}


def _editor(request: HttpRequest, lesson_id: int) -> dict[str, Any]:
    c = caller(request, permissions.ATTACH_ROLES)
    return _lesson(selectors.lesson_for_editor(school=c.school, user=c.user, roles=c.roles, lesson_id=lesson_id))


@router.post("/live/lessons", response=ok(LessonOut, 403, 409, status=201), summary="Add a live lesson")
def attach(request: HttpRequest, body: LessonIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.ATTACH_ROLES)
    made = services.lesson_attach(school=c.school, actor=c.user, roles=c.roles, course_id=body.course_id,
                                  data=services.LessonIn(provider=body.provider, when=body.when, link=body.link,
                                                         title=body.title, recording=body.recording,
                                                         ends_on=body.ends_on))
    return Status(201, _editor(request, made.pk))


@router.get("/live/lessons/{lesson_id}", response=ok(LessonOut, 403), summary="A live lesson (its teacher)")
def lesson(request: HttpRequest, lesson_id: int) -> dict[str, Any]:
    return _editor(request, lesson_id)


@router.put("/live/lessons/{lesson_id}", response=ok(LessonOut, 403, 409), summary="Change a live lesson")
def change(request: HttpRequest, lesson_id: int, body: LessonChangeIn) -> dict[str, Any]:
    c = caller(request, permissions.ATTACH_ROLES)
    services.lesson_change(school=c.school, actor=c.user, roles=c.roles, lesson_id=lesson_id,
                           data=services.LessonIn(provider=body.provider, link=body.link, title=body.title,
                                                  recording=body.recording, ends_on=body.ends_on))
    return _editor(request, lesson_id)


@router.post("/live/lessons/{lesson_id}/cancel", response=ok(LessonOut, 403), summary="Cancel a live lesson")
def cancel(request: HttpRequest, lesson_id: int) -> dict[str, Any]:
    c = caller(request, permissions.ATTACH_ROLES)
    services.lesson_cancel(school=c.school, actor=c.user, roles=c.roles, lesson_id=lesson_id)
    return _editor(request, lesson_id)


@router.post("/live/lessons/{lesson_id}/{day}/join", response=ok(JoinOut, 403), summary="Join a live lesson")
def join(request: HttpRequest, lesson_id: int, day: Day) -> dict[str, Any]:
    """The same door as the page's join button: a student waits until the teacher has joined."""
    c = caller(request, permissions.READ_ROLES)
    outcome = services.join(school=c.school, actor=c.user, roles=c.roles, lesson_id=lesson_id, day=day)
    return {"state": outcome.kind, "url": outcome.url, "opens_at": outcome.opens,
            "fallback": {"kind": outcome.fallback["kind"], "note": outcome.fallback["note"]}
            if outcome.fallback else None}


@router.get("/live/lessons/{lesson_id}/{day}/joins", response=ok(list[JoinedOut], 403),
            summary="Who joined a live lesson (its teacher)")
def joins(request: HttpRequest, lesson_id: int, day: Day) -> list[dict[str, Any]]:
    c = caller(request, permissions.ATTACH_ROLES)
    found = selectors.joins_of(school=c.school, user=c.user, roles=c.roles, lesson_id=lesson_id, day=day)
    return [{"student_id": row.student.pk, "name": row.student.full_name or row.student.username,
             "joined_at": row.joined_at} for row in found.rows]


def _settings(request: HttpRequest) -> dict[str, Any]:
    c = caller(request, permissions.SETTINGS_ROLES)
    chosen, rows = selectors.settings_view(school=c.school, roles=c.roles)
    return {"recordings_allowed": chosen.recordings_allowed, "fallback": chosen.fallback,
            "fallback_link": chosen.fallback_link, "fallback_note": chosen.fallback_note,
            "servers": [{"id": r.server.pk, "kind": r.server.kind, "name": r.server.name, "url": r.server.url,
                         "app_id": r.server.app_id, "use": r.server.use, "active": r.server.active,
                         "has_secret": bool(r.server.secret), "down": r.down} for r in rows]}


@router.get("/live/settings", response=ok(SettingsOut, 403), summary="Video servers and fallback")
def settings_get(request: HttpRequest) -> dict[str, Any]:
    return _settings(request)


@router.put("/live/settings", response=ok(SettingsOut, 403), summary="Change recordings and fallback")
def settings_put(request: HttpRequest, body: SettingsIn) -> dict[str, Any]:
    c = caller(request, permissions.SETTINGS_ROLES)
    services.settings_update(school=c.school, roles=c.roles, data=services.SettingsIn(
        recordings_allowed=body.recordings_allowed, fallback=body.fallback, fallback_link=body.fallback_link,
        fallback_note=body.fallback_note))
    return _settings(request)


def _server_in(body: ServerIn) -> services.ServerIn:
    return services.ServerIn(kind=body.kind, name=body.name, url=body.url, secret=body.secret, app_id=body.app_id,
                             use=body.use, active=body.active)


@router.post("/live/servers", response=ok(SettingsOut, 403, status=201), summary="Add a video server")
def server_add(request: HttpRequest, body: ServerIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.SETTINGS_ROLES)
    services.server_add(school=c.school, roles=c.roles, data=_server_in(body))
    return Status(201, _settings(request))


@router.put("/live/servers/{server_id}", response=ok(SettingsOut, 403), summary="Change a video server")
def server_change(request: HttpRequest, server_id: int, body: ServerIn) -> dict[str, Any]:
    c = caller(request, permissions.SETTINGS_ROLES)
    services.server_change(school=c.school, roles=c.roles, server_id=server_id, data=_server_in(body))
    return _settings(request)


@router.delete("/live/servers/{server_id}", response=ok(SettingsOut, 403), summary="Remove a video server")
def server_remove(request: HttpRequest, server_id: int) -> dict[str, Any]:
    c = caller(request, permissions.SETTINGS_ROLES)
    services.server_remove(school=c.school, roles=c.roles, server_id=server_id)
    return _settings(request)
