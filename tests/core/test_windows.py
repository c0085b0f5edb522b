"""Deploy windows: allow and deny, deny wins, in the configured time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from jobsync.core import windows
from jobsync.core.policies import DeployWindows

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SETTINGS = DeployWindows(time_zone="Asia/Shanghai", allow=("Mon-Fri 09:00-18:00",), deny=("Fri 17:00-24:00",))


def at(*parts: int) -> int:
    return int(dt.datetime(*parts, tzinfo=SHANGHAI).timestamp() * 1000)


def test_inside_an_allow_window_apply_may_change():
    assert windows.closed_reason(SETTINGS, at(2026, 12, 3, 10, 0)) is None  # Thursday 10:00


def test_outside_every_allow_window_names_it():
    reason = windows.closed_reason(SETTINGS, at(2026, 12, 5, 10, 0))  # Saturday
    assert reason == "outside the deploy window 'Mon-Fri 09:00-18:00' (now Sat 10:00 Asia/Shanghai)"


def test_deny_wins_over_allow():
    reason = windows.closed_reason(SETTINGS, at(2026, 12, 4, 17, 30))  # Friday 17:30, inside both
    assert reason == "inside the deny window 'Fri 17:00-24:00' (now Fri 17:30 Asia/Shanghai)"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("Mon-Fri 9-18", "is not a window"), ("Fry 09:00-10:00", "'Fry' is not a day"), ("Mon 18:00-09:00", "start")],
)
def test_a_wrong_window_says_what_is_wrong(text, problem):
    found = windows.problems(DeployWindows(allow=(text,)))
    assert len(found) == 1 and problem in found[0] and found[0].startswith("allow[0]")


def test_an_unknown_time_zone_is_named():
    assert windows.problems(DeployWindows(time_zone="Mars/Olympus")) == [
        "time_zone: 'Mars/Olympus' is not an IANA time zone; e.g. Asia/Shanghai or UTC"
    ]
