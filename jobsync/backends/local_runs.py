"""Runs in the local workspace: the shared simulator (backends/runs.py) over the document file.

Starting, stopping and retrying a run change the document (written atomically under its
lock, as every other change); reading an instance only reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from jobsync.backends import clock
from jobsync.backends.document import WorkspaceDocument
from jobsync.backends.instances import job_params, job_report, script_report
from jobsync.backends.runs import RunSimulator
from jobsync.core.runs import JobTiming, RunReport
from jobsync.core.snapshot import Outcome
from jobsync.errors import RuleError

T = TypeVar("T")


Change = Callable[[Sequence[str], Callable[[WorkspaceDocument, str], None]], Outcome]


class LocalRuns:
    """`current` reads the document; `change` changes it under the lock and writes it (the
    local workspace's own two steps)."""

    def __init__(self, current: Callable[[], WorkspaceDocument], change: Change) -> None:
        self.current = current
        self.change = change
        self._script_started: dict[str, int] = {}

    def _read(self, action: Callable[[RunSimulator], T]) -> T:
        return action(RunSimulator(self.current(), clock.current()))

    def _write(self, action: Callable[[RunSimulator], T]) -> T:
        result: list[T] = []
        outcome = self.change(
            ["run"], lambda document, _: result.append(action(RunSimulator(document, clock.current())))
        )
        failure = outcome["run"]
        if failure is not None:
            raise RuleError(failure.code or "INVALID", failure.message)
        return result[0]

    def now_ms(self) -> int:
        return clock.current().now_ms()

    def run_job(self, name: str, params: Mapping[str, str]) -> str:
        return str(self._write(lambda runs: runs.run_job(name, job_params(params))))

    def job_run(self, name: str, instance_id: str) -> RunReport:
        detail = self._read(lambda runs: runs.job_instance(name, instance_id))
        return job_report(name, detail)

    def stop_job_run(self, name: str, instance_id: str) -> None:
        self._write(lambda runs: runs.stop_instance(name, instance_id))

    def retry_job_run(self, name: str, instance_id: str) -> None:
        self._write(lambda runs: runs.retry_instance(name, instance_id))

    def execute_script(self, name: str, params: Mapping[str, str]) -> str:
        instance = self._write(lambda runs: runs.execute_script(name, dict(params)))
        self._script_started[instance] = self.now_ms()
        return instance

    def script_run(self, name: str, instance_id: str) -> RunReport:
        result = self._read(lambda runs: runs.script_result(name, instance_id))
        now = self.now_ms()
        return script_report(name, instance_id, result, self._script_started.get(instance_id, now), now)

    def stop_script_run(self, name: str, instance_id: str) -> None:
        self._write(lambda runs: runs.stop_script(name, instance_id))

    def timing(self, names: Sequence[str]) -> dict[str, JobTiming]:
        return self._read(lambda runs: {name: runs.timing(name) for name in names})
