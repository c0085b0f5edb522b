"""The time runs are measured in, and how jobsync waits for them.

`current()` is the clock in use: the system's, unless a test installs a `ManualClock` with
`using()`, whose `sleep` moves time on at once. The run simulator (backends/runs.py), the
emulator and the waiting in ops/verify.py all read `current()`, so a test that installs one
clock controls the whole run without sleeping.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class ManualClock:
    """A clock that moves only when told: `advance(seconds)`, or `sleep(seconds)`."""

    def __init__(self, start_ms: int) -> None:
        self._now = start_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += int(seconds * 1000)

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)


_current: Clock = SystemClock()


def current() -> Clock:
    return _current


@contextlib.contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    global _current
    before, _current = _current, clock
    try:
        yield clock
    finally:
        _current = before
