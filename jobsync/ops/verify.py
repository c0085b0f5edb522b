"""Verify: after apply, run each verified job once (scripts: execute), wait for the runs, and
report how each ended: instance id, status, duration, the failed node and its message.

What runs is workspace.yaml's `verify.jobs`: `changed` (the jobs and scripts apply writes) or
names. Runs never start in a workspace whose policies forbid them (`policies.verify`; off by
default in a workspace named prod, production or prd). Time is the clock in use
(backends/clock.py), so a test's clock drives the waiting without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jobsync.backends import clock
from jobsync.backends.base import Runs
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, Plan
from jobsync.core.policies import Policies, VerifySettings
from jobsync.core.runs import TIMEOUT, RunReport
from jobsync.errors import JobsyncError

POLL_S = 1.0
PROGRESS_EVERY = 15  # polls: a progress line at least every 15 s, and whenever a run ends
WRITING = (Action.CREATE, Action.UPDATE, Action.RENAME)
RUNNABLE = (Kind.JOB, Kind.SCRIPT)


def forbidden(policies: Policies, workspace: str) -> str | None:
    if policies.runs_allowed(workspace):
        return None
    if policies.verify is False:
        return f"policies.verify is false in workspace {workspace}"
    return f"workspace {workspace} is production: runs are off unless policies.verify is true"


def targets(plan: Plan, settings: VerifySettings, desired: Mapping[ObjectKey, Spec]) -> list[ObjectKey]:
    """The jobs and scripts to run, in apply's order (scripts first, then jobs, by name)."""
    if settings.jobs == "changed":
        keys = {c.key for c in plan.changes if c.key.kind in RUNNABLE and c.action in WRITING}
    else:
        keys = set()
        for name in settings.jobs:
            job, script = ObjectKey(Kind.JOB, name), ObjectKey(Kind.SCRIPT, name)
            keys.add(job if job in desired or script not in desired else script)
    keys = {key for key in keys if not _real_time(desired.get(key))}
    return sorted(keys, key=lambda key: (key.kind is Kind.JOB, key.name))


def _real_time(spec: Spec | None) -> bool:
    """A real-time job streams and never ends: run once is for batch jobs only (DLF.0136)."""
    return spec is not None and spec.kind is Kind.JOB and spec.peek().get("processType") == "REAL_TIME"


def plan_section(
    plan: Plan, settings: VerifySettings, desired: Mapping[ObjectKey, Spec], policies: Policies
) -> dict[str, Any]:
    """The plan's `verify` section: what apply will run, or why it runs nothing."""
    reason = forbidden(policies, plan.settings.workspace)
    runs = [] if reason else [f"{key.kind.value} {key.name}" for key in targets(plan, settings, desired)]
    return {"runs": runs, "on_failure": settings.on_failure, "forbidden": reason}


Started = list[tuple[ObjectKey, "str | RunReport"]]  # an instance id, or why the run did not start


def run_checks(
    runs: Runs,
    keys: Sequence[ObjectKey],
    settings: VerifySettings,
    say: Callable[[str], None],
) -> list[RunReport]:
    """Start every run, then wait for all of them (up to the timeout) with a progress line."""
    started = _start(runs, keys, settings, say)
    reports: dict[ObjectKey, RunReport] = {key: run for key, run in started if isinstance(run, RunReport)}
    tick = clock.current()
    deadline = tick.now_ms() + int(settings.timeout_s * 1000)
    shown, polls = -1, 0
    while True:
        for key, instance in started:
            if key not in reports and isinstance(instance, str):
                report = _read(runs, key, instance)
                if report.finished or report.status == "not read":
                    reports[key] = report
        waiting = [key for key, _ in started if key not in reports]
        if len(reports) != shown or polls % PROGRESS_EVERY == 0 or not waiting:
            more = f", waiting for {_names(waiting)}" if waiting else ""
            say(f"verify: {len(reports)}/{len(started)} finished{more}")
            shown = len(reports)
        polls += 1
        if waiting and tick.now_ms() >= deadline:
            reports.update(
                (key, _time_out(runs, key, str(instance), settings)) for key, instance in started if key in waiting
            )
        if not waiting or tick.now_ms() >= deadline:
            break
        tick.sleep(POLL_S)
    return [reports[key] for key, _ in started]


def _start(runs: Runs, keys: Sequence[ObjectKey], settings: VerifySettings, say: Callable[[str], None]) -> Started:
    started: Started = []
    for key in keys:
        params = settings.params.get(key.name, {})
        try:
            if key.kind is Kind.SCRIPT:
                started.append((key, runs.execute_script(key.name, params)))
            else:
                started.append((key, runs.run_job(key.name, params)))
        except JobsyncError as error:
            started.append((key, RunReport(key.kind.value, key.name, "", "not started", message=str(error))))
        say(f"verify: started {key.kind.value} {key.name}")
    return started


def _names(keys: Sequence[ObjectKey]) -> str:
    shown = ", ".join(key.name for key in keys[:3])
    return shown + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")


def _read(runs: Runs, key: ObjectKey, instance: str) -> RunReport:
    try:
        if key.kind is Kind.SCRIPT:
            return runs.script_run(key.name, instance)
        return runs.job_run(key.name, instance)
    except JobsyncError as error:
        return RunReport(key.kind.value, key.name, instance, "not read", message=str(error))


def _time_out(runs: Runs, key: ObjectKey, instance: str, settings: VerifySettings) -> RunReport:
    message = f"still running after {settings.timeout_s:g}s (verify.timeout)"
    if settings.stop_after:
        try:
            if key.kind is Kind.SCRIPT:
                runs.stop_script_run(key.name, instance)
            else:
                runs.stop_job_run(key.name, instance)
            message += "; stopped"
        except JobsyncError as error:
            message += f"; stopping it failed: {error}"
    return RunReport(key.kind.value, key.name, instance, TIMEOUT, message=message)


def failed(reports: Sequence[RunReport]) -> list[RunReport]:
    return [report for report in reports if not report.passed]
