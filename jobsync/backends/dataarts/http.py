"""The signed HTTP client of the dataarts backend: one requests.Session, AK/SK signing with
huaweicloudsdkcore's Signer (reference §8.4) or an IAM token, a client-side token bucket, and
retries with exponential backoff and full jitter on 429, 5xx and connection errors.

Bodies stay raw bytes/JSON; no typed SDK model touches them (reference §8.3).

Retrying is only automatic where it is safe. A request that is not replay-safe (create, edit,
import) raises `AmbiguousWriteError` on a 5xx or a lost connection, because the service may have applied
it; the caller checks what happened before sending it again (see `write_once`). A 429 is
always retried: the gateway throttles before the service sees the request.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from jobsync.backends.dataarts.gate import checked_origin, gated_session
from jobsync.errors import AmbiguousWriteError, RemoteError, ServiceError

RETRYABLE = frozenset({429, 500, 502, 503, 504})
CDM_CODE = "Cdm."
TIMEOUT = (10, 120)  # connect, read (seconds)


@dataclass(frozen=True)
class Credentials:
    """AK/SK (optionally temporary, with a security token) or an IAM token. repr hides all."""

    ak: str = field(default="", repr=False)
    sk: str = field(default="", repr=False)
    security_token: str = field(default="", repr=False)
    iam_token: str = field(default="", repr=False)

    @property
    def kind(self) -> str:
        return "token" if self.iam_token else "aksk"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base_s: float = 0.1
    cap_s: float = 5.0

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


class TokenBucket:
    """At most `rate` requests per second from this process (burst 1), shared by all threads.

    Adaptive: a 429 (someone else uses the same user's quota) lowers the rate by a fifth, down
    to a tenth of it; each success wins back 1% until the configured rate is reached again.
    """

    def __init__(self, rate: float) -> None:
        self.fastest = 1.0 / rate if rate > 0 else 0.0
        self.interval = self.fastest
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            time.sleep(wait)

    def slow_down(self) -> None:
        with self._lock:
            self.interval = min(self.fastest * 10, self.interval * 1.25)

    def speed_up(self) -> None:
        if self.interval > self.fastest:
            with self._lock:
                self.interval = max(self.fastest, self.interval * 0.99)


UNKNOWN_WORKSPACE = frozenset({"DLF.9905"})  # the emulator's invented code; the service's is not documented
UNKNOWN_WORKSPACE_TEXT = re.compile(r"^workspace\b.*\b(does not exist|missing or unknown)", re.IGNORECASE)
MAX_RETRY_AFTER_S = 120.0


def retry_after(response: requests.Response) -> float:
    """Seconds a 429 (or 503) asks to wait (`Retry-After`: seconds or an HTTP date), capped; 0 if none."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return 0.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _reason(error: Exception) -> str:
    text = str(error)
    return text if len(text) < 200 else text[:200] + "..."


def parse_error(response: requests.Response) -> ServiceError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    # CDM answers errCode/externalMessage, with `code` beside it only sometimes (reference §12.5)
    code = body.get("error_code") or body.get("errorCode") or body.get("errCode") or body.get("code") or ""
    message = body.get("error_msg") or body.get("errorMsg") or body.get("message") or body.get("externalMessage") or ""
    request_id = response.headers.get("X-Request-Id")
    return ServiceError(response.status_code, str(code), str(message or response.reason), request_id)


class SignedClient:
    """Requests to one API endpoint, signed, throttled and retried."""

    def __init__(
        self,
        endpoint: str,
        credentials: Credentials,
        *,
        project_id: str,
        headers: Mapping[str, str] | None = None,
        rate: float = 25.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        bucket: TokenBucket | None = None,
    ) -> None:
        where = checked_origin(endpoint)  # an endpoint whose parts parsers read differently is refused here
        self.scheme, self.host = where.scheme, where.netloc
        self.credentials = credentials
        self.project_id = project_id
        self.headers = dict(headers or {})
        self.retry = retry or RetryPolicy()
        self.session = session or gated_session()  # gate.py: the one place requests leave
        self.bucket = bucket or TokenBucket(rate)
        self.server_ms = 0  # the latest `Date` the service answered with (epoch ms), 0 if none

    def __repr__(self) -> str:
        return f"SignedClient({self.scheme}://{self.host}, {self.credentials.kind})"

    def path(self, *segments: str, version: str = "v1") -> str:
        quoted = "/".join(quote(segment, safe="") for segment in segments)
        return f"/{version}/{self.project_id}/{quoted}"

    def prepare(
        self, method: str, path: str, query: Sequence[tuple[str, Any]], body: bytes
    ) -> tuple[str, dict[str, str]]:
        """(url, headers) of a request, signed when the credentials are AK/SK."""
        headers = {"Content-Type": "application/json", "X-Project-Id": self.project_id}
        headers.update(self.headers)
        credentials = self.credentials
        if credentials.iam_token:
            headers["X-Auth-Token"] = credentials.iam_token
            request = SdkRequest(method=method, resource_path=path, query_params=list(query))
            Signer.process_request_uri(request)
            return f"{self.scheme}://{self.host}{request.uri}", headers
        if credentials.security_token:
            headers["X-Security-Token"] = credentials.security_token
        request = SdkRequest(
            method=method,
            schema=self.scheme,
            host=self.host,
            resource_path=path,
            query_params=list(query),
            header_params=headers,
            body=body,
        )
        signed = Signer(BasicCredentials(credentials.ak, credentials.sk)).sign(request)
        return f"{self.scheme}://{self.host}{signed.uri}", dict(signed.header_params)

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, Any]] = (),
        body: Any = None,
        replay_safe: bool = True,
    ) -> requests.Response:
        """Send a request; returns a 2xx response.

        Raises ServiceError for a 4xx the caller may report per object, RemoteError when the
        credentials are refused or the service stays unreachable, AmbiguousWriteError as described above.
        """
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        for attempt in range(self.retry.attempts):
            self.bucket.take()
            url, headers = self.prepare(method, path, query, data)
            try:
                response = self.session.request(method, url, headers=headers, data=data or None, timeout=TIMEOUT)
            except requests.RequestException as error:
                outcome: Exception = self.unreachable(error)
            else:
                if response.status_code < 300:
                    self.bucket.speed_up()
                    self.note_date(response)
                    return response
                outcome = self.refusal(response)
                if response.status_code == 429:
                    self.bucket.slow_down()
                    time.sleep(max(self.retry.delay(attempt), retry_after(response)))
                    continue
            if not replay_safe:
                raise AmbiguousWriteError(str(outcome))
            wait = retry_after(response) if isinstance(outcome, ServiceError) else 0.0
            time.sleep(max(self.retry.delay(attempt), wait))
        raise RemoteError(
            f"{method} {path} failed {self.retry.attempts} times; the service is unavailable "
            "or throttling; try again later",
        )

    def note_date(self, response: requests.Response) -> None:
        try:
            stamp = int(parsedate_to_datetime(response.headers["Date"]).timestamp() * 1000)
        except (KeyError, TypeError, ValueError):
            return
        self.server_ms = max(self.server_ms, stamp)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    def unreachable(self, error: requests.RequestException) -> Exception:
        """The exception for a request that got no answer: raised at once when asking again
        cannot help (no such host, nothing listening, a TLS failure), else returned to retry."""
        text = repr(error)
        if isinstance(error, requests.exceptions.SSLError):
            raise RemoteError(
                f"the TLS handshake with {self.url} failed ({_reason(error)}); check backend.endpoint, "
                "and the CA certificates (REQUESTS_CA_BUNDLE) if a proxy inspects TLS"
            )
        if isinstance(error, requests.ConnectionError):
            if any(mark in text for mark in ("NameResolutionError", "Name or service not known", "getaddrinfo")):
                raise RemoteError(
                    f"cannot resolve the host {self.host}: check backend.endpoint (and backend.region, which the "
                    "default endpoints are made from) and the machine's DNS"
                )
            if "Connection refused" in text or "Errno 111" in text or "ConnectionRefusedError" in text:
                raise RemoteError(
                    f"{self.url} refused the connection: nothing listens there; check backend.endpoint "
                    "(for the emulator: is `jobsync emulator serve` running on that port?)"
                )
        return RemoteError(f"cannot reach {self.url}: {type(error).__name__}")

    def refusal(self, response: requests.Response) -> Exception:
        """The exception for a non-2xx answer, raised at once unless it is worth a retry."""
        error = parse_error(response)
        details = {"status": response.status_code, "code": error.code, "request_id": error.request_id}
        if response.status_code == 401:
            raise RemoteError(
                f"{self.url} refused the credentials: {error.message}; check "
                "HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK (or JOBSYNC_IAM_TOKEN) and backend.project_id",
                **details,  # type: ignore[arg-type]
            )
        if response.status_code == 403:
            raise RemoteError(
                f"{self.url} accepted the credentials but refused the request: {error.message}; check that "
                "their user may use DataArts Factory in backend.project_id and backend.workspace_id",
                **details,  # type: ignore[arg-type]
            )
        if response.status_code == 404:
            raise RemoteError(
                f"{self.url} has no such API ({response.request.method} {urlsplit(response.url).path}): "
                "backend.endpoint is not a DataArts Factory endpoint (DataArts answers 400, never 404, "
                "for a missing job); check backend.endpoint and backend.region",
                **details,  # type: ignore[arg-type]
            )
        if error.code in UNKNOWN_WORKSPACE or UNKNOWN_WORKSPACE_TEXT.match(error.message):
            raise RemoteError(
                f"{self.url} does not know workspace id {self.headers.get('workspace', '?')!r}: {error.message}; "
                "check backend.workspace_id (DataArts console: Workspaces, the workspace's ID)",
                **details,  # type: ignore[arg-type]
            )
        if response.status_code not in RETRYABLE or error.code.startswith(CDM_CODE):
            raise error  # CDM answers a refused delete with 500 and its code: an answer, not an outage
        return error

    def get_json(self, path: str, query: Sequence[tuple[str, Any]] = ()) -> Any:
        return self.call("GET", path, query=query).json()

    def close(self) -> None:
        self.session.close()


def write_once(
    send: Callable[[], requests.Response | None],
    applied: Callable[[], bool],
    *,
    attempts: int = 6,
) -> None:
    """Send a request that is not replay-safe so that it takes effect at most once.

    After an ambiguous failure, `applied()` reads the service; if the change is there, stop.
    """
    retried = False
    for _ in range(attempts):
        try:
            send()
            return
        except AmbiguousWriteError:
            if applied():
                return
            retried = True
        except ServiceError:
            # e.g. "name exists" when the first, lost attempt did create the object
            if retried and applied():
                return
            raise
    raise RemoteError(f"a write failed {attempts} times in a row; the service is unavailable")
