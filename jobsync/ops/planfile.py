"""Saved plans (`plan --out`): reading one back as a typed SavedPlan, and refusing it when it
went stale, was made for another workspace or backend, or (`--reviewed`) differs in any field."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.snapshot import Snapshot
from jobsync.errors import IncompatibleFormatError, JobsyncError, ReviewedPlanError, StalePlanError
from jobsync.ops import reviewcheck
from jobsync.render.document import NEWEST_VERSION
from jobsync.repo import gitrepo, limits, schemas

COMPARED = ("action", "before_fingerprint", "after_fingerprint")


def version_numbers(text: str) -> tuple[int, ...] | None:
    """ "1.10" -> (1, 10): versions compare as numbers ("1.10" is newer than "1.9"); None if not one."""
    parts = text.split(".")
    if not all(part.isdigit() and part.isascii() for part in parts):
        return None
    return tuple(int(part) for part in parts)


@dataclass(frozen=True)
class Rename:
    old: str  # the job's name before
    new: str  # the job's name after


@dataclass(frozen=True)
class Release:
    """The enterprise-mode release section (render/document.py writes it)."""

    mode: str
    actual: str
    target: str
    package_name: str
    startup_mode: str
    approvers: tuple[str, ...]
    tasks: int
    packages: int


@dataclass(frozen=True)
class SavedPlan:
    """A plan file read back and checked: the typed fields apply reads, and the document as
    written (`document`), which is what reviewers read and what `apply --reviewed` compares
    field by field (ops/reviewcheck.py). `to_document()` gives it back unchanged."""

    path: Path | None  # None: a plan made in this process, never saved
    format_version: tuple[int, ...]
    workspace: str
    backend: str | None
    user: str | None
    repo_commit: str | None
    repo_dirty: bool
    selection: frozenset[ObjectKey] | None  # None: the whole workspace
    renames: tuple[Rename, ...]
    release: Release | None
    document: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_document(cls, document: Mapping[str, Any], path: Path | None) -> SavedPlan:
        repo = document.get("repo") or {}
        selection = document.get("selection")
        release = document.get("release")
        return cls(
            path=path,
            format_version=version_numbers(str(document["format_version"])) or (0,),
            workspace=str(document["workspace"]),
            backend=document.get("backend"),
            user=document.get("user"),
            repo_commit=repo.get("commit"),
            repo_dirty=bool(repo.get("dirty")),
            selection=None if selection is None else frozenset(_selection_key(name) for name in selection),
            renames=tuple(
                Rename(str(change["renamed_from"]), str(change["name"]))
                for change in document["changes"]
                if change.get("action") == "rename" and change.get("renamed_from")
            ),
            release=None if release is None else _release(release),
            document=copy.deepcopy(dict(document)),
        )

    def to_document(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.document))

    @property
    def changes(self) -> list[dict[str, Any]]:
        return list(self.document["changes"])

    @property
    def rename_hints(self) -> dict[str, str]:
        """old job name -> new: apply passes them as hints, so it makes the plan it was shown."""
        return {rename.old: rename.new for rename in self.renames}


def _selection_key(name: str) -> ObjectKey:
    kind, _, rest = name.partition(" ")
    return ObjectKey(Kind(kind), rest)


def _release(release: Mapping[str, Any]) -> Release:
    return Release(
        mode=str(release.get("mode", "")),
        actual=str(release.get("actual", "")),
        target=str(release.get("target", "development")),
        package_name=str(release.get("package_name", "")),
        startup_mode=str(release.get("startup_mode", "")),
        approvers=tuple(str(a) for a in release.get("approvers") or ()),
        tasks=int(release.get("tasks", 0)),
        packages=int(release.get("packages", 1)),
    )


def read(path: Path, *, workspace: str) -> SavedPlan:
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
    newest = version_numbers(NEWEST_VERSION) or (0,)
    numbers = version_numbers(found)
    if numbers is None or numbers[0] != newest[0] or numbers > newest:
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
    return SavedPlan.from_document(document, path)


def _by_key(document: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["kind"], c["name"]): c for c in document["changes"]}


def check_fresh(saved: SavedPlan | Mapping[str, Any], current: Mapping[str, Any]) -> None:
    """Raise StalePlanError naming every object whose planned change is no longer the same;
    a plan made for another workspace or backend (another state file, endpoint or workspace id)
    is refused first, naming both."""
    document = saved.document if isinstance(saved, SavedPlan) else saved
    for name in ("workspace", "backend"):
        if document.get(name) != current.get(name):
            raise JobsyncError(
                f"refused: the plan was made for {name} {document.get(name)!r}, and this apply is for "
                f"{current.get(name)!r}; nothing was applied. Make the plan again with `jobsync plan --out FILE`"
            )
    old, new = _by_key(document), _by_key(current)
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


def differences(reviewed: Mapping[str, Any], current: Mapping[str, Any], snapshot: Snapshot | None = None) -> list[str]:
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


def check_reviewed(
    reviewed: SavedPlan | Mapping[str, Any],
    current: Mapping[str, Any],
    snapshot: Snapshot | None = None,
    *,
    repo_root: Path | None = None,
) -> None:
    """Raise ReviewedPlanError naming every difference between the reviewed and a fresh plan:
    each object that changed (why, and who), then every other field a reviewer could read
    (ops/reviewcheck.py), so nothing the reviewed file shows differs from what is applied."""
    document = reviewed.document if isinstance(reviewed, SavedPlan) else reviewed

    def known(commit: str) -> bool:
        return repo_root is not None and gitrepo.resolve(repo_root, f"{commit}^{{commit}}") is not None

    found = differences(document, current, snapshot) + reviewcheck.field_differences(document, current, known)
    if found:
        raise ReviewedPlanError(found)


def deletes_confirmed(saved: SavedPlan) -> bool:
    """Whether the saved plan deletes something unblocked: it was made with --allow-mass-delete
    (or needed none), so applying it needs no second confirmation."""
    return any(isinstance(c, dict) and c.get("action") == "delete" for c in saved.changes)


def _selection_entry(name: object) -> bool:
    if not isinstance(name, str):
        return False
    kind, _, rest = name.partition(" ")
    return bool(rest) and kind in {k.value for k in Kind}
