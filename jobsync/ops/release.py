"""Enterprise-mode workspaces: plan against production, apply to development, release packages.

An enterprise-mode workspace (reference §11.1) has a development and a production
environment. With `release: {approvers: [...], startup_mode: start|keep}` in workspace.yaml:

* plan compares the repo with the **production** environment (what runs) and says that
  apply will create release packages and who must release them;
* apply writes the **development** environment (the import submits: each job, script and
  resource it writes becomes a pending item), then bundles exactly those pending items into
  packages of at most 100 tasks named `jobsync <workspace> <sha12> (PR #n)` and prints their
  ids; `--wait` polls them until each is released, cancelled or failed;
* a deployer or admin releases them in the console (or through the API); then production
  matches and the next plan is clean.

Jobs do not run in development, so the running-job rules do not apply there: the release's
startup_mode decides whether jobs start in production. Renames are not detected in
enterprise mode (how the service releases a rename is not documented): a renamed job plans
as create and delete (or unmanaged).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jobsync.backends.base import Enterprise, ReleasePackage, Workspace
from jobsync.core.history import SHORT_SHA
from jobsync.core.plan import Plan
from jobsync.core.snapshot import Snapshot
from jobsync.errors import ConfigError, JobsyncError, Problem
from jobsync.repo.config import WorkspaceConfig

MOST_TASKS = 100
TASK_TYPE = {"job": 1, "script": 2, "resource": 3}
Say = Callable[[str], None]


def enterprise_mode(config: WorkspaceConfig, workspace: Workspace) -> Enterprise | None:
    """The workspace's enterprise interface when it is in enterprise mode and workspace.yaml has
    `release:`; None when neither holds; a ConfigError when only one of the two holds."""
    environments = workspace.enterprise()
    source = str(config.file.relative_to(config.repo_root))
    if config.release is None:
        if environments is not None:
            raise ConfigError(
                [
                    Problem(
                        source,
                        f"workspace {config.name} is in enterprise mode: add `release: {{approvers: [<deployer>]}}` "
                        "so that apply can bundle its changes into release packages",
                        field="release",
                    )
                ]
            )
        return None
    if environments is None:
        why = (
            "set backend.instance_id so that jobsync can read the workspace's mode"
            if config.backend.get("type") == "dataarts" and not config.backend.get("instance_id")
            else "release packages exist only in enterprise-mode DataArts workspaces; remove `release:`"
        )
        raise ConfigError([Problem(source, f"`release:` is set but {workspace.label} is in simple mode; {why}")])
    return environments


def production_view(snapshot: Snapshot) -> Snapshot:
    """Production as the plan compares it: no schedule status, so no running-job rule (the
    release's startup_mode decides whether jobs start)."""
    objects = {key: remote.replace(status=None) for key, remote in snapshot.objects.items()}
    return Snapshot(objects=objects, environment=snapshot.environment)


def package_name(config: WorkspaceConfig, commit: str | None, pr: int | None) -> str:
    short = (commit or "uncommitted")[:SHORT_SHA]
    return f"jobsync {config.name} {short}" + (f" (PR #{pr})" if pr is not None else "")


def release_info(config: WorkspaceConfig, plan: Plan, pr: int | None) -> dict[str, Any]:
    """The plan document's `release` section."""
    settings = config.release or {}
    tasks = len(plan.pending())
    return {
        "mode": "enterprise",
        "actual": "production",
        "target": "development",
        "approvers": list(settings.get("approvers") or []),
        "startup_mode": settings.get("startup_mode", "start"),
        "package_name": package_name(config, plan.repo_commit, pr),
        "tasks": tasks,
        "packages": -(-tasks // MOST_TASKS),
    }


def bundle(
    config: WorkspaceConfig,
    workspace: Workspace,
    plan: Plan,
    written: Sequence[tuple[str, str]],
    say: Say = lambda *_: None,
) -> list[ReleasePackage]:
    """Bundle the pending items of what apply wrote ((kind, name) pairs) into packages of at
    most 100 tasks; returns them (pending release). Other people's pending items stay out."""
    releases = enterprise(workspace).releases
    wanted = {(TASK_TYPE[kind], name) for kind, name in written}
    items = [
        item
        for item in releases.pending_items()
        if not item.get("package_flag") and (int(item.get("task_type") or 0), str(item.get("item_name"))) in wanted
    ]
    items.sort(key=lambda item: (int(item.get("task_type") or 0), str(item.get("item_name"))))
    if not items:
        return []
    release = plan.release or {}
    name = str(release.get("package_name") or package_name(config, plan.repo_commit, None))
    chunks = [items[i : i + MOST_TASKS] for i in range(0, len(items), MOST_TASKS)]
    packages = []
    for number, chunk in enumerate(chunks, 1):
        title = name if len(chunks) == 1 else f"{name} {number}/{len(chunks)}"
        ids = [str(item["pending_item_id"]) for item in chunk]
        package_id = releases.create(title, ids, list(release.get("approvers") or []), config.user)
        packages.append(releases.package(package_id))
        say(f"created release package {package_id} {title!r} with {len(chunk)} task(s)")
    return packages


def enterprise(workspace: Workspace) -> Enterprise:
    """The workspace's release packages; a JobsyncError when it has none (simple mode)."""
    environments = workspace.enterprise()
    if environments is None:
        raise JobsyncError(
            f"{workspace.label} has no release packages: they need an enterprise-mode DataArts workspace"
        )
    return environments


def wait(
    workspace: Workspace,
    package_ids: Sequence[str],
    *,
    timeout_s: float,
    say: Say = lambda *_: None,
    pause_s: float = 0.05,
) -> list[ReleasePackage]:
    """Poll packages until each is released, cancelled or failed; say each change of state."""
    releases = enterprise(workspace).releases
    deadline = time.monotonic() + timeout_s
    seen: dict[str, str] = {}
    while True:
        packages = [releases.package(package_id) for package_id in package_ids]
        for package in packages:
            if seen.get(package.id) != package.state:
                seen[package.id] = package.state
                say(f"release package {package.id} {package.name!r}: {package.state}")
        if all(package.final for package in packages):
            return packages
        if time.monotonic() > deadline:
            waiting = ", ".join(f"{p.id} ({p.state})" for p in packages if not p.final)
            raise JobsyncError(
                f"still waiting after {timeout_s:.0f}s for release package(s) {waiting}; "
                f"check later with `jobsync release status`"
            )
        time.sleep(pause_s)
        pause_s = min(5.0, pause_s * 1.5)


def status(config: WorkspaceConfig, workspace: Workspace) -> list[ReleasePackage]:
    """jobsync's packages of this workspace, newest first, with their tasks."""
    releases = enterprise(workspace).releases
    listed = releases.packages(key_word=f"jobsync {config.name} ")
    return [releases.package(package.id) for package in listed]


def package_lines(packages: Sequence[ReleasePackage], approvers: Sequence[str] = ()) -> list[str]:
    """One line per package, for apply's output (and so the PR comment)."""
    who = f"; to be released by {', '.join(approvers)}" if approvers else ""
    return [
        f"Release package {package.id} {package.name!r}: {package.state}, {len(package.tasks)} task(s)"
        + (who if package.status == 1 else "")
        for package in packages
    ]


def documents(packages: Sequence[ReleasePackage]) -> list[Mapping[str, Any]]:
    return [package.to_dict() for package in packages]
