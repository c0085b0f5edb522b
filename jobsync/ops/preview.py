"""Preview deployments: a pull request's changes, deployed under derived names into a sandbox.

`preview up --name pr-123` takes the jobs, scripts and resources that changed since a git ref
(or all of them), and the scripts and resources those jobs use, from the workspace's folder;
names each copy `pr-123_<name>`; rewrites every reference between the copies (dependJobs,
scriptName, resourceName) to the copies' names, and the workspace's data connections, queues,
streams and graphs through the sandbox's `mappings`; and plans and applies them into the
sandbox workspace (workspace.yaml `preview: {workspace: sandbox}`, any backend) with every
schedule stopped. Nothing else in the sandbox is planned, touched or deleted.

A preview name is lower-case words joined by hyphens (`pr-123`, `feature-x`). Each copy
carries a marker naming its preview (`mark`); a preview's objects are exactly the sandbox
objects named `<name>_...` that carry its marker, so `preview down` removes those and nothing
else (a second `down` finds nothing) and `preview list` groups them. `up` refuses a prefix that
a real object already carries, in the repo or in the sandbox, so a preview never takes a real
name; export never writes preview objects into git (`is_preview`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsync.backends.base import Workspace
from jobsync.core.model import FILE_KINDS, Kind, ObjectKey, Spec
from jobsync.core.plan import Plan, PlanSettings, Source
from jobsync.core.planner import compute_plan
from jobsync.core.policies import Scheduling
from jobsync.core.references import JOBS, RESOURCES, SCRIPTS, rename
from jobsync.core.selection import closure
from jobsync.core.snapshot import SCHEDULING, Snapshot
from jobsync.errors import ConfigError, JobsyncError, Problem, UsageError
from jobsync.repo import changes, gitrepo, layers
from jobsync.repo import config as configuration
from jobsync.repo.config import WorkspaceConfig

NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
PREVIEW_OBJECT = re.compile(r"^(?P<preview>[a-z0-9]+(?:-[a-z0-9]+)+)_(?P<name>.+)$")
CATEGORY = {Kind.JOB: JOBS, Kind.SCRIPT: SCRIPTS, Kind.RESOURCE: RESOURCES}


MARKER = "jobsync preview"


def mark(kind: Kind, body: dict[str, Any], name: str, workspace: str) -> dict[str, Any]:
    """The copy, marked as preview `name`'s: a job in basicConfig.customFields, a script in its
    description, a resource in its desc (reference §5.2, §6), so only what a preview made is
    ever counted as its own."""
    text = f"{MARKER} {name} of {workspace}"
    if kind is Kind.JOB:
        basic = dict(body.get("basicConfig") or {})
        basic["customFields"] = {**dict(basic.get("customFields") or {}), "jobsync_preview": name}
        return {**body, "basicConfig": basic}
    return {**body, ("desc" if kind is Kind.RESOURCE else "description"): text}


def marked_as(kind: Kind, body: Mapping[str, Any]) -> str | None:
    """The preview an object was made by, from its marker; None for any other object."""
    if kind is Kind.JOB:
        basic = body.get("basicConfig")
        fields = basic.get("customFields") if isinstance(basic, Mapping) else None
        found = fields.get("jobsync_preview") if isinstance(fields, Mapping) else None
        return found if isinstance(found, str) else None
    text = body.get("desc" if kind is Kind.RESOURCE else "description")
    if isinstance(text, str) and text.startswith(MARKER + " "):
        return text.split(" ")[2]
    return None


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise UsageError(
            f"--name {name!r}: a preview name is lower-case letters and digits in words joined by hyphens, "
            "with at least one hyphen, e.g. pr-123"
        )
    return name


def prefix(name: str) -> str:
    return f"{name}_"


def is_preview(key: ObjectKey, body: Mapping[str, Any]) -> bool:
    """Whether an object is a preview's copy: named `pr-123_...` and marked by preview pr-123."""
    match = PREVIEW_OBJECT.match(key.name) if key.kind in FILE_KINDS else None
    return match is not None and marked_as(key.kind, body) == match["preview"]


def sandbox_of(config: WorkspaceConfig) -> WorkspaceConfig:
    """The sandbox workspace's settings (workspace.yaml `preview.workspace`)."""
    if not config.preview_workspace:
        raise ConfigError(
            [
                Problem(
                    config.file.relative_to(config.repo_root).as_posix(),
                    "no preview sandbox: add `preview: {workspace: <another workspace folder>}`",
                    field="preview",
                )
            ]
        )
    if config.preview_workspace == config.name:
        raise ConfigError(
            [Problem(config.file.relative_to(config.repo_root).as_posix(), "the sandbox must be another workspace")]
        )
    name = configuration.pick_workspace(config.repo_root, config.preview_workspace)
    return configuration.load_workspace(config.repo_root, name, user=config.user)


def sandboxes(root: Path) -> set[str]:
    """Every workspace some workspace.yaml names as its preview sandbox."""
    found = set()
    for name in configuration.workspace_names(root):
        with contextlib.suppress(JobsyncError):
            sandbox = configuration.load_workspace(root, name).preview_workspace
            if sandbox:
                found.add(sandbox)
    return found


@dataclass
class Preview:
    name: str
    sandbox: WorkspaceConfig
    plan: Plan
    copies: dict[ObjectKey, ObjectKey] = field(default_factory=dict)  # repo key -> preview key


def _chosen(
    config: WorkspaceConfig, bodies: Mapping[ObjectKey, Spec], changed_since: str | None, say: Callable[[str], None]
) -> set[ObjectKey]:
    runnable = {key for key in bodies if key.kind in FILE_KINDS}
    if changed_since is None:
        return runnable
    only = changes.only_changed(config.repo_root, config.name, changed_since, say)
    if only is None:
        return runnable
    changed = {key for key in only if key in runnable}
    jobs = [key.name for key in changed if key.kind is Kind.JOB]
    plain = {key: spec.body for key, spec in bodies.items() if key in runnable}
    return changed | set(closure(jobs, plain, where="the repo"))


def _collisions(config: WorkspaceConfig, sandbox: WorkspaceConfig, name: str) -> list[str]:
    taken = []
    for owner in (config, sandbox):
        for key in layers.desired(owner).specs:
            if key.name.startswith(prefix(name)):
                taken.append(f"{key.kind.value} {key.name} (workspaces/{owner.name})")
    return taken


def make(
    config: WorkspaceConfig,
    workspace: Workspace,
    sandbox: WorkspaceConfig,
    name: str,
    *,
    changed_since: str | None,
    say: Callable[[str], None],
) -> Preview:
    """The plan that deploys the preview into the open sandbox `workspace`."""
    taken = _collisions(config, sandbox, name)
    if taken:
        raise JobsyncError(
            f"preview {name}: the repo already has objects named with its prefix {prefix(name)!r}: "
            f"{', '.join(taken)}; choose another --name"
        )
    reading = dataclasses.replace(config, mappings=sandbox.mappings, source=None)
    bodies = {key: spec for key, spec in layers.desired(reading).specs.items() if key.kind in FILE_KINDS}
    keys = _chosen(config, bodies, changed_since, say)
    copies = {key: ObjectKey(key.kind, prefix(name) + key.name) for key in sorted(keys)}
    renames = {CATEGORY[kind]: {k.name: v.name for k, v in copies.items() if k.kind is kind} for kind in CATEGORY}
    specs = {}
    for key, target in copies.items():
        body = mark(key.kind, {**dict(bodies[key].body), "name": target.name}, name, config.name)
        specs[target] = Spec(target, rename(key.kind, body, renames), source=bodies[key].source)
    settings = PlanSettings(
        workspace=sandbox.name,
        user=workspace.acting_user() or sandbox.user,
        policies=sandbox.policies,
        backend=workspace.label,
        scheduling=Scheduling(default="stopped"),
        source=Source(workspace=config.name, ref=None),  # the preview reads the working tree
    )
    snapshot = workspace.snapshot()
    foreign = [
        str(key)
        for key, remote in sorted(snapshot.objects.items())
        if key.kind in FILE_KINDS and key.name.startswith(prefix(name)) and marked_as(key.kind, remote.body) != name
    ]
    if foreign:
        raise JobsyncError(
            f"preview {name}: {workspace.label} has objects named with its prefix that no preview made: "
            f"{', '.join(foreign)}; choose another --name"
        )
    plan = compute_plan(specs, snapshot, settings, only=frozenset(specs), detect_renames=False)
    plan = dataclasses.replace(
        plan,
        repo_commit=gitrepo.head(config.repo_root),
        selection=tuple(str(key) for key in sorted(specs)),
    )
    return Preview(name=name, sandbox=sandbox, plan=plan, copies=copies)


def existing(workspace: Workspace, name: str | None = None) -> dict[str, list[ObjectKey]]:
    """Preview name -> its objects in the sandbox (every preview, or the one named)."""
    found: dict[str, list[ObjectKey]] = {}
    for key, remote in sorted(workspace.snapshot().objects.items()):
        if is_preview(key, remote.body):
            preview = key.name.split("_", 1)[0]
            if name in (None, preview):
                found.setdefault(preview, []).append(key)
    return found


def remove(workspace: Workspace, keys: list[ObjectKey], *, user: str) -> dict[ObjectKey, str | None]:
    """Delete a preview's objects: jobs (schedules stopped first), then scripts, then resources."""
    snapshot = workspace.snapshot()
    results: dict[ObjectKey, str | None] = {}
    jobs = [key.name for key in keys if key.kind is Kind.JOB]
    running = [job for job in jobs if (snapshot.objects[ObjectKey(Kind.JOB, job)].status == SCHEDULING)]
    if running:
        workspace.set_scheduling(running, False, user=user)
    for kind in (Kind.JOB, Kind.SCRIPT, Kind.RESOURCE):
        names = [key.name for key in keys if key.kind is kind]
        if not names:
            continue
        outcome = workspace.delete(kind, names, user=user)
        for item in names:
            failure = outcome.get(item)
            results[ObjectKey(kind, item)] = failure.message if failure else None
    return results


def without_previews(config: WorkspaceConfig, snapshot: Snapshot, say: Callable[[str], None]) -> Snapshot:
    """A preview sandbox's snapshot without the previews' copies: the sandbox's own plan never
    manages (updates, prunes) them, and export never writes them into git."""
    if config.name not in sandboxes(config.repo_root):
        return snapshot
    kept = {key: remote for key, remote in snapshot.objects.items() if not is_preview(key, remote.body)}
    if len(kept) < len(snapshot.objects):
        say(f"leaving out {len(snapshot.objects) - len(kept)} preview object(s) (`jobsync preview list`)")
    return dataclasses.replace(snapshot, objects=kept)
