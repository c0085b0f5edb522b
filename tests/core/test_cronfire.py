"""When a cron schedule fires next, and last: the plan times deploy windows read."""

from __future__ import annotations

import datetime as dt

from jobsync.core.cronfire import last_fire, next_fire


def ms(*parts: int, zone: dt.tzinfo = dt.timezone.utc) -> int:
    return int(dt.datetime(*parts, tzinfo=zone).timestamp() * 1000)


def test_a_daily_schedule_fires_next_today_and_last_yesterday():
    now = ms(2026, 12, 4, 1, 55)
    assert next_fire("0 0 2 * * ?", now) == ms(2026, 12, 4, 2, 0)
    assert last_fire("0 0 2 * * ?", now) == ms(2026, 12, 3, 2, 0)


def test_weekday_ranges_steps_and_lists():
    friday_evening = ms(2026, 12, 4, 18, 1)  # a Friday
    assert next_fire("0 */15 9-17 ? * MON-FRI", friday_evening) == ms(2026, 12, 7, 9, 0)  # Monday
    assert next_fire("0 30 8,20 * * ?", friday_evening) == ms(2026, 12, 4, 20, 30)


def test_the_time_zone_decides_the_day():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    now = ms(2026, 12, 4, 1, 0)
    assert next_fire("0 0 10 * * ?", now, "Asia/Shanghai") == ms(2026, 12, 4, 10, 0, zone=shanghai)


def test_syntax_it_does_not_follow_gives_no_time_rather_than_a_guess():
    assert next_fire("0 0 2 L * ?", ms(2026, 12, 4)) is None
    assert next_fire("0 0 2 ? * 6#3", ms(2026, 12, 4)) is None
