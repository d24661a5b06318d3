"""Live lessons: attaching them, joining as teacher and student (waiting until the teacher is in), the fake
BigBlueButton's checksums and idempotent create, Jitsi tokens, plain links, the circuit breaker and the school's
fallback, meetings created ahead and spread, the register's suggestion, Today, the API and who may see what."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import jwt
import pytest
import requests
import time_machine

from krijt.attendance.models import Register
from krijt.core.errors import Conflict, NotFound, ValidationFailed
from krijt.core.parts import fetch
from krijt.core.roles import Role
from krijt.core.worker import run_pending_tasks
from krijt.live import bbb, breaker, hooks, jitsi, rules, services
from krijt.live.models import Join, LiveLesson, LiveSettings, Meeting, Provider, VideoServer
from krijt.live.tests.fake_bbb import FakeBBB
from krijt.planner.models import PlannerItem
from krijt.schools.parts import student_place
from tests.scenario import Scenario, count_queries

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
TEACHER = frozenset({Role.TEACHER})
STUDENT = frozenset({Role.STUDENT})
PARENT = frozenset({Role.PARENT})
ADMIN = frozenset({Role.ADMIN})
MONDAY = dt.date(2026, 10, 5)
AT = dt.datetime(2026, 10, 5, 8, 20, tzinfo=TZ)  # five minutes before lesson 1 (08:25-09:15)
SECRET = "bbb-shared-secret"
JITSI_SECRET = "jitsi-application-secret-of-32-chars-or-more"


@pytest.fixture(autouse=True)
def clock_at() -> Any:
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller


def bbb_server(s: Scenario, fake: FakeBBB, **extra: Any) -> VideoServer:
    return VideoServer.objects.create(school=s.school, kind=Provider.BBB, name=extra.pop("name", "BBB"),
                                      url=fake.base, secret=fake.secret, **extra)


def attach(s: Scenario, provider: str = Provider.BBB, when: str = "slot:1-1", **extra: Any) -> LiveLesson:
    """Wiskunde of 1A (the first teacher), every Monday in lesson 1, from the Friday before."""
    with time_machine.travel(dt.datetime(2026, 10, 2, 15, 0, tzinfo=TZ), tick=False):
        return services.lesson_attach(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk,
                                      data=services.LessonIn(provider=provider, when=when, **extra))


def join(s: Scenario, person: Any, roles: frozenset[str], lesson: LiveLesson, day: dt.date = MONDAY
         ) -> services.Outcome:
    return services.join(school=s.school, actor=person, roles=roles, lesson_id=lesson.pk, day=day)


def student_of(s: Scenario, class_index: int = 0, n: int = 0) -> Any:
    return s.students_by_class[s.classes[class_index].pk][n]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- BigBlueButton ----------------------------------------------------------------------------------------


def test_calls_are_signed_with_the_shared_secret_and_a_wrong_secret_is_refused(fake_bbb: FakeBBB) -> None:
    server = bbb.Server(base=fake_bbb.base, secret=SECRET)
    url = bbb.signed_url(server, "isMeetingRunning", {"meetingID": "m 1"})
    query = urlsplit(url).query
    assert query.endswith("&checksum=" + bbb.checksum("isMeetingRunning", "meetingID=m+1", SECRET))
    with pytest.raises(bbb.Refused) as refused:
        bbb.is_running(bbb.Server(base=fake_bbb.base, secret="guessed"), "m 1")
    assert refused.value.key == "checksumError"
    with pytest.raises(bbb.Refused) as unknown:
        bbb.is_running(server, "m 1")
    assert unknown.value.key == "notFound"
    assert bbb.base_url("https://bbb.school.be/bigbluebutton/api") == "https://bbb.school.be/bigbluebutton/"


def test_create_is_idempotent_and_recordings_are_off_unless_the_school_allows_them(
        scenario: Scenario, fake_bbb: FakeBBB) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    assert join(s, s.teacher, TEACHER, lesson).kind == "go"
    assert join(s, s.teacher, TEACHER, lesson).kind == "go"  # the teacher comes back: create again, harmless
    creates = fake_bbb.calls_of("create")
    assert len(creates) == 2
    assert len(fake_bbb.meetings) == 1
    assert {creates[0][k] for k in ("record", "autoStartRecording", "allowStartStopRecording")} == {"false"}
    assert creates[0]["lockSettingsDisablePrivateChat"] == "true"
    assert Meeting.objects.get(lesson=lesson).state == Meeting.State.CREATED
    with pytest.raises(ValidationFailed) as refused:  # the school does not allow recordings
        attach(s, when="slot:2-1", recording=True)
    assert "recording" in refused.value.fields
    LiveSettings.objects.create(school=s.school, recordings_allowed=True)
    services.settings_update(school=s.school, roles=ADMIN, data=services.SettingsIn(recordings_allowed=True,
                                                                                    fallback="planner"))
    recorded = attach(s, when="slot:2-1", recording=True)
    with time_machine.travel(dt.datetime(2026, 10, 6, 8, 20, tzinfo=TZ), tick=False):
        assert join(s, s.teacher, TEACHER, recorded, dt.date(2026, 10, 6)).kind == "go"
    last = fake_bbb.calls_of("create")[-1]
    assert (last["record"], last["autoStartRecording"], last["allowStartStopRecording"]) == ("true", "false", "true")


def test_a_student_waits_until_the_teacher_has_joined_then_joins_as_viewer(
        scenario: Scenario, fake_bbb: FakeBBB) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    pupil = student_of(s)
    assert join(s, pupil, STUDENT, lesson).kind == "wait"
    assert fake_bbb.calls == []  # a waiting student costs the video service nothing
    teacher = join(s, s.teacher, TEACHER, lesson)
    assert query_of(teacher.url)["role"] == "MODERATOR"
    assert "In the meeting" in requests.get(teacher.url, timeout=5).text  # the fake checks the join's checksum
    went = join(s, pupil, STUDENT, lesson)
    assert went.kind == "go"
    viewer = query_of(went.url)
    assert (viewer["role"], viewer["fullName"], viewer["userID"]) == ("VIEWER", pupil.full_name, str(pupil.pk))
    assert viewer["password"] != query_of(teacher.url)["password"]
    assert "joined as viewer" in requests.get(went.url, timeout=5).text
    join(s, pupil, STUDENT, lesson)  # a second click: still one row
    assert sorted(Join.objects.filter(lesson=lesson).values_list("person_id", "moderator")) == sorted(
        [(s.teacher.pk, True), (pupil.pk, False)])
    assert len(fake_bbb.calls_of("create")) == 1  # students never call the video service


def test_the_join_button_opens_ten_minutes_before_the_lesson_for_students_fifteen_for_the_teacher(
        scenario: Scenario, fake_bbb: FakeBBB, clock_at: Any) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    clock_at.move_to(dt.datetime(2026, 10, 5, 8, 12, tzinfo=TZ))
    early = join(s, student_of(s), STUDENT, lesson)
    assert (early.kind, early.opens) == ("early", dt.datetime(2026, 10, 5, 8, 15, tzinfo=TZ))
    assert join(s, s.teacher, TEACHER, lesson).kind == "go"
    clock_at.move_to(dt.datetime(2026, 10, 5, 9, 31, tzinfo=TZ))
    assert join(s, student_of(s), STUDENT, lesson).kind == "over"


def test_only_the_class_joins_and_only_when_the_lesson_takes_place(
        scenario: Scenario, other_school: Scenario, fake_bbb: FakeBBB) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    for person, roles in [(student_of(s, 1), STUDENT), (s.parent, PARENT), (s.teachers[1], TEACHER),
                          (s.staff, frozenset({Role.STAFF}))]:
        with pytest.raises(NotFound):
            join(s, person, roles, lesson)
    with pytest.raises(NotFound):  # another school's student, even with this lesson's id
        services.join(school=other_school.school, actor=other_school.student, roles=STUDENT, lesson_id=lesson.pk,
                      day=MONDAY)
    with pytest.raises(NotFound):  # not a Monday
        join(s, student_of(s), STUDENT, lesson, dt.date(2026, 10, 6))
    with pytest.raises(NotFound):  # the Christmas holiday has no lessons
        join(s, student_of(s), STUDENT, lesson, dt.date(2026, 12, 28))
    assert join(s, s.admin, ADMIN, lesson).kind == "go"  # an administrator may stand in for the teacher


# --- failing video services ---------------------------------------------------------------------------------


def test_a_server_that_is_down_shows_the_fallback_and_opens_the_breaker(scenario: Scenario, fake_bbb: FakeBBB
                                                                        ) -> None:
    s = scenario
    server = bbb_server(s, fake_bbb)
    lesson = attach(s)
    fake_bbb.mode = "down"
    outcome = join(s, s.teacher, TEACHER, lesson)
    assert (outcome.kind, outcome.fallback["kind"]) == ("fallback", "planner")
    assert Meeting.objects.get(lesson=lesson).state == Meeting.State.FALLBACK
    assert join(s, student_of(s), STUDENT, lesson).kind == "fallback"  # not left waiting
    join(s, s.teacher, TEACHER, lesson)
    join(s, s.teacher, TEACHER, lesson)
    assert breaker.is_down(server.pk)
    tried = len(fake_bbb.calls) + 3
    assert join(s, s.teacher, TEACHER, lesson).kind == "fallback"  # paused: not even tried
    assert hooks._status()[0] == "down"
    assert "not answering" in hooks._describe(hooks._status()[1])
    fake_bbb.mode = "up"
    with time_machine.travel(AT + dt.timedelta(seconds=breaker.OPEN_SECONDS + 1), tick=False):
        assert join(s, s.teacher, TEACHER, lesson).kind == "go"  # the one probe after the pause succeeds
        assert not breaker.is_down(server.pk)
        assert join(s, student_of(s), STUDENT, lesson).kind == "go"
    assert tried >= 3


def test_a_pool_shares_the_lessons_and_a_lesson_moves_to_another_server_when_its_own_fails(
        scenario: Scenario, fake_bbb: FakeBBB) -> None:
    s = scenario
    second = FakeBBB().start()
    try:
        one, two = bbb_server(s, fake_bbb, name="A"), bbb_server(s, second, name="B")
        keys = [f"krijt-room{n}-20261005" for n in range(40)]
        firsts = {rules.pool_order([one.pk, two.pk], key)[0] for key in keys}
        assert firsts == {one.pk, two.pk}  # both servers get lessons
        lesson = attach(s)
        meeting_key = rules.meeting_key(lesson.room, MONDAY)
        own, other = rules.pool_order([one.pk, two.pk], meeting_key)
        (fake_bbb if own == one.pk else second).mode = "down"
        assert join(s, s.teacher, TEACHER, lesson).kind == "go"
        assert Meeting.objects.get(lesson=lesson).server_id == other
    finally:
        second.stop()


def test_a_slow_server_times_out_and_the_school_fallback_link_is_offered_not_shown(
        scenario: Scenario, fake_bbb: FakeBBB, login_as: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    services.settings_update(school=s.school, roles=ADMIN, data=services.SettingsIn(
        recordings_allowed=False, fallback="link", fallback_link="https://meet.example.org/krijt-fallback",
        fallback_note="Use the school's Teams room."))
    lesson = attach(s)
    monkeypatch.setattr(bbb, "READ_TIMEOUT", 0.2)
    fake_bbb.mode, fake_bbb.delay = "slow", 1.0
    outcome = join(s, s.teacher, TEACHER, lesson)
    assert (outcome.kind, outcome.fallback["kind"], outcome.fallback["note"]) == (
        "fallback", "link", "Use the school's Teams room.")
    client = login_as("student", user=student_of(s))
    page = client.post(s.url(f"/live/{lesson.pk}/{MONDAY}/join/"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Go to the other video service" in html
    assert "Teams room" in html
    assert "meet.example.org" not in html
    other = client.get(s.url(f"/live/{lesson.pk}/{MONDAY}/other/"))
    assert (other.status_code, other["Location"]) == (303, "https://meet.example.org/krijt-fallback")


def test_a_fallback_server_takes_over_when_the_school_chose_one(scenario: Scenario, fake_bbb: FakeBBB) -> None:
    s = scenario
    spare = FakeBBB().start()
    try:
        bbb_server(s, fake_bbb)
        backup = bbb_server(s, spare, name="Spare", use=VideoServer.Use.FALLBACK)
        lesson = attach(s)
        fake_bbb.mode = "down"
        assert join(s, s.teacher, TEACHER, lesson).kind == "fallback"  # the school chose the planner
        services.settings_update(school=s.school, roles=ADMIN, data=services.SettingsIn(
            recordings_allowed=False, fallback="server"))
        assert join(s, s.teacher, TEACHER, lesson).kind == "go"
        assert Meeting.objects.get(lesson=lesson).server_id == backup.pk
        assert join(s, student_of(s), STUDENT, lesson).kind == "go"
    finally:
        spare.stop()


# --- meetings created ahead ---------------------------------------------------------------------------------


def test_meetings_are_created_a_few_minutes_ahead_each_at_its_own_moment(scenario: Scenario, fake_bbb: FakeBBB,
                                                                         clock_at: Any) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lessons = [attach(s)]
    with time_machine.travel(dt.datetime(2026, 10, 2, 15, 0, tzinfo=TZ), tick=False):
        lessons.append(services.lesson_attach(school=s.school, actor=s.teacher, roles=TEACHER,
                                              course_id=s.courses[2].pk,
                                              data=services.LessonIn(provider=Provider.BBB, when="slot:1-2")))
    clock_at.move_to(dt.datetime(2026, 10, 5, 8, 0, tzinfo=TZ))
    assert services.precreate_due() == 0  # 08:25 is more than ten minutes away
    clock_at.move_to(dt.datetime(2026, 10, 5, 8, 16, tzinfo=TZ))
    assert services.precreate_due() == 1  # 1A's lesson 1; 2A's is lesson 2 (09:15)
    assert services.precreate_due() == 0  # queued once
    meeting = Meeting.objects.get(lesson=lessons[0])
    starts = dt.datetime(2026, 10, 5, 8, 25, tzinfo=TZ)
    assert meeting.create_after is not None
    assert starts - rules.CREATE_FROM <= meeting.create_after <= starts - rules.CREATE_UNTIL
    assert meeting.create_after == max(clock_at_now(), rules.create_moment(starts, meeting.meeting_id))
    clock_at.move_to(meeting.create_after + dt.timedelta(seconds=1))
    assert run_pending_tasks() == 1
    meeting.refresh_from_db()
    assert (meeting.state, len(fake_bbb.meetings)) == (Meeting.State.CREATED, 1)
    assert join(s, student_of(s), STUDENT, lessons[0]).kind == "wait"  # created, but the teacher is not in yet


def clock_at_now() -> dt.datetime:
    from krijt.core import clock

    return clock.now()


def test_create_moments_spread_over_the_minutes_before_the_lesson() -> None:
    starts = dt.datetime(2026, 10, 5, 8, 25, tzinfo=TZ)
    moments = [rules.create_moment(starts, f"krijt-{n}-20261005") for n in range(2000)]
    assert all(starts - rules.CREATE_FROM <= m < starts - rules.CREATE_UNTIL for m in moments)
    per_minute: dict[int, int] = {}
    for moment in moments:
        per_minute[moment.minute] = per_minute.get(moment.minute, 0) + 1
    assert len(per_minute) == 8
    assert max(per_minute.values()) < 2000 / 8 * 1.2
    assert rules.create_moment(starts, "krijt-7-20261005") == rules.create_moment(starts, "krijt-7-20261005")


# --- Jitsi and plain links ------------------------------------------------------------------------------------


def test_jitsi_tokens_name_the_room_expire_soon_and_make_only_the_teacher_moderator(scenario: Scenario) -> None:
    s = scenario
    VideoServer.objects.create(school=s.school, kind=Provider.JITSI, name="Jitsi", url="https://meet.school.be/",
                               app_id="krijt", secret=JITSI_SECRET)
    lesson = attach(s, provider=Provider.JITSI)
    assert join(s, student_of(s), STUDENT, lesson).kind == "wait"
    tokens = {}
    for person, roles in [(s.teacher, TEACHER), (student_of(s), STUDENT)]:
        outcome = join(s, person, roles, lesson)
        assert outcome.kind == "go"
        assert outcome.url.startswith("https://meet.school.be/krijt-")
        tokens[person.pk] = jwt.decode(query_of(outcome.url)["jwt"], JITSI_SECRET, algorithms=["HS256"],
                                       audience="jitsi", issuer="krijt", options={"verify_exp": False})
    teacher, pupil = tokens[s.teacher.pk], tokens[student_of(s).pk]
    assert teacher["room"] == pupil["room"] == urlsplit(join(s, s.teacher, TEACHER, lesson).url).path.strip("/")
    assert (teacher["moderator"], pupil["moderator"]) == (True, False)
    assert pupil["context"]["user"]["moderator"] == "false"
    assert pupil["exp"] - pupil["iat"] == jitsi.TOKEN_SECONDS
    assert pupil["sub"] == "meet.school.be"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(query_of(join(s, student_of(s), STUDENT, lesson).url)["jwt"], "another-secret-" * 3,
                   algorithms=["HS256"], audience="jitsi")
    server = VideoServer.objects.get(school=s.school, kind=Provider.JITSI)
    for _failure in range(breaker.FAILURES):  # the probes find it down
        breaker.failed(server.pk)
    assert join(s, s.teacher, TEACHER, lesson).kind == "fallback"
    assert join(s, student_of(s), STUDENT, lesson).kind == "fallback"
    breaker.succeeded(server.pk)  # a probe finds it back
    assert join(s, student_of(s), STUDENT, lesson).kind == "fallback"  # the class follows the teacher's plan ...
    assert join(s, s.teacher, TEACHER, lesson).kind == "go"  # ... until the teacher tries the video lesson again
    token = query_of(join(s, student_of(s), STUDENT, lesson).url)["jwt"]
    with time_machine.travel(AT + dt.timedelta(seconds=jitsi.TOKEN_SECONDS + 1), tick=False), \
            pytest.raises(jwt.ExpiredSignatureError):  # five minutes to connect: a token copied later is worthless
        jwt.decode(token, JITSI_SECRET, algorithms=["HS256"], audience="jitsi")


def test_a_plain_link_is_redirected_to_and_never_written_in_a_page(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    lesson = attach(s, provider=Provider.LINK, link="https://teams.example.com/l/meetup-join/secret-room")
    client = login_as("student", user=student_of(s))
    page = client.get(s.url(f"/live/{lesson.pk}/{MONDAY}/"))
    assert page.status_code == 200
    assert "teams.example.com" not in page.content.decode()
    went = client.post(s.url(f"/live/{lesson.pk}/{MONDAY}/join/"))
    assert (went.status_code, went["Location"]) == (303, "https://teams.example.com/l/meetup-join/secret-room")
    assert went["Referrer-Policy"] == "no-referrer"
    assert "form-action 'self' https://teams.example.com;" in page["Content-Security-Policy"]
    with pytest.raises(ValidationFailed):
        attach(s, provider=Provider.LINK, when="slot:2-1", link="http://insecure.example.com/room")
    with pytest.raises(ValidationFailed):  # no Jitsi server in this school
        attach(s, provider=Provider.JITSI, when="slot:2-1")
    with pytest.raises(Conflict):
        attach(s, provider=Provider.LINK, link="https://teams.example.com/other")


# --- planner items, the register, Today ----------------------------------------------------------------------


def test_a_live_lesson_with_a_planner_item_follows_the_item(scenario: Scenario, fake_bbb: FakeBBB) -> None:
    from krijt.planner import services as planner_services

    s = scenario
    bbb_server(s, fake_bbb)
    item = PlannerItem.objects.create(
        school=s.school, school_year=s.year, class_group=s.classes[0], course=s.courses[0], teacher=s.teacher,
        kind=PlannerItem.Kind.TASK, title="Oefeningen breuken", due_date=MONDAY, lesson_period=s.lesson_periods[0],
        visible_from=AT - dt.timedelta(days=3))
    lesson = attach(s, when=f"item:{item.pk}")
    assert join(s, s.teacher, TEACHER, lesson).kind == "go"
    link = hooks.item_link(user=student_of(s), roles=STUDENT, item=item)
    assert link is not None
    assert link.url.endswith(f"/live/{lesson.pk}/{MONDAY}/")
    with time_machine.travel(dt.datetime(2026, 10, 2, 15, 0, tzinfo=TZ), tick=False):
        planner_services.item_cancel(school=s.school, actor=s.teacher, roles=TEACHER, item=item)
    with pytest.raises(NotFound):
        join(s, student_of(s), STUDENT, lesson)
    assert hooks.item_link(user=s.teacher, roles=TEACHER, item=item) is None


def test_the_register_suggests_absences_from_who_joined_and_saves_nothing(scenario: Scenario, fake_bbb: FakeBBB,
                                                                         login_as: Any) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    join(s, s.teacher, TEACHER, lesson)
    came, missed = student_of(s, 0, 0), student_of(s, 0, 1)
    join(s, came, STUDENT, lesson)
    client = login_as("teacher")
    page = client.get(s.url(f"/attendance/lessons/{s.courses[0].pk}/{MONDAY}/1/"))
    html = page.content.decode()
    assert "1 of 3 students joined the live lesson." in html
    assert "?suggest=live" in html
    suggested = client.get(s.url(f"/attendance/lessons/{s.courses[0].pk}/{MONDAY}/1/?suggest=live"))
    html = suggested.content.decode()
    assert "Suggested from the live lesson" in html
    assert f'name="s{missed.pk}" value="absent" checked' in html
    assert f'name="s{came.pk}" value="present" checked' in html
    assert not Register.objects.filter(school=s.school).exists()  # never automatic
    joined = client.get(s.url(f"/live/{lesson.pk}/{MONDAY}/joined/"))
    assert joined.status_code == 200
    assert came.full_name in joined.content.decode()
    assert login_as("student", user=came).get(s.url(f"/live/{lesson.pk}/{MONDAY}/joined/")).status_code == 403


def test_today_links_the_lesson_to_its_live_lesson_from_cached_parts(scenario: Scenario, fake_bbb: FakeBBB,
                                                                     login_as: Any) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    client = login_as("student", user=student_of(s))
    client.get(s.url("/"))
    warm = count_queries(lambda: client.get(s.url("/")))
    html = client.get(s.url("/")).content.decode()
    assert f"/live/{lesson.pk}/{MONDAY}/" in html
    teacher = login_as("teacher")
    assert f"/live/{lesson.pk}/{MONDAY}/" in teacher.get(s.url("/")).content.decode()
    services.lesson_cancel(school=s.school, actor=s.teacher, roles=TEACHER, lesson_id=lesson.pk)
    assert "/live/" not in login_as("student", user=student_of(s)).get(s.url("/")).content.decode().split(
        "<main")[1].split("</main>")[0].replace('href="/s/alpha/live/"', "")
    assert warm <= 6


def test_a_students_join_costs_the_same_few_queries_whatever_the_class_size(
        scenario: Scenario, fake_bbb: FakeBBB) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    join(s, s.teacher, TEACHER, lesson)
    first, second = student_of(s, 0, 0), student_of(s, 0, 1)
    join(s, first, STUDENT, lesson)  # warms the lesson's parts, as the class's first student does
    fetch([student_place(s.school, second.pk, MONDAY)])  # the student's own place, as their Today did
    assert count_queries(lambda: join(s, second, STUDENT, lesson)) == 1  # the join row, nothing else


# --- pages, settings and the API -------------------------------------------------------------------------------


def test_the_waiting_page_asks_the_cache_and_takes_the_student_in_when_the_teacher_is_there(
        scenario: Scenario, fake_bbb: FakeBBB, login_as: Any) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    lesson = attach(s)
    client = login_as("student", user=student_of(s))
    waiting = client.post(s.url(f"/live/{lesson.pk}/{MONDAY}/join/"))
    assert waiting.status_code == 200
    assert "Waiting for your teacher" in waiting.content.decode()
    state = s.url(f"/live/{lesson.pk}/{MONDAY}/state/")
    assert "Waiting for your teacher" in client.get(state).content.decode()
    join(s, s.teacher, TEACHER, lesson)
    ready = client.get(state).content.decode()
    assert "data-live-autojoin" in ready
    assert "Join now" in ready
    policy = waiting["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:" in policy  # the browser may follow the join to the server
    assert "script-src 'self';" in policy
    went = client.post(s.url(f"/live/{lesson.pk}/{MONDAY}/join/"))
    assert went.status_code == 303
    assert went["Location"].startswith(fake_bbb.base + "api/join?")


def test_settings_keep_secrets_out_of_pages_and_the_api(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    client = login_as("admin")
    page = s.url("/live/settings/")
    added = client.post(page, {"form": "server", "n-kind": "bbb", "n-name": "School BBB",
                               "n-url": "https://bbb.school.be/bigbluebutton/api", "n-secret": "top-secret-value",
                               "n-use": "primary", "n-active": "on"})
    assert added.status_code == 302
    server = VideoServer.objects.get(school=s.school)
    assert (server.url, server.secret) == ("https://bbb.school.be/bigbluebutton/", "top-secret-value")
    assert "top-secret-value" not in client.get(page).content.decode()
    edit = client.get(s.url(f"/live/settings/servers/{server.pk}/")).content.decode()
    assert "top-secret-value" not in edit
    assert "A secret is saved." in edit
    client.post(s.url(f"/live/settings/servers/{server.pk}/"), {"kind": "bbb", "name": "Renamed", "url": server.url,
                                                                "use": "primary", "active": "on"})
    server.refresh_from_db()
    assert (server.name, server.secret) == ("Renamed", "top-secret-value")  # an empty secret keeps the saved one
    api = client.get(s.url("/api/v1/live/settings")).json()
    assert api["servers"][0]["has_secret"] is True
    assert "top-secret-value" not in str(api)
    bad = client.post(page, {"form": "server", "n-kind": "bbb", "n-name": "X", "n-url": "http://bbb",
                             "n-use": "primary"})
    assert bad.status_code == 400
    assert "https://" in bad.content.decode()
    assert login_as("teacher").get(page).status_code == 403


def test_the_api_attaches_and_joins_through_the_same_doors(scenario: Scenario, fake_bbb: FakeBBB,
                                                           login_as: Any) -> None:
    s = scenario
    bbb_server(s, fake_bbb)
    api = s.url("/api/v1")
    teacher = login_as("teacher")
    with time_machine.travel(dt.datetime(2026, 10, 2, 15, 0, tzinfo=TZ), tick=False):
        made = teacher.post(f"{api}/live/lessons", {"course_id": s.courses[0].pk, "when": "slot:1-1",
                                                    "provider": "bbb"}, content_type="application/json")
    assert made.status_code == 201, made.content
    lesson_id = made.json()["id"]
    assert made.json()["weekday"] == 1
    refused = teacher.post(f"{api}/live/lessons", {"course_id": s.courses[0].pk, "when": "slot:1-9",
                                                   "provider": "bbb"}, content_type="application/json")
    assert refused.status_code == 400
    assert "when" in refused.json()["error"]["fields"]
    pupil = login_as("student", user=student_of(s))
    listed = pupil.get(f"{api}/live/lessons").json()
    assert [(r["lesson_id"], r["open"], r["moderator"]) for r in listed] == [(lesson_id, True, False)]
    assert pupil.post(f"{api}/live/lessons/{lesson_id}/{MONDAY}/join").json()["state"] == "wait"
    went = login_as("teacher").post(f"{api}/live/lessons/{lesson_id}/{MONDAY}/join").json()
    assert went["state"] == "go"
    assert "role=MODERATOR" in went["url"]
    pupil = login_as("student", user=student_of(s))
    assert pupil.post(f"{api}/live/lessons/{lesson_id}/{MONDAY}/join").json()["state"] == "go"
    joins = login_as("teacher").get(f"{api}/live/lessons/{lesson_id}/{MONDAY}/joins").json()
    assert sum(1 for row in joins if row["joined_at"]) == 1
    cancelled = teacher.post(f"{api}/live/lessons/{lesson_id}/cancel").json()
    assert cancelled["cancelled"] is True
    assert login_as("parent").get(f"{api}/live/lessons").status_code == 403


def test_a_students_join_page_names_a_planner_item_only_from_the_items_own_moment(scenario: Scenario,
                                                                                  login_as: Any) -> None:
    s = scenario
    item = PlannerItem.objects.create(
        school=s.school, school_year=s.year, class_group=s.classes[0], course=s.courses[0], teacher=s.teacher,
        kind=PlannerItem.Kind.TEST, title="Toets breuken", due_date=MONDAY, lesson_period=s.lesson_periods[0],
        visible_from=AT + dt.timedelta(minutes=30))  # planned late: the class sees it from 08:50
    lesson = attach(s, provider=Provider.LINK, when=f"item:{item.pk}", link="https://meet.example.org/toets")
    page = s.url(f"/live/{lesson.pk}/{MONDAY}/")
    assert "Toets breuken" not in login_as("student", user=student_of(s)).get(page).content.decode()
    assert "Toets breuken" in login_as("teacher").get(page).content.decode()
    with time_machine.travel(AT + dt.timedelta(minutes=31), tick=False):
        assert "Toets breuken" in login_as("student", user=student_of(s)).get(page).content.decode()


def test_addresses_must_be_whole_https_addresses(scenario: Scenario) -> None:
    s = scenario
    for link in ("https://", "https://exa mple.org/room", "https://meet.example.org/\x00room", "ftp://x.example/"):
        with pytest.raises(ValidationFailed):
            attach(s, provider=Provider.LINK, link=link)
    with pytest.raises(ValidationFailed) as refused:
        services.server_add(school=s.school, roles=ADMIN, data=services.ServerIn(
            kind=Provider.BBB, name="BBB", url="https://", secret="s"))
    assert "url" in refused.value.fields
