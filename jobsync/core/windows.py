"""Deploy windows: when apply may change a workspace (policies.deploy_windows).

A window is `<days> <HH:MM>-<HH:MM>`: days a name (`Fri`), a range (`Mon-Fri`) or a list of
both (`Mon,Wed-Fri`); the end may be `24:00`. Apply may change the workspace inside an
`allow` window (every time, when none is given) and never inside a `deny` window: deny wins.
Times are read in `time_zone`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobsync.core.policies import DeployWindows

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHAPE = re.compile(r"^(?P<days>[A-Za-z,\-]+) (?P<start>\d{2}):(?P<smin>\d{2})-(?P<end>\d{2}):(?P<emin>\d{2})$")


@dataclass(frozen=True)
class Window:
    text: str
    days: frozenset[int]  # 0 = Monday
    start: int  # minutes after midnight
    end: int

    def holds(self, moment: dt.datetime) -> bool:
        minute = moment.hour * 60 + moment.minute
        return moment.weekday() in self.days and self.start <= minute < self.end


def _day(name: str, text: str) -> int:
    for index, day in enumerate(DAYS):
        if day.lower() == name.lower():
            return index
    raise ValueError(f"{text!r}: {name!r} is not a day; use {', '.join(DAYS)}")


def _days(part: str, text: str) -> frozenset[int]:
    found: set[int] = set()
    for item in part.split(","):
        first, _, last = item.partition("-")
        start = _day(first, text)
        stop = _day(last, text) if last else start
        found.update(range(start, stop + 1) if start <= stop else [*range(start, 7), *range(stop + 1)])
    return frozenset(found)


def parse(text: str) -> Window:
    """A window from its text; ValueError saying what is wrong."""
    match = SHAPE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a window; write it as 'Mon-Fri 09:00-18:00'")
    start = int(match["start"]) * 60 + int(match["smin"])
    end = int(match["end"]) * 60 + int(match["emin"])
    if start >= end or end > 24 * 60 or int(match["smin"]) > 59 or int(match["emin"]) > 59:
        raise ValueError(f"{text!r}: the times must be HH:MM, the start before the end, the end at most 24:00")
    return Window(text.strip(), _days(match["days"], text), start, end)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone; e.g. Asia/Shanghai or UTC") from None


def problems(windows: DeployWindows) -> list[str]:
    """What is wrong with the settings (for workspace.yaml's checks); empty when they are fine."""
    found = []
    try:
        zone(windows.time_zone)
    except ValueError as error:
        found.append(f"time_zone: {error}")
    for key, texts in (("allow", windows.allow), ("deny", windows.deny)):
        for index, text in enumerate(texts):
            try:
                parse(text)
            except ValueError as error:
                found.append(f"{key}[{index}]: {error}")
    return found


def closed_reason(windows: DeployWindows, now_ms: int) -> str | None:
    """Why apply may not change the workspace at `now_ms`, naming the window; None when it may."""
    moment = dt.datetime.fromtimestamp(now_ms / 1000, tz=zone(windows.time_zone))
    shown = f"now {DAYS[moment.weekday()]} {moment:%H:%M} {windows.time_zone}"
    for text in windows.deny:
        if parse(text).holds(moment):
            return f"inside the deny window '{text}' ({shown})"
    if windows.allow and not any(parse(text).holds(moment) for text in windows.allow):
        listed = ", ".join(f"'{text}'" for text in windows.allow)
        return f"outside the deploy window {listed} ({shown})"
    return None
