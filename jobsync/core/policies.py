"""The settings values that decide a plan, as types: every policy and mode is a Literal.

workspace.yaml's schema (schemas/workspace.v1.json) lists the same values; `typing.get_args`
of each alias gives them to code that must check a string (the CLI, the config loader).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

DuplicateName = Literal["overwrite", "skip"]  # the console's Duplicate Name Policy
LockPolicy = Literal["soft", "hard"]  # the workspace's edit-lock policy (reference §7.4)
RunningJobs = Literal["fail", "stop-and-restart"]  # what apply does to a scheduling job
SnapshotState = Literal["develop", "submitted"]  # which state of a job a snapshot reads
BackendType = Literal["local", "dataarts"]
ScheduleState = Literal["keep", "running", "stopped"]  # workspace.yaml `scheduling`
OnFailure = Literal["report", "fail"]  # workspace.yaml `verify.on_failure`
PRODUCTION_NAMES = frozenset({"prod", "production", "prd"})  # runs are off there unless policies.verify


@dataclass(frozen=True)
class DeployWindows:
    """policies.deploy_windows: when apply may change the workspace (core/windows.py reads them)."""

    time_zone: str = "UTC"
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policies:
    duplicate_name: DuplicateName = "overwrite"
    lock: LockPolicy = "soft"
    running_jobs: RunningJobs = "fail"
    prune: bool = False
    max_deletes: int | None = None  # None: 10 objects or 20% of the workspace (core/guards.py)
    verify: bool | None = None  # may apply run jobs to verify them; None: not in a production-named workspace
    deploy_windows: DeployWindows | None = None
    quiet_before_run_s: int | None = None  # a job due within this many seconds, or running, is blocked

    def runs_allowed(self, workspace: str) -> bool:
        return self.verify if self.verify is not None else workspace.lower() not in PRODUCTION_NAMES


@dataclass(frozen=True)
class Scheduling:
    """The schedule state jobs should have: `jobs` by name, else `default`; keep never touches one."""

    default: ScheduleState = "keep"
    jobs: Mapping[str, ScheduleState] = field(default_factory=dict)

    def target(self, job: str) -> ScheduleState:
        return self.jobs.get(job, self.default)


@dataclass(frozen=True)
class VerifySettings:
    """workspace.yaml `verify`: which jobs and scripts apply runs once after applying, with what
    parameters, how long it waits, and whether a failed run fails the apply."""

    jobs: str | tuple[str, ...] = "changed"  # "changed" or names
    params: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    timeout_s: float = 600.0
    on_failure: OnFailure = "report"
    stop_after: bool = True
