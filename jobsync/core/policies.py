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


@dataclass(frozen=True)
class Policies:
    duplicate_name: DuplicateName = "overwrite"
    lock: LockPolicy = "soft"
    running_jobs: RunningJobs = "fail"
    prune: bool = False
    max_deletes: int | None = None  # None: 10 objects or 20% of the workspace (core/guards.py)


@dataclass(frozen=True)
class Scheduling:
    """The schedule state jobs should have: `jobs` by name, else `default`; keep never touches one."""

    default: ScheduleState = "keep"
    jobs: Mapping[str, ScheduleState] = field(default_factory=dict)

    def target(self, job: str) -> ScheduleState:
        return self.jobs.get(job, self.default)
