"""A run of a job or a script as jobsync reports it: the instance, its status, its nodes.

Statuses are the service's (reference §2.7, instance list and detail): an instance is
waiting, running, success, fail, manual-stop, ...; a node instance waiting, running, success,
fail, skip, pause or manual-stop. A script run is LAUNCHING, RUNNING, FINISHED or FAILED
(reference §2.7, script result); `RunReport` maps both onto one reading: finished or not,
passed or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JOB_PASSED = frozenset({"success", "forceSuccess", "ignoreSuccess"})
JOB_FINAL = JOB_PASSED | frozenset({"fail", "manual-stop", "running-exception", "skip-by-depend", "freeze"})
SCRIPT_PASSED = frozenset({"FINISHED"})
SCRIPT_FINAL = SCRIPT_PASSED | frozenset({"FAILED"})
TIMEOUT = "timeout"  # jobsync's own status: the run did not end within verify.timeout


@dataclass(frozen=True, slots=True)
class NodeRun:
    name: str
    status: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class RunReport:
    """One run: `kind` job | script, the object's name, the instance id the service gave."""

    kind: str
    name: str
    instance_id: str
    status: str
    started_ms: int | None = None
    ended_ms: int | None = None
    nodes: tuple[NodeRun, ...] = ()
    message: str = ""
    stopped_after: bool = field(default=False, compare=False)  # its schedule stopped again after the check

    @property
    def finished(self) -> bool:
        return self.status in (SCRIPT_FINAL if self.kind == "script" else JOB_FINAL) or self.status == TIMEOUT

    @property
    def passed(self) -> bool:
        return self.status in (SCRIPT_PASSED if self.kind == "script" else JOB_PASSED)

    @property
    def failed_node(self) -> NodeRun | None:
        return next((node for node in self.nodes if node.status == "fail"), None)

    @property
    def duration_s(self) -> float | None:
        if self.started_ms is None or self.ended_ms is None:
            return None
        return round((self.ended_ms - self.started_ms) / 1000, 1)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed_node
        return {
            "kind": self.kind,
            "name": self.name,
            "instance_id": self.instance_id,
            "status": self.status,
            "passed": self.passed,
            "duration_s": self.duration_s,
            "failed_node": failed.name if failed else None,
            "message": (failed.message if failed and failed.message else self.message) or None,
        }


@dataclass(frozen=True, slots=True)
class JobTiming:
    """When a job runs next by its schedule (`next_plan_time`, epoch ms; None if not scheduled)
    and the instance running now, if any."""

    name: str
    next_plan_ms: int | None
    running_instance: str | None = None
