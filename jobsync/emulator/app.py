"""The emulator as a WSGI app: API routing, auth, faults, error bodies, and the OBS endpoint.

A request whose path starts with `/<version>/<project_id>/` is an API call; any other path is
an OBS path-style bucket request (so one address serves both, as workspace.yaml's example
endpoints show). API calls are authenticated, throttled, may fail on purpose, then run under
the state lock; what a request changed is persisted when the emulator has a state file
(emulator/journal.py).
"""

from __future__ import annotations

import collections
import threading
import uuid
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

from jobsync.backends import clock
from jobsync.emulator import bucket, enterprise, iam, routes
from jobsync.emulator.auth import authenticate
from jobsync.emulator.faults import Faults, Options
from jobsync.emulator.http import NO_WORKSPACE, ApiError, Call, Reply, error_reply
from jobsync.emulator.paging import ROW
from jobsync.emulator.state import DEFAULT_WORKSPACE, EmulatorState

API_VERSIONS = ("v1", "v1.0", "v1.1", "v2")  # v1.1: CDM (reference §12.1)
REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
StartResponse = Callable[..., Any]


def not_found() -> ApiError:
    return ApiError("APIGW.0101", "The API does not exist or has not been published", status=404)


def read_headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def read_body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length > 0 else b""


class EmulatorApp:
    """The WSGI callable. `state`, `faults` and `offset_mode` may be changed while serving."""

    def __init__(self, state: EmulatorState, options: Options | None = None) -> None:
        self.state = state
        self.faults = Faults(options or Options())
        self.offset_mode = ROW
        self.request_counts: collections.Counter[str] = collections.Counter()
        self._count_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            reply = self.handle(environ)
        except Exception as error:  # every answer has the API's JSON error shape, a bug's too
            reply = error_reply(ApiError("DLF.0000", f"emulator error: {type(error).__name__}: {error}", status=500))
        if reply.drop:
            environ["jobsync.drop"] = True
        status = f"{reply.status} {REASONS.get(reply.status, 'Status')}"
        # The service's time is the clock in use (backends/clock.py): a test's clock moves it.
        stamp = formatdate(clock.current().now_ms() / 1000, usegmt=True)
        headers = {"X-Request-Id": uuid.uuid4().hex, "Date": stamp, **reply.headers}
        headers["Content-Length"] = str(len(reply.body))
        start_response(status, list(headers.items()))
        return [reply.body]

    def count(self, label: str) -> None:
        with self._count_lock:
            self.request_counts[label] += 1

    def handle(self, environ: dict[str, Any]) -> Reply:
        method = str(environ["REQUEST_METHOD"]).upper()
        path = str(environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", "replace")
        headers, body = read_headers(environ), read_body(environ)
        self.faults.delay()
        parts = path.lstrip("/").split("/", 2)
        if path.startswith("/v3.0/"):
            self.count(f"{method} iam")
            try:
                return iam.handle(self.state, method, path, headers, body)
            except ApiError as error:
                return error_reply(error)
        if len(parts) == 3 and parts[0] in API_VERSIONS and parts[1] != self.state.project_id:
            # an API path with another project: the gateway's JSON error, never an OBS XML one
            return error_reply(
                ApiError("APIGW.0302", f"project {parts[1]} does not match the credentials' project", status=403)
            )
        if len(parts) == 3 and parts[0] in API_VERSIONS:
            query = parse_qsl(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True)
            try:
                return self.api(method, path, f"{parts[0]}/{parts[2]}", query, headers, body)
            except ApiError as error:
                return error_reply(error)
        self.count(f"{method} obs")
        return bucket.handle(self.state, method, path, headers.get("authorization", ""), body)

    def api(
        self,
        method: str,
        path: str,
        relative: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Reply:
        user = authenticate(self.state, method, path, query, headers, body)
        found = routes.resolve(method, relative.rstrip("/"))
        if found is None:
            raise not_found()
        label, handler, parts = found
        self.count(label)
        self.faults.admit(user)
        failure = self.faults.failure()
        if failure in (500, 503):
            raise ApiError(
                "DLF.0000" if failure == 500 else "APIGW.0201",
                "injected failure",
                status=int(failure),
            )
        call = Call(method, path, dict(query), headers, body, user)
        reply = self.run(call, handler, parts, label)
        reply.drop = failure == "drop"
        return reply

    def run(self, call: Call, handler: routes.Handler, parts: tuple[str, ...], label: str = "") -> Reply:
        with self.state.lock:
            call.workspace_id = call.headers.get("workspace") or DEFAULT_WORKSPACE
            call.document = self.state.document(call.workspace_id)
            if call.document is None and "workspace" in call.headers:
                raise ApiError(NO_WORKSPACE, f"workspace {call.workspace_id} does not exist")
            if label:
                enterprise.route(self.state, call, label)  # environment and role (enterprise mode)
            reply = routes.run(self, handler, call, parts)
        if call.method != "GET":
            self.state.persist()  # only what changed, written after the lock is released
        return reply
