"""Writing jobs as the console import does (reference §2.2, §7.1): pack the jobs into a zip
(jobsync.consolezip.pack), upload it to OBS, `POST jobs/import` with sameNamePolicy OVERWRITE,
poll the system task, and read each job's result from its subtask. The service overwrites the
development state and submits a new version, which is what apply promises.

The import POST is not replay-safe. If its answer is lost, the jobs whose latest submitted
version now equals what was sent count as written (read back with one batch export per 100
jobs, after a short settle time for the asynchronous task), and only the rest are sent again.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from obs import ObsClient

from jobsync.backends.dataarts.gate import GateError
from jobsync.backends.dataarts.http import RetryPolicy, SignedClient
from jobsync.backends.dataarts.read import export_all
from jobsync.consolezip.pack import OBS_LIMIT, pack
from jobsync.core.mergepatch import same as exact
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.rules import RULE_OF_DLF
from jobsync.core.snapshot import Failure
from jobsync.errors import AmbiguousWriteError, ArchiveError, RemoteError, ServiceError

CODE_IN_TEXT = re.compile(r"\b(DLF\.\d+)\b")
SETTLE_S = 2.0
Bodies = Mapping[str, Mapping[str, Any]]


def failure(message: str, code: str | None) -> Failure:
    """A Failure with the rule code when the DLF code names a rule, else the DLF code."""
    code = code or (CODE_IN_TEXT.search(message) or [None, None])[1]
    return Failure(message, RULE_OF_DLF.get(code or "", code))


def service_failure(error: ServiceError) -> Failure:
    return failure(error.message, error.code)


class ObsTransfer:
    """Puts import zips into one OBS bucket with esdk-obs-python."""

    def __init__(self, client: ObsClient, bucket: str, *, prefix: str = "jobsync/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.retry = RetryPolicy(attempts=5)

    def __repr__(self) -> str:
        return f"ObsTransfer(bucket={self.bucket!r})"

    def put(self, data: bytes) -> tuple[str, str]:
        """Upload; returns (key, obs:// path)."""
        key = f"{self.prefix}import-{uuid.uuid4().hex}.zip"
        status: Any = None
        for attempt in range(self.retry.attempts):
            try:
                response = self.client.putContent(self.bucket, key, content=data)
            except GateError:
                raise
            except Exception as error:  # esdk-obs raises its own and socket errors as they come
                status = f"{type(error).__name__}: {error}"
            else:
                if response.status is not None and response.status < 300:
                    return key, f"obs://{self.bucket}/{key}"
                status = f"{response.status} {response.errorCode or ''}".strip()
            time.sleep(self.retry.delay(attempt))
        raise RemoteError(
            f"cannot upload the import file to OBS bucket {self.bucket} ({status}); "
            "check backend.obs.bucket and backend.obs.endpoint"
        )

    def remove(self, key: str) -> None:
        self.client.deleteObject(self.bucket, key)  # best effort; the file is only a carrier

    def close(self) -> None:
        self.client.close()


class JobImporter:
    def __init__(self, client: SignedClient, obs: ObsTransfer | None, pool: Any, *, timeout_s: float = 600.0) -> None:
        self.client = client
        self.obs = obs
        self.pool = pool
        self.timeout_s = timeout_s

    def write(self, bodies: Sequence[Mapping[str, Any]], message: str) -> dict[str, Failure | None]:
        pending = {str(body["name"]): body for body in bodies}
        if self.obs is None:
            reason = "writing jobs imports them through OBS; set backend.obs.bucket"
            return {name: Failure(reason) for name in pending}
        results: dict[str, Failure | None] = {}
        for _ in range(self.client.retry.attempts):
            if not pending:
                break
            try:
                results.update(self.import_all(pending, message))
                return results
            except AmbiguousWriteError:
                applied = self.applied(pending)
                results.update(dict.fromkeys(applied))
                pending = {name: body for name, body in pending.items() if name not in applied}
        if pending:
            raise RemoteError("the job import failed repeatedly; the service is unavailable")
        return results

    def import_all(self, pending: Bodies, message: str) -> dict[str, Failure | None]:
        specs = [Spec(ObjectKey(Kind.JOB, name), body) for name, body in pending.items()]
        try:
            packages = pack(specs, max_bytes=OBS_LIMIT)
        except ArchiveError as error:
            return {name: Failure(str(error)) for name in pending}
        results: dict[str, Failure | None] = {}
        for package in packages:
            results.update(self.import_package(package.data, package.jobs, message))
        return results

    def import_package(self, data: bytes, names: Sequence[str], message: str) -> dict[str, Failure | None]:
        assert self.obs is not None
        key, path = self.obs.put(data)
        body = {"path": path, "sameNamePolicy": "OVERWRITE", "description": message}
        try:
            reply = self.client.call("POST", self.client.path("jobs", "import"), body=body, replay_safe=False).json()
        except ServiceError as error:
            return {name: service_failure(error) for name in names}
        task = self.wait(str(reply.get("taskId")))
        self.obs.remove(key)
        return outcomes(task, names)

    def wait(self, task_id: str) -> Mapping[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        pause = 0.02
        while True:
            task: Mapping[str, Any] = self.client.get_json(self.client.path("system-tasks", task_id))
            if task.get("status") != "RUNNING":
                return task
            if time.monotonic() > deadline:
                raise RemoteError(f"import task {task_id} still running after {self.timeout_s}s")
            time.sleep(pause)
            pause = min(1.0, pause * 1.5)

    def applied(self, pending: Bodies) -> set[str]:
        """Names whose latest submitted version equals what was sent (after settling)."""
        deadline = time.monotonic() + SETTLE_S
        while True:
            submitted = export_all(self.client, list(pending), "SUBMIT", self.pool)
            done = {name for name, body in pending.items() if same(body, submitted.get(name))}
            if len(done) == len(pending) or time.monotonic() > deadline:
                return done
            time.sleep(0.1)


def same(sent: Mapping[str, Any], found: Mapping[str, Any] | None) -> bool:
    """True when the service holds what was sent (it may add fields of its own)."""
    return found is not None and all(key in found and exact(found[key], value) for key, value in sent.items())


def outcomes(task: Mapping[str, Any], names: Sequence[str]) -> dict[str, Failure | None]:
    by_name = {str(sub.get("name")): sub for sub in task.get("subtasks") or []}
    results: dict[str, Failure | None] = {}
    for name in names:
        sub = by_name.get(name)
        if sub is None:
            results[name] = Failure(f"the import reported nothing for this job: {task.get('message')}")
        elif sub.get("status") == "SUCCESSFUL":
            results[name] = None
        else:
            results[name] = failure(str(sub.get("message")), sub.get("errorCode"))
    return results
