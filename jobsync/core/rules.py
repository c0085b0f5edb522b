"""The workspace rules, checked at plan time: which changes apply may not make, and why.

Each rule is a small function returning the reasons it blocks a change (empty when it
allows it). They are the console import's rules (reference §7.1, §7.4) plus the references a
job needs: data connections, DLI queues, DIS streams and GES graphs (after mappings), the
scripts its nodes run, and the jobs it depends on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, Change, PlanSettings
from jobsync.core.references import JOBS, MAPPED, SCRIPTS, invert, referenced_keys, references
from jobsync.core.snapshot import SCHEDULING, Environment, RemoteObject, Snapshot

CATEGORY_NOUN = {
    "connections": "data connection",
    "dli_queues": "DLI queue",
    "dis_streams": "DIS stream",
    "ges_graphs": "GES graph",
}


def _lock_policy(environment: Environment, settings: PlanSettings) -> str:
    return environment.lock_policy or settings.policies.lock


def lock_rule(
    change: Change, remote: RemoteObject | None, environment: Environment, settings: PlanSettings
) -> tuple[list[str], list[str]]:
    """(reasons to block, warnings) for the edit lock another user may hold."""
    holder = remote.locked_by if remote else None
    if not holder or holder == settings.user:
        return [], []
    if _lock_policy(environment, settings) == "hard":
        if settings.user in environment.admins:
            return [], [f"takes the edit lock from {holder} as a workspace admin (hard lock policy)"]
        return [
            f"locked by {holder} under the hard lock policy; {holder} must unlock it, or a workspace admin must apply"
        ], []
    return [], [f"takes the edit lock from {holder} (soft lock policy)"]


def running_rule(
    change: Change, remote: RemoteObject | None, settings: PlanSettings
) -> tuple[list[str], list[str], bool]:
    """(reasons, warnings, restart) for a job that is scheduling."""
    if remote is None or remote.status != SCHEDULING:
        return [], [], False
    if settings.policies.running_jobs == "stop-and-restart":
        verb = "deletes it" if change.action is Action.DELETE else "submits the new version"
        again = "" if change.action is Action.DELETE else " and starts it again"
        return [], [f"job is scheduling: apply stops it, {verb}{again}"], True
    return (
        [
            "job is scheduling and policies.running_jobs is fail; stop it in the console, "
            "or set running_jobs: stop-and-restart"
        ],
        [],
        False,
    )


def tag_rule(change: Change, remote: RemoteObject | None, environment: Environment) -> list[str]:
    if environment.locked_tags is None or change.action is Action.DELETE:
        return []
    tags = set(remote.tags if remote else ())
    basic = (change.desired or {}).get("basicConfig")
    declared = basic.get("tags") if isinstance(basic, dict) else None
    if isinstance(declared, list):
        tags.update(map(str, declared))
    locked = sorted(tags & environment.locked_tags)
    if not locked:
        return []
    return [f"carries the locked tag {', '.join(locked)}; unlock the tag in the console first"]


def reference_rule(change: Change, environment: Environment, settings: PlanSettings) -> list[str]:
    """Connections, queues, streams and graphs the mapped body names must exist."""
    found = references(change.key.kind, change.desired or {})
    back = invert(settings.mappings)
    reasons = []
    for category in MAPPED:
        known = getattr(environment, category)
        if known is None:
            continue
        for name in sorted(found.get(category, set()) - known):
            source = back.get(category, {}).get(name)
            mapped = f" (mapped from {source!r})" if source else ""
            reasons.append(
                f"refers to {CATEGORY_NOUN[category]} {name!r}{mapped}, which does not exist "
                f"in this workspace; create it, or map it under mappings.{category}"
            )
    return reasons


def _uses(change: Change) -> dict[str, set[str]]:
    return references(change.key.kind, change.desired or {}) if change.desired else {}


def dependency_rule(change: Change, exists: set[ObjectKey], creating: set[ObjectKey]) -> list[str]:
    """Scripts the job runs and jobs it depends on must exist or be created by this apply."""
    if change.key.kind is not Kind.JOB or change.action is Action.DELETE:
        return []
    uses = _uses(change)
    reasons = []
    for name in sorted(uses.get(SCRIPTS, ())):
        key = ObjectKey(Kind.SCRIPT, name)
        if key not in exists and key not in creating:
            reasons.append(f"runs script {name!r}, which is neither in the repo nor in the workspace")
    for name in sorted(uses.get(JOBS, ())):
        key = ObjectKey(Kind.JOB, name)
        if key not in exists and key not in creating:
            reasons.append(
                f"depends on job {name!r} (schedule.cron.dependJobs), which neither exists nor is being created"
            )
    return reasons


def _block(change: Change, reasons: list[str]) -> Change:
    return dataclasses.replace(
        change,
        action=Action.BLOCKED,
        intended=change.action,
        reason="; ".join(reasons),
        restart=False,
    )


def _check(
    change: Change, snapshot: Snapshot, settings: PlanSettings, exists: set[ObjectKey], creating: set[ObjectKey]
) -> Change:
    remote = snapshot.objects.get(change.key)
    environment = snapshot.environment
    reasons, warnings = lock_rule(change, remote, environment, settings)
    restart = False
    if change.key.kind is Kind.JOB:
        running, more, restart = running_rule(change, remote, settings)
        reasons += running + tag_rule(change, remote, environment)
        warnings += more
    if change.action is not Action.DELETE:
        reasons += reference_rule(change, environment, settings)
        reasons += dependency_rule(change, exists, creating)
    if reasons:
        return _block(change, reasons)
    return dataclasses.replace(change, warnings=tuple(warnings), restart=restart)


def _still_used(desired: Mapping[ObjectKey, Spec]) -> dict[ObjectKey, list[str]]:
    """Objects a desired job uses: deleting them would break it."""
    users: dict[ObjectKey, list[str]] = {}
    for spec in desired.values():
        if spec.kind is not Kind.JOB:
            continue
        uses = references(Kind.JOB, spec.body)
        for name in uses.get(SCRIPTS, ()):
            users.setdefault(ObjectKey(Kind.SCRIPT, name), []).append(spec.name)
        for name in uses.get(JOBS, ()):
            users.setdefault(ObjectKey(Kind.JOB, name), []).append(spec.name)
    return users


def _propagate(changes: list[Change], snapshot: Snapshot) -> list[Change]:
    """A job that needs an object whose creation is blocked is blocked too, until nothing moves."""
    by_key = {change.key: change for change in changes}
    moved = True
    while moved:
        moved = False
        for change in list(by_key.values()):
            if change.action not in (Action.CREATE, Action.UPDATE) or change.key.kind is not Kind.JOB:
                continue
            uses = referenced_keys(Kind.JOB, change.desired or {})
            needed = sorted(
                (k for k in uses if k.kind is not Kind.RESOURCE), key=lambda k: (k.kind is Kind.JOB, k.name)
            )  # scripts first, as before
            waiting = [
                str(key)
                for key in needed
                if key not in snapshot.objects and by_key.get(key, change).action is Action.BLOCKED
            ]
            if waiting:
                by_key[change.key] = _block(change, [f"needs {', '.join(waiting)}, which is blocked"])
                moved = True
    return [by_key[change.key] for change in changes]


def apply_rules(
    changes: list[Change], desired: Mapping[ObjectKey, Spec], snapshot: Snapshot, settings: PlanSettings
) -> list[Change]:
    exists = set(snapshot.objects)
    creating = {c.key for c in changes if c.action is Action.CREATE}
    # Only deletes need it, and it reads every job in the repo: skip it on plans without one.
    deleting = any(c.action is Action.DELETE for c in changes)
    users = _still_used(desired) if deleting else {}
    checked = []
    for change in changes:
        if change.action in (Action.CREATE, Action.UPDATE, Action.DELETE):
            change = _check(change, snapshot, settings, exists, creating)
        if change.action is Action.DELETE and change.key in users:
            names = ", ".join(sorted(users[change.key]))
            change = _block(change, [f"still used by job {names} in the repo"])
        checked.append(change)
    return _propagate(checked, snapshot)
