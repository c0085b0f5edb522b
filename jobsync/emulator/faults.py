"""Injected latency, per-user rate limiting and random failures (`--latency-ms`,
`--rate-limit`, `--fail-rate`). Options can change while the server runs."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from jobsync.emulator.http import ApiError

MAX_FAIL_RATE = 0.9  # above this nothing would ever get through
FAILURES = (500, 503, "drop")


def throttled() -> ApiError:
    return ApiError(
        "APIGW.0308",
        "The throttling threshold has been reached: policy user over ratelimit,limit:{limit},time:1 second",
        status=429,
    )


@dataclass
class Options:
    """latency_ms: added to each request; rate_limit: requests per second per user (0 = no
    limit); fail_rate: fraction of API requests that fail; seed: RNG seed for fail_rate."""

    latency_ms: float = 0.0
    rate_limit: float = 0.0
    fail_rate: float = 0.0
    seed: int | None = None


@dataclass
class Faults:
    options: Options = field(default_factory=Options)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, stamp)
        self.configure()

    def configure(self, **changes: float | int | None) -> None:
        """Change options at runtime; a new seed restarts the RNG."""
        with self._lock:
            for name, value in changes.items():
                setattr(self.options, name, value)
            rate = self.options.fail_rate
            if not 0 <= rate <= MAX_FAIL_RATE:
                raise ValueError(f"fail_rate must be within 0..{MAX_FAIL_RATE}")
            self._random = random.Random(self.options.seed)
            self._buckets.clear()

    def delay(self) -> None:
        if self.options.latency_ms > 0:
            time.sleep(self.options.latency_ms / 1000)

    def admit(self, user: str) -> None:
        """A token bucket per user, burst = one second's worth; raises 429 when empty."""
        rate = self.options.rate_limit
        if rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            tokens, stamp = self._buckets.get(user, (rate, now))
            tokens = min(rate, tokens + (now - stamp) * rate)
            if tokens < 1:
                self._buckets[user] = (tokens, now)
                error = throttled()
                error.message = error.message.format(limit=int(rate))
                raise error
            self._buckets[user] = (tokens - 1, now)

    def failure(self) -> int | str | None:
        """None, or how this request fails: 500, 503 (before it runs) or "drop" (after)."""
        with self._lock:
            if self.options.fail_rate <= 0 or self._random.random() >= self.options.fail_rate:
                return None
            return self._random.choice(FAILURES)
