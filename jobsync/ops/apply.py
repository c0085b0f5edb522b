"""Carry out a plan: variables (one replace-all call), resources, then scripts, job renames,
jobs in dependency waves, then deletes, then the schedule starts and stops.

Every step is one batch call to the workspace, and each object's outcome is kept: one object
failing stops only the objects that need it. Before anything is overwritten or deleted its
current definition is saved in the repo format under the backup folder. Re-running apply after
a failure is safe: the plan is computed again and what was applied is a no-op.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jobsync.backends import lock
from jobsync.backends.base import Workspace
from jobsync.core import cdm, paths
from jobsync.core.cdm import CdmKey, CdmKind, CdmSpec
from jobsync.core.model import CDM_KINDS, Kind, ObjectKey
from jobsync.core.plan import Action, Change, Plan
from jobsync.core.references import referenced_keys
from jobsync.core.runs import RunReport
from jobsync.core.snapshot import Failure
from jobsync.errors import JobsyncError
from jobsync.fileio import write_atomic, write_json
from jobsync.repo import cdmfiles
from jobsync.repo.files import render_files, unsafe_path_problem
from jobsync.repo.schemas import schema_dir
from jobsync.repo.variables import VARIABLES_FILE, render_variables

PAST = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.DELETE: "deleted",
    Action.START: "started",
    Action.STOP: "stopped",
    Action.RENAME: "renamed",
}
Progress = Callable[[int, int, str], None]


@dataclass
class ApplyResult:
    """What happened to each object; each list holds (change, message)."""

    applied: list[tuple[Change, str]] = field(default_factory=list)
    skipped: list[tuple[Change, str]] = field(default_factory=list)
    blocked: list[tuple[Change, str]] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    backup: Path | None = None
    packages: list[Mapping[str, Any]] = field(default_factory=list)  # enterprise mode (ops/release.py)
    verified: list[RunReport] = field(default_factory=list)  # apply --verify's runs (ops/verify.py)
    verify_fails: bool = False  # verify.on_failure is fail: a failed run fails the apply

    @property
    def ok(self) -> bool:
        failed_runs = self.verify_fails and any(not report.passed for report in self.verified)
        return not self.failed and not self.blocked and not failed_runs

    def verify_line(self) -> str:
        passed = sum(1 for report in self.verified if report.passed)
        return f"Verify: {passed} passed, {len(self.verified) - passed} failed."

    def summary_line(self) -> str:
        return (
            f"Apply: {len(self.applied)} applied, {len(self.skipped)} skipped, "
            f"{len(self.blocked)} blocked, {len(self.failed)} failed."
        )


def needs(change: Change) -> set[ObjectKey]:
    """The objects a change's new body uses."""
    if change.desired is None:
        return set()
    return referenced_keys(change.key.kind, change.desired) - {change.key}


def job_waves(changes: Sequence[Change]) -> list[list[Change]]:
    """Jobs in waves: each job comes after the jobs it depends on (dependJobs)."""
    remaining = {c.key: c for c in changes}
    waves: list[list[Change]] = []
    while remaining:
        ready = [c for c in remaining.values() if not (needs(c) & remaining.keys())]
        if not ready:  # a cycle: validate reports it; apply the rest together
            ready = list(remaining.values())
        waves.append(sorted(ready, key=lambda c: c.key.name))
        for change in ready:
            del remaining[change.key]
    return waves


def save_backup(plan: Plan, root: Path) -> Path | None:
    """Write the workspace's current body of everything apply overwrites or deletes."""
    changes = [c for c in plan.pending() if c.action in (Action.UPDATE, Action.DELETE, Action.RENAME) and c.before]
    if not changes:
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = root / plan.settings.workspace / stamp
    variables = [dict(c.before or {}) for c in changes if c.key.kind is Kind.VARIABLE]
    if variables:
        write_atomic(folder / VARIABLES_FILE, render_variables(variables))
    if not paths.inside(folder, root):
        raise JobsyncError(
            f"the backup folder {folder} leads outside {root} through a symlink; nothing was applied. "
            "Make .jobsync/backups a real folder"
        )
    for change in changes:
        if change.key.kind is Kind.VARIABLE:
            continue
        key = ObjectKey(change.key.kind, change.renamed_from) if change.renamed_from else change.key
        before = change.before or {}
        if key.kind in CDM_KINDS and not paths.segment_problem(cdm.split(key.name)[0], "cluster"):
            cdm_key = CdmKey(cdm.split(key.name)[0], cdm.of(key.kind), cdm.split(key.name)[1])
            if not paths.name_problem(cdm_key.name):  # as the repo holds it; no secret was ever read
                cdmfiles.write(folder, cdm_key, before, schema_dir=schema_dir())
                continue
        if unsafe_path_problem(key, before):
            # A name that cannot be a file name (`../x`, NUL, too long) is saved under a digest.
            digest = hashlib.sha256(key.name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            entry = {"kind": key.kind.value, "name": key.name, "body": dict(before)}
            write_json(folder / "unsafe-names" / f"{key.kind.value}-{digest}.json", entry)
            continue
        for path, data in render_files(folder, key, before, schema_dir=schema_dir()).items():
            write_atomic(path, data)
    saved = []
    for change in changes:
        item = {"kind": change.key.kind.value, "name": change.key.name, "action": change.action.value}
        if change.renamed_from:
            item["renamed_from"] = change.renamed_from
        saved.append(item)
    write_json(
        folder / "manifest.json",
        {"workspace": plan.settings.workspace, "backend": plan.settings.backend, "saved": saved},
    )
    return folder


class Applier:
    """One apply run: keeps the outcome of each object as the steps go."""

    def __init__(
        self, plan: Plan, workspace: Workspace, *, message: str, progress: Progress, result: ApplyResult | None = None
    ) -> None:
        self.plan = plan
        self.workspace = workspace
        self.message = message
        self.progress = progress
        self.result = result if result is not None else ApplyResult()
        self.broken: set[ObjectKey] = set()
        self.total = len(plan.pending())
        self.done = 0
        # Before any write: refuses naming every variable that is missing. A workspace kept in a
        # file on this machine (the local backend) is never sent a secret: it would land on disk.
        self.secrets = cdm_bodies(plan, os.environ) if workspace.state_path() is None else {}

    def _report(self, change: Change, failure: Failure | None) -> None:
        self.done += 1
        if failure is None:
            text = f"{PAST[change.action]} {change.key}"
            self.result.applied.append((change, text))
        else:
            self.broken.add(change.key)
            target = self.result.blocked if failure.blocked else self.result.failed
            text = f"{'blocked' if failure.blocked else 'failed'}: {change.key}: {failure.message}"
            target.append((change, failure.message))
        self.progress(self.done, self.total, text)

    def _ready(self, changes: Iterable[Change]) -> list[Change]:
        ready = []
        for change in changes:
            waiting = sorted(str(k) for k in needs(change) & self.broken)
            if waiting:
                self.broken.add(change.key)
                self.done += 1
                reason = f"not applied: it needs {', '.join(waiting)}, which did not apply"
                self.result.skipped.append((change, reason))
                self.progress(self.done, self.total, f"skipped {change.key}: {reason}")
            else:
                ready.append(change)
        return ready

    def _scheduling(self, changes: Sequence[Change], running: bool) -> dict[str, Failure | None]:
        """Start or stop jobs' schedules; for CDM jobs, stop their runs (never start one)."""
        user = self.plan.settings.user
        runs = [c.key.name for c in changes if c.key.kind is Kind.CDM_JOB]
        names = [c.key.name for c in changes if c.key.kind is not Kind.CDM_JOB]
        stops = runs if not running else []
        if not names and not stops:
            return {}
        lock.ensure_held(f"{'starting' if running else 'stopping'} {len(names) + len(stops)} job(s)")
        found = dict(self.workspace.set_scheduling(names, running, user=user)) if names else {}
        if stops:
            found.update(self.workspace.stop_cdm(stops, user=user))
        return found

    def _after_write(self, written: Sequence[Change]) -> None:
        """Start what stop-and-restart stopped (unless scheduling says stopped), and start or
        stop what workspace.yaml `scheduling` asks for; a failure is reported, not raised."""
        written = [c for c in written if c.key.kind is not Kind.CDM_JOB]  # a CDM run is not restarted
        start = [c for c in written if (c.restart and c.schedule != "stop") or c.schedule == "start"]
        stop = [c for c in written if c.schedule == "stop" and not c.restart]
        for changes, running in ((start, True), (stop, False)):
            for name, failure in self._scheduling(changes, running).items():
                if failure is not None:
                    change = next(c for c in changes if c.key.name == name)
                    verb = "start" if running else "stop"
                    self.result.failed.append((change, f"written, but could not {verb} it: {failure.message}"))

    def variables(self, changes: Sequence[Change]) -> None:
        """One PUT of the complete set: the workspace's variables now, with the plan's changes."""
        if not changes:
            return
        current = {str(v["name"]): dict(v) for v in self.workspace.read_variables()}
        for change in changes:
            if change.action is Action.DELETE:
                current.pop(change.key.name, None)
            else:
                current[change.key.name] = dict(change.desired or {})
        lock.ensure_held("writing the variables")
        failure = self.workspace.put_variables(list(current.values()), user=self.plan.settings.user)
        for change in changes:
            self._report(change, failure)

    def schedule_only(self, changes: Sequence[Change]) -> None:
        for action, running in ((Action.START, True), (Action.STOP, False)):
            chosen = [c for c in changes if c.action is action]
            outcome = self._scheduling(chosen, running)
            for change in chosen:
                self._report(change, outcome.get(change.key.name))

    def write(self, kind: Kind, changes: Sequence[Change]) -> None:
        ready = self._ready(changes)
        if not ready:
            return
        stopped = self._scheduling([c for c in ready if c.restart], running=False)
        writable = [c for c in ready if stopped.get(c.key.name) is None]
        for change in ready:
            if stopped.get(change.key.name) is not None:
                self._report(change, stopped[change.key.name])
        if writable:
            lock.ensure_held(f"writing {len(writable)} {kind.value}(s)")
        outcome = (
            self.workspace.write(
                kind,
                [self.sent(c) for c in writable],
                user=self.plan.settings.user,
                message=self.message,
            )
            if writable
            else {}
        )
        for change in writable:
            self._report(change, outcome.get(change.key.name))
        self._after_write([c for c in writable if outcome.get(c.key.name) is None])

    def sent(self, change: Change) -> Mapping[str, Any]:
        """The body a write sends: the plan's, but for a CDM object its secrets resolved and its
        name `<cluster>/<name>` (the Workspace protocol's CDM names, core/cdm.py)."""
        if change.key.kind not in CDM_KINDS:
            return change.desired or {}
        return {**self.secrets.get(change.key, change.desired or {}), "name": change.key.name}

    def rename(self, changes: Sequence[Change]) -> list[Change]:
        """Rename jobs (stopped first when scheduling); returns the renamed jobs whose body
        also changed, for the waves to write. A rename without a body change submits no version."""
        ready = self._ready(changes)
        if not ready:
            return []
        user = self.plan.settings.user
        lock.ensure_held(f"renaming {len(ready)} job(s)")
        stop = [c.renamed_from or "" for c in ready if c.restart]
        stopped = dict(self.workspace.set_scheduling(stop, False, user=user)) if stop else {}
        movable = [c for c in ready if stopped.get(c.renamed_from or "") is None]
        for change in ready:
            if stopped.get(change.renamed_from or "") is not None:
                self._report(change, stopped[change.renamed_from or ""])
        outcome = self.workspace.rename(Kind.JOB, {c.renamed_from or "": c.key.name for c in movable}, user=user)
        rewrite = []
        for change in movable:
            failure = outcome.get(change.key.name)
            if failure is None and change.diff:
                rewrite.append(change)  # reported when the waves write it
            else:
                self._report(change, failure)
        self._after_write([c for c in movable if not c.diff and outcome.get(c.key.name) is None])
        return rewrite

    def delete(self, kind: Kind, changes: Sequence[Change]) -> None:
        if not changes:
            return
        stopped = self._scheduling([c for c in changes if c.restart], running=False)
        deletable = [c for c in changes if stopped.get(c.key.name) is None]
        lock.ensure_held(f"deleting {len(deletable)} {kind.value}(s)")
        outcome = self.workspace.delete(kind, [c.key.name for c in deletable], user=self.plan.settings.user)
        for change in changes:
            failure = stopped.get(change.key.name) or outcome.get(change.key.name)
            self._report(change, failure)

    def run(self) -> ApplyResult:
        pending = self.plan.pending()
        self.variables([c for c in pending if c.key.kind is Kind.VARIABLE])
        writes = (Action.CREATE, Action.UPDATE, Action.RENAME)
        by = {kind: [c for c in pending if c.key.kind is kind and c.action in writes] for kind in Kind}
        for kind in (Kind.RESOURCE, Kind.SCRIPT, *CDM_KINDS):  # CDM before the jobs that call it
            self.write(kind, by[kind])
        renames = [c for c in by[Kind.JOB] if c.action is Action.RENAME]
        jobs = [c for c in by[Kind.JOB] if c.action is not Action.RENAME] + self.rename(renames)
        for wave in job_waves(jobs):
            self.write(Kind.JOB, wave)
        for kind in (Kind.JOB, Kind.CDM_JOB, Kind.CDM_LINK, Kind.SCRIPT, Kind.RESOURCE):
            self.delete(kind, [c for c in pending if c.key.kind is kind and c.action is Action.DELETE])
        self.schedule_only([c for c in pending if c.action in (Action.START, Action.STOP)])
        return record_unapplied(self.plan, self.result)


def record_unapplied(plan: Plan, result: ApplyResult) -> ApplyResult:
    """Add the plan's blocked and skipped changes to `result`, with their reasons."""
    for change in plan.changes:
        if change.action is Action.BLOCKED:
            result.blocked.append((change, change.reason))
        elif change.action is Action.SKIP:
            result.skipped.append((change, change.reason))
    return result


def apply_plan(
    plan: Plan,
    workspace: Workspace,
    *,
    message: str,
    backup_root: Path,
    progress: Progress = lambda *_: None,
    result: ApplyResult | None = None,
) -> ApplyResult:
    """Carry out `plan`. Pass `result` to see the outcome so far if the run is interrupted."""
    result = result if result is not None else ApplyResult()
    applier = Applier(plan, workspace, message=message, progress=progress, result=result)
    result.backup = save_backup(plan, backup_root)
    applier.run()
    return result


def cdm_bodies(plan: Plan, environ: Mapping[str, str]) -> dict[ObjectKey, dict[str, Any]]:
    """The CDM links the plan writes, each secret reference replaced by its environment
    variable's value; MissingSecretError (naming every variable) when one is not set, before
    anything is written. The values live in memory only: never in the plan, backups or logs."""
    writes = (Action.CREATE, Action.UPDATE)
    links = [
        CdmSpec(CdmKey(cdm.split(c.key.name)[0], CdmKind.LINK, cdm.split(c.key.name)[1]), dict(c.desired or {}))
        for c in plan.pending()
        if c.key.kind is Kind.CDM_LINK and c.action in writes
    ]
    resolved = cdm.resolve_secrets(links, environ)
    return {ObjectKey(Kind.CDM_LINK, cdm.qualified(key.cluster, key.name)): body for key, body in resolved.items()}


def interrupted_message(plan: Plan, result: ApplyResult) -> str:
    """What an interrupted apply had done, and what may still be happening on the service."""
    done = {change.key for change, _ in (*result.applied, *result.failed, *result.blocked, *result.skipped)}
    pending = [c for c in plan.pending() if c.key not in done]
    lines = [f"interrupted: {len(result.applied)} of {len(plan.pending())} change(s) were applied"]
    lines += [f"  applied {change.key}" for change, _ in result.applied[:20]]
    if pending:
        lines.append(
            f"{len(pending)} change(s) had not finished; a write already sent (a job import) goes on in the "
            "workspace even though jobsync stopped waiting, so some of them may still be applied:"
        )
        lines += [f"  {c.action.value} {c.key}" for c in pending[:20]]
    if result.backup:
        lines.append(f"the previous definitions are saved under {result.backup}")
    lines.append(f"run `jobsync plan -w {plan.settings.workspace}` to see where the workspace is now")
    return "\n".join(lines)


def result_to_document(result: ApplyResult) -> dict[str, object]:
    def rows(items: list[tuple[Change, str]]) -> list[dict[str, str]]:
        return [
            {"kind": c.key.kind.value, "name": c.key.name, "action": c.action.value, "message": m} for c, m in items
        ]

    document: dict[str, object] = {
        "applied": rows(result.applied),
        "skipped": rows(result.skipped),
        "blocked": rows(result.blocked),
        "failed": rows(result.failed),
        "backup": str(result.backup) if result.backup else None,
    }
    if result.packages:
        document["packages"] = list(result.packages)
    if result.verified:
        document["verify"] = [report.to_dict() for report in result.verified]
    return document
