"""The settings values that decide a plan, as types: every policy and mode is a Literal.

workspace.yaml's schema (schemas/workspace.v1.json) lists the same values; `typing.get_args`
of each alias gives them to code that must check a string (the CLI, the config loader).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DuplicateName = Literal["overwrite", "skip"]  # the console's Duplicate Name Policy
LockPolicy = Literal["soft", "hard"]  # the workspace's edit-lock policy (reference §7.4)
RunningJobs = Literal["fail", "stop-and-restart"]  # what apply does to a scheduling job
SnapshotState = Literal["develop", "submitted"]  # which state of a job a snapshot reads
BackendType = Literal["local", "dataarts"]


@dataclass(frozen=True)
class Policies:
    duplicate_name: DuplicateName = "overwrite"
    lock: LockPolicy = "soft"
    running_jobs: RunningJobs = "fail"
    prune: bool = False
