"""The pure decision: every rule, daylight saving, and properties over many moments and policies."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from krijt.notifications.policy import (
    DeliveryPolicy,
    Preference,
    QuietRules,
    earliest_delivery,
    is_allowed,
    summarize,
    wall,
)
from krijt.schools.calendar import SchoolCalendar

TZ = ZoneInfo("Europe/Brussels")
# The scenario's school year, with its Christmas holiday.
CALENDAR = SchoolCalendar(
    weekdays=frozenset({1, 2, 3, 4, 5}),
    years=((dt.date(2026, 9, 1), dt.date(2027, 6, 30)),),
    closed=((dt.date(2026, 12, 21), dt.date(2027, 1, 3), "Kerstvakantie"),),
)
POLICY = DeliveryPolicy()


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)  # type: ignore[misc,arg-type]


def decide(moment: dt.datetime, audience: str = "student", channel: str = "inapp", **kw: object) -> dt.datetime:
    return earliest_delivery(
        moment=moment,
        audience=audience,
        channel=channel,
        urgent=bool(kw.pop("urgent", False)),
        policy=kw.pop("policy", POLICY),  # type: ignore[arg-type]
        calendar=kw.pop("calendar", CALENDAR),  # type: ignore[arg-type]
        tz=TZ,
        preference=kw.pop("preference", None),  # type: ignore[arg-type]
    )


def test_friday_evening_reaches_a_student_on_monday_morning() -> None:
    assert decide(local(2026, 10, 2, 21, 0)) == local(2026, 10, 5, 7, 0)


def test_inside_school_hours_it_goes_at_once() -> None:
    assert decide(local(2026, 10, 6, 10, 15)) == local(2026, 10, 6, 10, 15)


def test_evening_and_early_morning_wait_for_seven() -> None:
    assert decide(local(2026, 10, 6, 19, 0)) == local(2026, 10, 7, 7, 0)  # 19:00 itself is quiet
    assert decide(local(2026, 10, 6, 18, 59)) == local(2026, 10, 6, 18, 59)
    assert decide(local(2026, 10, 7, 6, 30)) == local(2026, 10, 7, 7, 0)


def test_christmas_holiday_waits_for_the_first_school_day() -> None:
    assert decide(local(2026, 12, 18, 21, 0), "parent", "email") == local(2027, 1, 4, 7, 0)
    assert decide(local(2026, 12, 28, 12, 0), "student", "push") == local(2027, 1, 4, 7, 0)


def test_summer_waits_for_the_school_year_and_no_year_falls_back_to_weekdays() -> None:
    assert decide(local(2026, 8, 20, 10, 0)) == local(2026, 9, 1, 7, 0)
    bare = SchoolCalendar(weekdays=frozenset({1, 2, 3, 4, 5}), years=())
    assert decide(local(2026, 8, 22, 10, 0), calendar=bare) == local(2026, 8, 24, 7, 0)


def test_staff_in_app_is_at_once_but_email_follows_staff_quiet_hours() -> None:
    friday_night = local(2026, 10, 2, 21, 0)
    assert decide(friday_night, "staff", "inapp") == friday_night
    assert decide(friday_night, "staff", "email") == local(2026, 10, 5, 7, 0)
    assert decide(local(2026, 10, 6, 19, 30), "staff", "push") == local(2026, 10, 6, 19, 30)  # staff: until 20:00
    assert decide(local(2026, 10, 6, 20, 0), "staff", "push") == local(2026, 10, 7, 7, 0)


def test_urgent_goes_at_once_for_everyone() -> None:
    sunday_night = local(2026, 10, 4, 23, 0)
    for audience in ("student", "parent", "staff"):
        for channel in ("inapp", "email", "push"):
            assert decide(sunday_night, audience, channel, urgent=True) == sunday_night


def test_weekends_not_quiet_when_the_school_says_so() -> None:
    rules = QuietRules(weekends=False)
    policy = DeliveryPolicy(student=rules)
    assert decide(local(2026, 10, 3, 11, 0), policy=policy) == local(2026, 10, 3, 11, 0)
    # The holiday still counts: Christmas Saturday waits.
    assert decide(local(2026, 12, 26, 11, 0), policy=policy) == local(2027, 1, 4, 7, 0)


def test_parent_digest_is_at_the_digest_time_friday_evening_in_mondays_digest() -> None:
    digest = Preference(digest=True)
    assert decide(local(2026, 10, 2, 21, 0), "parent", "email", preference=digest) == local(2026, 10, 5, 18, 0)
    assert decide(local(2026, 10, 2, 17, 0), "parent", "email", preference=digest) == local(2026, 10, 2, 18, 0)
    assert decide(local(2026, 10, 2, 18, 30), "parent", "email", preference=digest) == local(2026, 10, 5, 18, 0)
    chosen = Preference(digest=True, digest_time=dt.time(12, 30))
    assert decide(local(2026, 10, 6, 8, 0), "parent", "email", preference=chosen) == local(2026, 10, 6, 12, 30)
    # In-app and push do not wait for the digest.
    assert decide(local(2026, 10, 6, 8, 0), "parent", "inapp", preference=chosen) == local(2026, 10, 6, 8, 0)


def test_digest_time_outside_the_allowed_hours_is_pulled_inside() -> None:
    late = Preference(digest=True, digest_time=dt.time(21, 0))
    assert decide(local(2026, 10, 6, 8, 0), "parent", "email", preference=late) == local(2026, 10, 6, 18, 59)
    early = Preference(digest=True, digest_time=dt.time(5, 0))
    assert decide(local(2026, 10, 6, 8, 0), "parent", "email", preference=early) == local(2026, 10, 7, 7, 0)


def test_daylight_saving_spring_forward() -> None:
    # Last Sunday of March 2027: 02:00 CET becomes 03:00 CEST. Saturday night -> Monday 07:00 CEST.
    assert decide(local(2027, 3, 27, 21, 0)) == dt.datetime(2027, 3, 29, 5, 0, tzinfo=dt.UTC)
    # A quiet end inside the gap (02:30 does not exist that night) moves forward to 03:30 CEST.
    night = DeliveryPolicy(student=QuietRules(start=dt.time(23, 0), end=dt.time(2, 30), weekends=False))
    assert decide(local(2027, 3, 28, 1, 0), policy=night) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)
    assert wall(dt.date(2027, 3, 28), dt.time(2, 30), TZ) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)


def test_daylight_saving_fall_back() -> None:
    # Last Sunday of October 2026: 03:00 CEST becomes 02:00 CET. Friday night -> Monday 07:00 CET.
    assert decide(local(2026, 10, 23, 21, 0)) == dt.datetime(2026, 10, 26, 6, 0, tzinfo=dt.UTC)
    # 02:30 happens twice that night: the first occurrence (CEST) counts.
    night = DeliveryPolicy(student=QuietRules(start=dt.time(23, 0), end=dt.time(2, 30), weekends=False))
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert decide(dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC), policy=night) == first
    # After the long night, quiet hours still end at 07:00 on the clock (06:00 UTC in winter time).
    assert decide(dt.datetime(2026, 10, 25, 5, 0, tzinfo=dt.UTC), audience="parent", policy=POLICY) == dt.datetime(
        2026, 10, 26, 6, 0, tzinfo=dt.UTC
    )


def test_summary_counts_within_a_minute_as_now() -> None:
    asked = local(2026, 10, 6, 10, 0)
    later = local(2026, 10, 7, 7, 0)
    moments = [asked, asked + dt.timedelta(seconds=30), later, later]
    assert summarize(moments, asked=asked) == [(asked, 2), (later, 2)]


# ------------------------------------------------------------------ properties

times = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
quiet_rules = st.builds(
    lambda start_hour, end_hour, weekends, holidays: QuietRules(
        start=dt.time(start_hour, 0), end=dt.time(end_hour, 30), weekends=weekends, holidays=holidays
    ),
    st.integers(13, 23),
    st.integers(0, 11),
    st.booleans(),
    st.booleans(),
)
policies = st.builds(
    lambda s, p, staff, digest_time: DeliveryPolicy(student=s, parent=p, staff=staff, digest_time=digest_time),
    quiet_rules,
    quiet_rules,
    quiet_rules,
    times,
)
preferences = st.one_of(st.none(), st.builds(Preference, digest=st.booleans(), digest_time=st.one_of(st.none(), times)))
# Moments across the school year and the summer before it, both DST changes included, to the second.
# (After the last school year entered, the fallback applies: tested on its own above.)
moments = st.integers(
    int(dt.datetime(2026, 8, 25, tzinfo=dt.UTC).timestamp()), int(dt.datetime(2027, 6, 28, tzinfo=dt.UTC).timestamp())
).map(lambda s: dt.datetime.fromtimestamp(s, tz=dt.UTC))
dst_moments = st.sampled_from(
    [dt.datetime(2026, 10, 25, tzinfo=dt.UTC), dt.datetime(2027, 3, 28, tzinfo=dt.UTC)]
).flatmap(lambda day: st.integers(-3 * 86400, 3 * 86400).map(lambda s: day + dt.timedelta(seconds=s)))
audiences = st.sampled_from(["student", "parent", "staff"])
channels = st.sampled_from(["inapp", "email", "push"])
calendars = st.sampled_from(
    [
        CALENDAR,
        SchoolCalendar(
            weekdays=frozenset({1, 2, 3, 4, 5, 6}),
            years=((dt.date(2026, 9, 1), dt.date(2027, 6, 30)),),
            closed=((dt.date(2026, 10, 24), dt.date(2026, 11, 1), "Herfstvakantie"),),
        ),
    ]
)


def _check(moment, audience, channel, urgent, policy, preference, calendar) -> None:  # type: ignore[no-untyped-def]
    got = earliest_delivery(
        moment=moment,
        audience=audience,
        channel=channel,
        urgent=urgent,
        policy=policy,
        calendar=calendar,
        tz=TZ,
        preference=preference,
    )
    assert got >= moment
    assert got.utcoffset() == dt.timedelta(0)
    again = earliest_delivery(
        moment=got,
        audience=audience,
        channel=channel,
        urgent=urgent,
        policy=policy,
        calendar=calendar,
        tz=TZ,
        preference=preference,
    )
    assert again == got
    if urgent or (audience == "staff" and channel == "inapp"):
        assert got == moment
    else:
        rules = policy.rules_for(audience)
        assert is_allowed(got, rules=rules, calendar=calendar, tz=TZ)
        # An independent reading of the rules: the wall-clock time inside [end, start) ...
        local_time = got.astimezone(TZ)
        wall_time = local_time.time().replace(tzinfo=None, fold=0)
        # Quiet hours end when the clock first reads `end` (policy.wall: folds resolve to the first
        # occurrence). In the second pass of October's repeated hour (fold=1) the clock has already read
        # every time up to 03:00 once, so an `end` inside that hour has passed whatever the clock says now.
        end_passed = rules.end <= wall_time or (local_time.fold == 1 and rules.end <= dt.time(3))
        assert end_passed
        assert wall_time < rules.start
        # ... on a day that is a school day, or whose reasons to be quiet the school turned off.
        day = local_time.date()
        weekend = day.isoweekday() not in calendar.weekdays
        holiday = not calendar.in_school_year(day) or calendar.closure_on(day) is not None
        assert calendar.is_school_day(day) or (not (weekend and rules.weekends) and not (holiday and rules.holidays))


def test_quiet_hours_ending_inside_octobers_repeated_hour_end_at_its_first_pass() -> None:
    """Found by the property test below: quiet until 02:30 on the night the clock goes back. 00:30 UTC is
    02:30 summer time, the first time the clock reads 02:30: quiet hours are over. An hour later the clock
    reads 02:00 again (winter time); that moment is allowed, not held back until the second 02:30."""
    rules = QuietRules(start=dt.time(13), end=dt.time(2, 30), weekends=False, holidays=False)
    policy = DeliveryPolicy(student=rules)
    first_pass = dt.datetime(2026, 10, 25, 0, 15, tzinfo=dt.UTC)  # 02:15 summer time: still quiet
    assert decide(first_pass, policy=policy) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    second_pass = dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC)  # 02:00 winter time
    assert decide(second_pass, policy=policy) == second_pass
    _check(second_pass, "student", "inapp", False, policy, None, CALENDAR)


@settings(max_examples=400, deadline=None)
@given(moments, audiences, channels, st.booleans(), policies, preferences, calendars)
def test_property_never_early_allowed_and_stable(moment, audience, channel, urgent, policy, preference, calendar):  # type: ignore[no-untyped-def]
    _check(moment, audience, channel, urgent, policy, preference, calendar)


@settings(max_examples=300, deadline=None)
@given(dst_moments, audiences, channels, policies, preferences)
def test_property_across_daylight_saving(moment, audience, channel, policy, preference):  # type: ignore[no-untyped-def]
    _check(moment, audience, channel, False, policy, preference, CALENDAR)
    got = decide(moment, audience, channel, policy=policy, preference=preference)
    if got != moment:
        # Held back: it arrives exactly at a wall-clock opening or digest time of its day, never an hour
        # off (a time inside the spring gap resolves forward, as wall() does).
        day = got.astimezone(TZ).date()
        rules = policy.rules_for(audience)
        last_minute = (dt.datetime.combine(day, rules.start) - dt.timedelta(minutes=1)).time()
        candidates = [rules.end, last_minute]
        if preference and preference.digest and channel == "email":
            candidates.append(preference.digest_time or policy.digest_time)
        assert got in {wall(day, t, TZ) for t in candidates}
