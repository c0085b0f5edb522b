"""Saved plans (`plan --out`): reading one back, and refusing it when it went stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.snapshot import Snapshot
from jobsync.errors import IncompatibleFormatError, JobsyncError, ReviewedPlanError, StalePlanError
from jobsync.render.document import NEWEST_VERSION
from jobsync.repo import limits, schemas

COMPARED = ("action", "before_fingerprint", "after_fingerprint")


def read(path: Path, *, workspace: str) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        document = json.loads(limits.decode(raw, str(path)))
    except IsADirectoryError:
        raise JobsyncError(f"{path} is a directory; name the plan file `jobsync plan --out FILE` wrote") from None
    except OSError as error:
        raise JobsyncError(f"{path}: cannot read the plan file ({error.strerror})") from None
    except RecursionError:
        raise JobsyncError(f"{path}: not a jobsync plan file (nested too deeply)") from None
    except json.JSONDecodeError as error:
        raise JobsyncError(
            f"{path}:{error.lineno}: not a jobsync plan file ({error.msg}); make one with `jobsync plan --out FILE`"
        ) from None
    if not isinstance(document, dict) or "format_version" not in document:
        raise JobsyncError(
            f"{path}: not a jobsync plan file (no format_version); make one with `jobsync plan --out FILE`"
        )
    found = str(document["format_version"])
    if found.split(".")[0] != NEWEST_VERSION.split(".")[0] or found > NEWEST_VERSION:
        raise IncompatibleFormatError(path=str(path), expected=NEWEST_VERSION, found=found)
    problems = schemas.check("plan", document, str(path))
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems[:10])
        raise JobsyncError(
            f"{path}: not a valid jobsync plan file:\n{listed}\nmake the plan again with `jobsync plan --out FILE`"
        )
    selection = document.get("selection")
    if selection is not None:
        bad = [name for name in selection if not _selection_entry(name)]
        if bad:
            raise JobsyncError(
                f"{path}: selection entries {bad[:5]} are not '<kind> <name>'; make the plan again with "
                "`jobsync plan --out FILE`"
            )
    if document.get("workspace") != workspace:
        raise JobsyncError(
            f"{path}: this plan is for workspace {document.get('workspace')!r}, not {workspace!r}; "
            f"run `jobsync apply -w {document.get('workspace')} {path}` or make a plan for {workspace}"
        )
    return document


def _by_key(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["kind"], c["name"]): c for c in document["changes"]}


def check_fresh(saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Raise StalePlanError naming every object whose planned change is no longer the same."""
    old, new = _by_key(saved), _by_key(current)
    stale = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None or b is None or any(a.get(f) != b.get(f) for f in COMPARED):
            stale.append(f"{key[0]} {key[1]}")
    if stale:
        raise StalePlanError(stale)


def _verb(change: dict[str, Any] | None) -> str:
    if change is None:
        return "leave it as it is"
    action = str(change["action"])
    if action == "blocked":
        return f"block it ({change.get('reason') or 'blocked'})"
    return {"skip": "skip it", "unmanaged": "leave it unmanaged"}.get(action, f"{action} it")


def _who(snapshot: Snapshot | None, kind: str, name: str) -> str:
    if snapshot is None:
        return ""
    try:
        remote = snapshot.objects.get(ObjectKey(Kind(kind), name))
    except ValueError:
        return ""
    if remote is None:
        return " (it is gone from the workspace)"
    return f" (lastUpdateUser {remote.last_update_user})" if remote.last_update_user else ""


def _why(a: dict[str, Any] | None, b: dict[str, Any] | None, who: str) -> list[str]:
    if a is None or b is None:  # unchanged (not listed) on one side
        return [f"changed since the plan was reviewed{who}"]
    reasons = []
    if a.get("before_fingerprint") != b.get("before_fingerprint"):
        reasons.append(f"changed in the workspace since the plan was reviewed{who}")
    if a.get("after_fingerprint") != b.get("after_fingerprint"):
        reasons.append("changed in the repo since the plan was reviewed")
    return reasons


def differences(reviewed: dict[str, Any], current: dict[str, Any], snapshot: Snapshot | None = None) -> list[str]:
    """How a fresh plan differs from the reviewed one, one sentence per object: the same
    objects, actions, desired (repo) and actual (workspace) fingerprints, or else why not.
    `snapshot` (the fresh read of the workspace) names who last changed an object."""
    old, new = _by_key(reviewed), _by_key(current)
    found = []
    for kind, name in sorted(set(old) | set(new)):
        a, b = old.get((kind, name)), new.get((kind, name))
        if a is not None and b is not None and all(a.get(f) == b.get(f) for f in COMPARED):
            continue
        reasons = _why(a, b, _who(snapshot, kind, name))
        if a is None or b is None or a.get("action") != b.get("action") or not reasons:
            reasons.append(f"the reviewed plan would {_verb(a)}, a plan now would {_verb(b)}")
        joined = "; ".join(reasons)
        found.append(f"{kind} {name}{':' if joined.startswith('the reviewed') else ''} {joined}")
    return found


def check_reviewed(reviewed: dict[str, Any], current: dict[str, Any], snapshot: Snapshot | None = None) -> None:
    """Raise ReviewedPlanError naming every difference between the reviewed and a fresh plan."""
    found = differences(reviewed, current, snapshot)
    if found:
        raise ReviewedPlanError(found)


def deletes_confirmed(saved: dict[str, Any]) -> bool:
    """Whether the saved plan deletes something unblocked: it was made with --allow-mass-delete
    (or needed none), so applying it needs no second confirmation."""
    return any(isinstance(c, dict) and c.get("action") == "delete" for c in saved.get("changes") or ())


def _selection_entry(name: object) -> bool:
    if not isinstance(name, str):
        return False
    kind, _, rest = name.partition(" ")
    return bool(rest) and kind in {k.value for k in Kind}
