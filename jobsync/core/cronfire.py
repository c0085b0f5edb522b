"""When a DataArts cron schedule fires: the next and the latest plan time of a job.

The expression is core/cron.py's Quartz form (`0 <minute> <hour> <day of month> * <day of week>`).
Numbers, `*`, `?`, lists, ranges and steps are understood; `L`, `W` and `#` are not, and a job
using them has no computed plan time (None), so nothing is guessed. Times are epoch
milliseconds; the schedule is read in the time zone given (UTC by default).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from jobsync.core.cron import DAYS, FIELDS

SEARCH_DAYS = 8  # every supported expression fires within a week


def _values(text: str, index: int) -> frozenset[int] | None:
    """The values one field allows, or None when it uses syntax this module does not follow."""
    _, low, high = FIELDS[index]
    if text in ("*", "?"):
        return frozenset(range(low, high + 1))
    allowed: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        if not (step_text.isdigit() if step_text else True):
            return None
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first_value, last_value = _number(first_text, index), _number(last_text, index)
            if first_value is None or last_value is None:
                return None
            first, last = first_value, last_value
        else:
            value = _number(base, index)
            if value is None:
                return None
            first, last = value, (high if step_text else value)
        allowed.update(range(first, last + 1, step))
    return frozenset(allowed)


def _number(token: str, index: int) -> int | None:
    if token.isdigit():
        return int(token)
    if index == 5 and token.upper() in DAYS:
        return DAYS[token.upper()]
    return None


def _matcher(expression: str) -> tuple[frozenset[int], ...] | None:
    fields = expression.split()
    if len(fields) not in (6, 7):
        return None
    found = tuple(_values(text, index) for index, text in enumerate(fields[:6]))
    if any(values is None for values in found):
        return None
    return tuple(values for values in found if values is not None)


def _fires(matcher: tuple[frozenset[int], ...], moment: dt.datetime, day_of_month_any: bool) -> bool:
    _, minutes, hours, days, months, weekdays = matcher
    quartz_weekday = moment.isoweekday() % 7 + 1  # Quartz: SUN=1 ... SAT=7
    day_ok = quartz_weekday in weekdays if day_of_month_any else moment.day in days
    return moment.minute in minutes and moment.hour in hours and moment.month in months and day_ok


def _walk(expression: str, start_ms: int, time_zone: str, step: int) -> int | None:
    matcher = _matcher(expression)
    if matcher is None:
        return None
    zone = ZoneInfo(time_zone)
    moment = dt.datetime.fromtimestamp(start_ms / 1000, tz=zone).replace(second=0, microsecond=0)
    day_of_month_any = expression.split()[3] == "?"
    for _ in range(SEARCH_DAYS * 24 * 60):
        if _fires(matcher, moment, day_of_month_any):
            return int(moment.timestamp() * 1000)
        moment += dt.timedelta(minutes=step)
    return None


def next_fire(expression: str, after_ms: int, time_zone: str = "UTC") -> int | None:
    """The first plan time strictly after `after_ms`; None if it cannot be computed."""
    return _walk(expression, (after_ms // 60_000 + 1) * 60_000, time_zone, 1)


def last_fire(expression: str, at_ms: int, time_zone: str = "UTC") -> int | None:
    """The latest plan time at or before `at_ms` (within a week); None if there is none."""
    return _walk(expression, at_ms, time_zone, -1)
