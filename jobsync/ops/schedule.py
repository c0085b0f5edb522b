"""Apply that respects the schedule: deploy windows and the quiet time before runs.

Read from the workspace, never guessed: the time is the workspace's (`Runs.now_ms`), a job's
next run its `next_plan_time`, "running" an instance whose status is running (reference §2.7).
Outside the deploy windows the plan is `closed` and apply changes nothing; a job due within
`policies.quiet_before_run`, or running, is blocked with its next run time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from jobsync.backends.base import Workspace
from jobsync.core import windows
from jobsync.core.model import Kind
from jobsync.core.plan import CHANGING, Action, Change, Plan
from jobsync.core.policies import Policies
from jobsync.core.runs import JobTiming


def _when(ms: int, time_zone: str) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=windows.zone(time_zone)).strftime(f"%Y-%m-%d %H:%M {time_zone}")


def _duration(seconds: int) -> str:
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def quiet_reason(timing: JobTiming, now_ms: int, quiet_s: int, time_zone: str) -> str | None:
    if timing.running_instance is not None:
        return f"a run is in progress (instance {timing.running_instance}); apply again after it ends"
    if timing.next_plan_ms is not None and timing.next_plan_ms - now_ms <= quiet_s * 1000:
        return (
            f"due to run at {_when(timing.next_plan_ms, time_zone)}, within quiet_before_run "
            f"({_duration(quiet_s)}); apply again after that run"
        )
    return None


def _remote_name(change: Change) -> str:
    return change.renamed_from or change.key.name


def _block(change: Change, reason: str) -> Change:
    return dataclasses.replace(change, action=Action.BLOCKED, intended=change.action, reason=reason, restart=False)


def gate(plan: Plan, workspace: Workspace, policies: Policies) -> Plan:
    """The plan with the deploy window's verdict and the quiet-time blocks; unchanged when
    neither policy is set."""
    deploy, quiet = policies.deploy_windows, policies.quiet_before_run_s
    if deploy is None and quiet is None:
        return plan
    runs = workspace.runs()
    now = runs.now_ms()
    closed = windows.closed_reason(deploy, now) if deploy is not None else None
    time_zone = deploy.time_zone if deploy is not None else "UTC"
    changes = list(plan.changes)
    if quiet is not None:
        touched = [c for c in changes if c.key.kind is Kind.JOB and c.action in CHANGING and c.before is not None]
        timing = runs.timing([_remote_name(c) for c in touched]) if touched else {}
        for index, change in enumerate(changes):
            found = timing.get(_remote_name(change)) if change in touched else None
            reason = quiet_reason(found, now, quiet, time_zone) if found is not None else None
            if reason is not None:
                changes[index] = _block(change, reason)
    return dataclasses.replace(plan, changes=tuple(changes), closed=closed)
