"""Computing the plan is pure (no I/O).

`compute_plan(desired, snapshot, settings)` matches objects by (kind, name) and handles the
three sets explicitly: only in the repo -> create; in both -> compare (noop, update or skip);
only in the workspace -> delete when prune is on, else unmanaged. Then the rules (rules.py)
turn any change they forbid into `blocked`, with the reason. Last, workspace.yaml's
`scheduling` adds start and stop: an unchanged job whose schedule state differs becomes
`start` or `stop`; a created or updated one is started or stopped after it is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from jobsync.core import cdm
from jobsync.core.diff import FieldChange, field_changes
from jobsync.core.model import Kind, ObjectKey, Spec, fingerprint
from jobsync.core.normalize import body_fingerprint, comparable, sent, strip
from jobsync.core.plan import Action, Change, Plan, PlanSettings, ScheduleAction
from jobsync.core.policies import Policies, Scheduling
from jobsync.core.renames import find_renames, fold_renames, keys_involved, lookalike_hint, lookalikes
from jobsync.core.rules import apply_rules
from jobsync.core.snapshot import SCHEDULING, STOPPED, RemoteObject, Snapshot


def remote_fingerprint(remote: RemoteObject, digest: str | None = None) -> str:
    """What a saved plan checks the workspace object against: the fingerprint of its canonical
    body and its schedule status."""
    body = digest or remote.digest or body_fingerprint(remote.key.kind, remote.body)
    return fingerprint({"body": body, "status": remote.status})


def desired_fingerprint(key: ObjectKey, body: Mapping[str, Any], digest: str | None = None) -> str:
    return digest or body_fingerprint(key.kind, body)


def _compare(spec: Spec, remote: RemoteObject, policies: Policies) -> Change:
    """Compare canonical forms type-exactly, by their fingerprints first: those the repo parse
    cache and the dataarts job cache keep beside each body, or computed once per side. Only
    objects whose fingerprints differ build their compared forms again, for the diff."""
    after_digest = spec.digest or body_fingerprint(spec.kind, spec.body)
    before_digest = remote.digest or body_fingerprint(spec.kind, remote.body)
    common: dict[str, Any] = {
        "key": spec.key,
        "before_fingerprint": remote_fingerprint(remote, before_digest),
        "after_fingerprint": after_digest,
    }
    if after_digest == before_digest:  # canonical JSON text: 1, 1.0 and true differ
        return Change(action=Action.NOOP, desired=spec.view, **common)  # not decoded unless read
    before, after = comparable(spec.kind, remote.body), comparable(spec.kind, spec.body)
    common.update(desired=sent(spec.kind, spec.body), before=strip(spec.kind, remote.body))
    diff = field_changes(before, after)
    if spec.kind is Kind.CDM_LINK and cdm.secret_variables(spec.body, cdm.CdmKind.LINK):
        diff_note = "; secrets are not compared and are sent with the update"
    else:
        diff_note = ""
    if policies.duplicate_name == "skip":
        reason = f"exists and differs ({differing(diff)}); duplicate_name is skip"
        return Change(action=Action.SKIP, diff=diff, reason=reason, **common)
    return Change(action=Action.UPDATE, diff=diff, reason=differing(diff) + diff_note, **common)


def describe(spec: Spec) -> str:
    """One line on what a new object is, for the reason column."""
    body = spec.body
    if spec.kind is Kind.JOB:
        nodes = [n for n in body.get("nodes") or () if isinstance(n, dict)]
        types = ", ".join(sorted({str(n.get("type")) for n in nodes}))
        schedule = body.get("schedule") or {}
        cron = (schedule.get("cron") or {}).get("expression") if isinstance(schedule, dict) else None
        when = f"{schedule.get('type', '?')} {cron}" if cron else str(schedule.get("type", "no schedule"))
        return f"new job: {len(nodes)} node(s) ({types}), {when}"
    if spec.kind is Kind.VARIABLE:  # the value is left out: environment variables may hold secrets
        return f"new environment {body.get('type', 'variable')}"
    if spec.kind is Kind.CDM_LINK:
        secrets = ", ".join(sorted(set(cdm.secret_variables(body, cdm.CdmKind.LINK).values())))
        taken = f"; secrets from {secrets} (not compared)" if secrets else ""
        return f"new CDM {body.get('connector-name', '?')} link{taken}"
    if spec.kind is Kind.CDM_JOB:
        return f"new CDM {body.get('job_type', '?')}: {body.get('from-link-name')} -> {body.get('to-link-name')}"
    if spec.kind is Kind.SCRIPT:
        lines = len(str(body.get("content", "")).splitlines())
        return f"new {body.get('type', '?')} script, {lines} line(s)"
    return f"new {body.get('type', '?')} resource at {body.get('location', '?')}"


def differing(diff: tuple[FieldChange, ...], shown: int = 3) -> str:
    """ "changes a, b and c" naming the first few changed fields."""
    paths = [d.path for d in diff]
    named = ", ".join(paths[:shown])
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return f"changes {named}{more}"


def _create(spec: Spec) -> Change:
    return Change(
        key=spec.key,
        action=Action.CREATE,
        desired=sent(spec.kind, spec.body),
        reason=describe(spec),
        after_fingerprint=desired_fingerprint(spec.key, spec.body),
    )


def _absent(remote: RemoteObject, policies: Policies) -> Change:
    common: dict[str, Any] = {
        "key": remote.key,
        "before": strip(remote.key.kind, remote.body),
        "before_fingerprint": remote_fingerprint(remote),
    }
    if policies.prune:
        return Change(action=Action.DELETE, reason="not in the repo; prune is on", **common)
    return Change(action=Action.UNMANAGED, reason="not in the repo; prune is off", **common)


def compute_plan(
    desired: Mapping[ObjectKey, Spec],
    snapshot: Snapshot,
    settings: PlanSettings,
    *,
    only: frozenset[ObjectKey] | None = None,
    rename_hints: Mapping[str, str] | None = None,
    detect_renames: bool = True,
) -> Plan:
    """The plan that makes the workspace match `desired` (bodies already mapped).

    `only` limits the plan to those objects (for `--job`); None plans everything.
    `rename_hints` (old job name -> new) come from git or a saved plan (core/renames.py);
    `detect_renames=False` plans renames as create plus delete/unmanaged (enterprise mode).
    """
    changes: list[Change] = []
    keys = set(desired) | set(snapshot.objects)
    renames = find_renames(desired, snapshot, rename_hints) if detect_renames else {}
    if only is not None:
        renames = {
            new: (old, why)
            for new, (old, why) in renames.items()
            if ObjectKey(Kind.JOB, new) in only or ObjectKey(Kind.JOB, old) in only
        }
        if renames:
            only = only | {ObjectKey(Kind.JOB, new) for new in renames} | keys_involved(renames, snapshot)
        keys &= only
    for key in keys:
        spec, remote = desired.get(key), snapshot.objects.get(key)
        if spec is None and remote is not None:
            changes.append(_absent(remote, settings.policies))
        elif spec is not None and remote is None:
            changes.append(_create(spec))
        elif spec is not None and remote is not None:
            changes.append(_compare(spec, remote, settings.policies))
    ordered = sorted(changes, key=lambda c: (list(Kind).index(c.key.kind), c.key.name))
    ordered = fold_renames(ordered, renames, desired, snapshot, (remote_fingerprint, desired_fingerprint))
    checked = apply_rules(ordered, desired, snapshot, settings)
    if detect_renames:  # after the rules, which set each change's warnings
        checked = _with_lookalike_hints(checked, lookalikes(desired, snapshot, renames), settings.workspace)
    scheduled = [schedule_change(c, snapshot.objects.get(was(c)), settings.scheduling) for c in checked]
    return Plan(settings=settings, changes=tuple(scheduled))


def _with_lookalike_hints(changes: list[Change], pairs: Mapping[str, str], workspace: str) -> list[Change]:
    """Each create of a job that looks like a workspace-only job carries the hint (a warning)."""
    if not pairs:
        return changes
    return [
        dataclasses.replace(c, warnings=(*c.warnings, lookalike_hint(pairs[c.key.name], workspace)))
        if c.key.kind is Kind.JOB and c.action is Action.CREATE and c.key.name in pairs
        else c
        for c in changes
    ]


def was(change: Change) -> ObjectKey:
    """The key the workspace holds the object under now (a renamed job's old name)."""
    return ObjectKey(change.key.kind, change.renamed_from) if change.renamed_from else change.key


def schedule_action(change: Change, remote: RemoteObject | None, scheduling: Scheduling) -> ScheduleAction | None:
    """start or stop when the job's schedule state after the write differs from `scheduling`."""
    if change.key.kind is not Kind.JOB or change.action not in (
        Action.CREATE,
        Action.UPDATE,
        Action.NOOP,
        Action.RENAME,
    ):
        return None
    target = scheduling.target(change.key.name)
    status = STOPPED if change.action is Action.CREATE or remote is None else remote.status
    if change.restart:
        status = SCHEDULING  # stop-and-restart starts it again unless told to stop
    if target == "running" and status != SCHEDULING:
        return "start"
    if target == "stopped" and status != STOPPED:
        return "stop"
    return None


def schedule_change(change: Change, remote: RemoteObject | None, scheduling: Scheduling) -> Change:
    action = schedule_action(change, remote, scheduling)
    if action is None:
        return change
    if change.action is not Action.NOOP:
        return dataclasses.replace(change, schedule=action)
    status = remote.status if remote else None
    wanted = "running" if action == "start" else "stopped"
    return dataclasses.replace(
        change,
        action=Action.START if action == "start" else Action.STOP,
        schedule=action,
        reason=f"schedule is {status or 'unknown'}; scheduling says {wanted}",
        before_fingerprint=change.before_fingerprint or (remote_fingerprint(remote) if remote else None),
        after_fingerprint=change.after_fingerprint or desired_fingerprint(change.key, change.desired or {}),
    )
