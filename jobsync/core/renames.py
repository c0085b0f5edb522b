"""Renames: a job that moved to a new name is renamed, not deleted and created again.

Delete-plus-create loses the job's versions and run history; the service's rename (V2
`jobs/{name}/rename`) keeps them. A job counts as renamed from OLD to NEW when NEW is only in
the repo, OLD only in the workspace, and evidence names the pair: NEW's file declares
`renamed_from: OLD`, or a hint does (git shows the file renamed in the range being planned,
`plan --changed-since`, or in the file's history; or a saved plan's rename, which apply
repeats). Only evidence renames.

NEW's definition equalling OLD's apart from the name is no evidence: OLD may be a console job
nobody manages, or a job the repo deleted on purpose. `lookalikes` finds such pairs; the plan
shows each as a hint on NEW's create (how to declare the rename), and never executes it. A
change of case only (`rt_trip` -> `RT_TRIP`) follows the same rule.

`fold_renames` turns such a create/unmanaged (or create/delete) pair into one RENAME change,
and updates every workspace-only job whose dependJobs names OLD; a repo job that still names
OLD is blocked with the file to fix. Only jobs: a script's or resource's name cannot change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from jobsync.core.diff import field_changes
from jobsync.core.model import Kind, ObjectKey, Spec, fingerprint
from jobsync.core.normalize import comparable, sent, strip
from jobsync.core.plan import Action, Change
from jobsync.core.references import JOBS, references, rename
from jobsync.core.snapshot import RemoteObject, Snapshot

Renames = dict[str, tuple[str, str]]  # new name -> (old name, why)


def _unnamed(body: Mapping[str, Any]) -> str:
    compared = comparable(Kind.JOB, body)
    compared.pop("name", None)
    return fingerprint(compared)


def find_renames(
    desired: Mapping[ObjectKey, Spec], snapshot: Snapshot, hints: Mapping[str, str] | None = None
) -> Renames:
    """The job renames (new -> (old, why)) between the repo and the workspace."""
    new = {key.name for key in desired if key.kind is Kind.JOB and key not in snapshot.objects}
    old = {key.name for key in snapshot.objects if key.kind is Kind.JOB and key not in desired}
    found: Renames = {}
    for after in sorted(new):
        declared = desired[ObjectKey(Kind.JOB, after)].body.get("renamed_from")
        if isinstance(declared, str) and declared in old:
            found[after] = (
                declared,
                f"renamed_from: {declared} in its file; the rename keeps its versions and run history",
            )
            old.discard(declared)
    new -= set(found)
    for before, after in sorted((hints or {}).items()):
        if before in old and after in new:
            found[after] = (before, f"renamed from {before} in git; the rename keeps its versions and run history")
            old.discard(before)
            new.discard(after)
    return found


def lookalikes(desired: Mapping[ObjectKey, Spec], snapshot: Snapshot, renames: Renames) -> dict[str, str]:
    """Repo-only jobs whose definition equals one workspace-only job's apart from the name
    (new -> old), one to one, outside `renames`: candidates for a rename, never one by themselves."""
    taken = {old for old, _ in renames.values()}
    new = {k.name for k in desired if k.kind is Kind.JOB and k not in snapshot.objects and k.name not in renames}
    old = {k.name for k in snapshot.objects if k.kind is Kind.JOB and k not in desired and k.name not in taken}
    if not new or not old:
        return {}
    by_print: dict[str, list[str]] = {}
    for name in sorted(old):
        by_print.setdefault(_unnamed(snapshot.objects[ObjectKey(Kind.JOB, name)].body), []).append(name)
    wanted: dict[str, list[str]] = {}
    for name in sorted(new):
        wanted.setdefault(_unnamed(desired[ObjectKey(Kind.JOB, name)].body), []).append(name)
    return {
        names[0]: by_print[print_][0]
        for print_, names in wanted.items()
        if len(names) == 1 and len(by_print.get(print_, [])) == 1
    }


def lookalike_hint(old: str, workspace: str) -> str:
    """What the plan says on a create whose definition equals workspace job `old`."""
    return (
        f"workspace job {old} (not in the repo) has the same definition; jobsync renames only on evidence, so "
        f"this creates a new job. To rename {old} instead (keeping its versions and run history), declare "
        f"`renamed_from: {old}` in this job's file, or export it (`jobsync export -w {workspace} --job {old}`), "
        "commit, and `git mv` its file to this name"
    )


def keys_involved(renames: Renames, snapshot: Snapshot) -> set[ObjectKey]:
    """The old names and the jobs that depend on them: a narrowed plan (--changed-since)
    must include them for a rename to show as one."""
    olds = {old for old, _ in renames.values()}
    keys = {ObjectKey(Kind.JOB, old) for old in olds}
    for key, remote in snapshot.objects.items():
        if key.kind is Kind.JOB and references(Kind.JOB, remote.body).get(JOBS, set()) & olds:
            keys.add(key)
    return keys


def _rename_change(new: str, old: str, why: str, spec: Spec, remote: RemoteObject, prints: Any) -> Change:
    before = strip(Kind.JOB, remote.body)
    compared_before = comparable(Kind.JOB, {**before, "name": new})
    compared_after = comparable(Kind.JOB, spec.body)
    diff = field_changes(compared_before, compared_after) if compared_before != compared_after else ()
    reason = why if not diff else f"{why}; then {_fields(diff)}"
    return Change(
        key=spec.key,
        action=Action.RENAME,
        reason=reason,
        diff=diff,
        desired=sent(Kind.JOB, spec.body),
        before=before,
        renamed_from=old,
        before_fingerprint=prints[0](remote),
        after_fingerprint=prints[1](spec.key, spec.body),
    )


def _fields(diff: Iterable[Any]) -> str:
    paths = [change.path for change in diff]
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"changes {shown}"


def fold_renames(
    changes: list[Change],
    renames: Renames,
    desired: Mapping[ObjectKey, Spec],
    snapshot: Snapshot,
    prints: Any,
) -> list[Change]:
    """Replace each create/unmanaged pair by one RENAME and update the jobs depending on the
    old name. `prints` is (remote_fingerprint, desired_fingerprint) from the planner."""
    if not renames:
        return changes
    by_key = {change.key: change for change in changes}
    moved = {old: new for new, (old, _) in renames.items()}
    for new, (old, why) in renames.items():
        key, gone = ObjectKey(Kind.JOB, new), ObjectKey(Kind.JOB, old)
        by_key.pop(gone, None)
        by_key[key] = _rename_change(new, old, why, desired[key], snapshot.objects[gone], prints)
    for key, remote in snapshot.objects.items():
        if key.kind is not Kind.JOB or key.name in moved or key not in by_key:
            continue  # another kind, a renamed job itself, or outside a narrowed plan
        if by_key[key].action is Action.DELETE:
            continue
        named = references(Kind.JOB, remote.body).get(JOBS, set()) & set(moved)
        if not named:
            continue
        spec = desired.get(key)
        if spec is not None:
            still = sorted(references(Kind.JOB, spec.body).get(JOBS, set()) & set(moved))
            current = by_key.get(key) or Change(key=key, action=Action.NOOP, desired=spec.body)
            if still:
                where = f" in {spec.source}" if spec.source else ""
                listed = ", ".join(f"{old} (renamed to {moved[old]})" for old in still)
                by_key[key] = dataclasses.replace(
                    current,
                    action=Action.BLOCKED,
                    intended=current.action if current.action is not Action.NOOP else Action.UPDATE,
                    reason=f"schedule.cron.dependJobs still names {listed}; change it{where}",
                )
            continue
        before = strip(Kind.JOB, remote.body)
        after = rename(Kind.JOB, before, {JOBS: {old: moved[old] for old in named}})
        diff = field_changes(comparable(Kind.JOB, before), comparable(Kind.JOB, after))
        listed = ", ".join(f"{old} -> {moved[old]}" for old in sorted(named))
        by_key[key] = Change(
            key=key,
            action=Action.UPDATE,
            reason=f"not in the repo, but depends on a renamed job: dependJobs {listed}",
            diff=diff,
            desired=after,
            before=before,
            before_fingerprint=prints[0](remote),
            after_fingerprint=prints[1](key, after),
        )
    return sorted(by_key.values(), key=lambda c: (list(Kind).index(c.key.kind), c.key.name))
