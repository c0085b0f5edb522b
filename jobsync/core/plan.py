"""The plan as data: what apply would do to each object, and why (planner.py computes it)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from jobsync.core.diff import FieldChange
from jobsync.core.impact import JobImpact
from jobsync.core.model import ObjectKey
from jobsync.core.normalize import normal_directory
from jobsync.core.policies import Policies, Scheduling
from jobsync.core.teamrules import Checked


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    SKIP = "skip"
    NOOP = "noop"
    DELETE = "delete"
    UNMANAGED = "unmanaged"
    BLOCKED = "blocked"
    START = "start"  # only the schedule changes: start it (workspace.yaml `scheduling`)
    STOP = "stop"
    RENAME = "rename"  # format_version 1.1: keeps the job's versions and run history


CHANGING = (Action.CREATE, Action.UPDATE, Action.DELETE, Action.START, Action.STOP, Action.RENAME)
ScheduleAction = Literal["start", "stop"]


@dataclass(frozen=True)
class Change:
    """What apply does to one object.

    Apply reads `key`, `action`, `desired` (the body to write, mappings applied; None for
    DELETE), `restart` (stop the job's schedule before, start it after) and `schedule` (start
    or stop the job after writing it, for workspace.yaml `scheduling`). A RENAME changes the
    name `renamed_from` to `key.name`, then writes `desired` if `diff` is not empty. `intended` is the
    action a BLOCKED change would have had. The fingerprints let a saved plan be checked
    against the workspace and the repo before apply. `reason`, `diff` and `warnings` are for
    display only; `before` is the workspace's body, kept for backups.
    """

    key: ObjectKey
    action: Action
    reason: str = ""
    diff: tuple[FieldChange, ...] = ()
    desired: Mapping[str, Any] | None = None
    before: Mapping[str, Any] | None = None
    intended: Action | None = None
    warnings: tuple[str, ...] = ()
    restart: bool = False
    schedule: ScheduleAction | None = None
    before_fingerprint: str | None = None
    after_fingerprint: str | None = None
    renamed_from: str | None = None

    @property
    def directory(self) -> str:
        body = self.desired if self.desired is not None else self.before or {}
        return normal_directory(body.get("directory"))


@dataclass(frozen=True)
class PlanSettings:
    """Everything besides the two states that decides a plan."""

    workspace: str
    user: str
    policies: Policies = field(default_factory=Policies)
    backend: str = ""
    mappings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    scheduling: Scheduling = field(default_factory=Scheduling)
    source: Source | None = None
    # The local backend's workspace.yaml (repo-relative): where a missing connection, queue,
    # stream or graph is declared (`local:`). None on a backend whose console makes them.
    declare_in: str | None = None


@dataclass(frozen=True)
class Source:
    """Where a workspace's definitions come from (workspace.yaml `source`), as resolved."""

    workspace: str
    ref: str | None  # None: the working tree
    commit: str | None = None  # the commit `ref` resolved to

    def __str__(self) -> str:
        if self.ref is None:
            return f"{self.workspace} @ working tree"
        return f"{self.workspace} @ {self.ref} ({(self.commit or '?')[:7]})"


@dataclass(frozen=True)
class Plan:
    """The changes for one workspace, sorted by kind (apply order) then name.

    `release` is set for an enterprise-mode workspace (ops/release.py): what apply will
    bundle into release packages and who must release them.
    """

    settings: PlanSettings
    changes: tuple[Change, ...]
    repo_commit: str | None = None
    repo_dirty: bool = False
    selection: tuple[str, ...] | None = None  # objects --job/--changed-since chose ("job etl"); None: all
    release: Mapping[str, Any] | None = None
    impact: Mapping[str, JobImpact] = field(default_factory=dict)  # changed job -> its neighbours
    # What apply runs once after applying (ops/verify.py): {"runs": ["job a", ...], "on_failure",
    # "forbidden": why not, or None}; None when apply does not verify.
    verify: Mapping[str, Any] | None = None
    closed: str | None = None  # outside the deploy windows: why apply changes nothing (core/windows.py)
    checks: Checked | None = None  # policies.yaml and the scheduler checks; None: the repo has no policies file

    @property
    def summary(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(change.action in CHANGING for change in self.changes)

    @property
    def blocked(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is Action.BLOCKED)

    def pending(self) -> tuple[Change, ...]:
        """Changes apply will carry out."""
        return tuple(c for c in self.changes if c.action in CHANGING)
