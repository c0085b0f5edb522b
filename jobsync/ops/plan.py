"""What plan, apply and export share: open the workspace, read the repo, compute the plan."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobsync.backends import lock
from jobsync.backends import open as backends
from jobsync.backends.base import Workspace
from jobsync.core.guards import guard_deletes
from jobsync.core.history import pr_from_message
from jobsync.core.impact import JobImpact, impact_in
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import CHANGING, Action, Change, Plan, PlanSettings
from jobsync.core.planner import compute_plan
from jobsync.core.policies import VerifySettings
from jobsync.core.references import depend_jobs
from jobsync.core.renames import lookalikes
from jobsync.core.selection import closure
from jobsync.core.snapshot import Snapshot
from jobsync.errors import JobsyncError
from jobsync.ops import debris, locate, preview, release, schedule
from jobsync.ops import verify as verifying
from jobsync.repo import changes as repochanges
from jobsync.repo import gitrepo, layers, limits
from jobsync.repo import source as gitsource
from jobsync.repo.config import CACHE_DIR, WorkspaceConfig, parse_settings
from jobsync.repo.located import where as located_in


@contextlib.contextmanager
def bulk_work() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while tens of thousands of bodies are built.

    Each collection rescans the growing heap, which made reading a 10,000-job workspace
    2-6x slower; these objects form no reference cycles. What was built is frozen after,
    so later collections skip it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def open_workspace(config: WorkspaceConfig) -> Workspace:
    """The backend `config` names."""
    return backends.open_workspace(
        config.backend,
        name=config.name,
        repo_root=config.repo_root,
        folder=config.folder,
        cache_dir=config.repo_root / CACHE_DIR,
        source=str(config.file),
        declared=config.local,
    )


def desired_state(config: WorkspaceConfig) -> dict[ObjectKey, Spec]:
    """The workspace's desired objects: its source's and its own files, mappings, overrides
    and variables applied (repo/layers.py)."""
    return layers.desired(config).specs


# the reasons of a reference that does not resolve (core/rules.py reference_rule, core/cdmrules.py)
REFERENCE = re.compile(r"refers to |names link |runs CDM job |CDM cluster |runs Data Quality ")


def located(change: Change, desired: Mapping[ObjectKey, Spec], root: Path) -> Change:
    """A change blocked by a reference that does not resolve, its reason led by the file and
    line of that reference (repo/located.py)."""
    spec = desired.get(change.key)
    if change.action is not Action.BLOCKED or spec is None or not spec.source or not REFERENCE.search(change.reason):
        return change
    at = located_in(root, spec.source, change.reason)
    return dataclasses.replace(change, reason=f"{at}: {change.reason}") if at else change


def selection(jobs: Sequence[str], desired: Mapping[ObjectKey, Spec], snapshot: Snapshot) -> frozenset[ObjectKey]:
    """The named jobs and the scripts and resources they use (--job), read from the repo's
    bodies first and the workspace's for what only the workspace has."""
    bodies: dict[ObjectKey, Mapping[str, Any]] = {key: remote.body for key, remote in snapshot.objects.items()}
    bodies.update((key, spec.body) for key, spec in desired.items())
    return closure(jobs, bodies, where="the repo or the workspace")


@dataclass
class Planned:
    plan: Plan
    snapshot: Snapshot
    desired: dict[ObjectKey, Spec]
    layers: layers.Desired | None = None


def make_plan(
    config: WorkspaceConfig,
    workspace: Workspace,
    *,
    jobs: Sequence[str] = (),
    refresh: bool = False,
    only: frozenset[ObjectKey] | None = None,
    rename_hints: Mapping[str, str] | None = None,
    allow_mass_delete: bool = False,
    verify: bool | None = None,
) -> Planned:
    """Plan the workspace; `jobs` (--job) and `only` (--changed-since) narrow it, together
    planning the union of both; neither plans everything. `rename_hints` (old job name ->
    new) come from git (--changed-since) or a saved plan. In an enterprise-mode workspace
    (ops/release.py) the production environment is what the repo is compared with."""
    environments = release.enterprise_mode(config, workspace)
    enterprise = environments is not None
    actual = environments.production() if environments is not None else workspace
    with bulk_work(), ThreadPoolExecutor(max_workers=1) as reader:
        # The workspace is read (mostly waiting on the API) while the repo is parsed (CPU).
        reading = reader.submit(actual.snapshot, refresh=refresh)
        try:
            found = layers.desired(config)
        except BaseException:
            reading.exception()  # let the read finish; the repo's error is the one to report
            raise
        finally:
            if enterprise:
                reading.exception()
                actual.close()
        snapshot = reading.result()
    if enterprise:
        snapshot = release.production_view(snapshot)
    snapshot = preview.without_previews(config, snapshot, lambda _: None)
    desired = found.specs
    settings = PlanSettings(
        workspace=config.name,
        # dataarts acts as the credentials' owner whatever workspace.yaml says (backends/dataarts)
        user=workspace.acting_user() or config.user,
        policies=config.policies,
        backend=actual.label,
        mappings=config.mappings,
        scheduling=config.scheduling,
        source=found.source,
        declare_in=relative(config.file, config.repo_root) if config.backend.get("type") == "local" else None,
    )
    if jobs:
        only = selection(jobs, desired, snapshot) | (only or frozenset())
    if not enterprise and lookalikes(desired, snapshot, {}):  # git's history may be the evidence
        rename_hints = {**repochanges.renamed_in_history(config.repo_root, config.name), **(rename_hints or {})}
    plan = guard_deletes(
        compute_plan(desired, snapshot, settings, only=only, rename_hints=rename_hints, detect_renames=not enterprise),
        snapshot.objects,
        allow=allow_mass_delete,
    )
    located_first = located_changes(plan, desired, config.repo_root)  # file:line before each reference named
    plan = dataclasses.replace(
        plan,
        changes=tuple(
            located(c, desired, config.repo_root) if c.reason == old.reason else c  # CDM, quality: the first one
            for c, old in zip(located_first, plan.changes, strict=True)
        ),
    )
    commit = gitrepo.head(config.repo_root)
    dirty = bool(gitrepo.dirty_paths(config.repo_root, [config.folder]))
    selected = None if only is None else tuple(str(key) for key in sorted(only))
    plan = Plan(
        settings=plan.settings,
        changes=plan.changes,
        repo_commit=commit,
        repo_dirty=dirty,
        selection=selected,
        impact=impact(plan, desired, snapshot),
    )
    if enterprise:
        info = release.release_info(config, plan, pull_request(config, commit))
        plan = dataclasses.replace(plan, release=info)
    plan = schedule.gate(plan, workspace, config.policies)
    if verify or (verify is None and config.verify is not None):
        section = verifying.plan_section(plan, config.verify or VerifySettings(), desired, config.policies)
        plan = dataclasses.replace(plan, verify=section)
    return Planned(plan=plan, snapshot=snapshot, desired=desired, layers=found)


def located_changes(plan: Plan, desired: Mapping[ObjectKey, Spec], root: Path) -> tuple[Change, ...]:
    """The plan's changes, a blocked job's reason naming the file and line of each script or
    job reference it is blocked on (ops/locate.py)."""
    blocked = {
        c.key: c.reason for c in plan.changes if c.action is Action.BLOCKED and c.key.kind is Kind.JOB and c.reason
    }
    if not blocked:
        return tuple(plan.changes)
    reasons = locate.locate_reasons(blocked, desired, root)
    return tuple(dataclasses.replace(c, reason=reasons[c.key]) if c.key in reasons else c for c in plan.changes)


def pull_request(config: WorkspaceConfig, commit: str | None) -> int | None:
    """The pull request a commit came from: JOBSYNC_PR when set (a workflow that knows it),
    else the merge or squash-merge commit message ("Merge pull request #12 ...", "Subject (#12)")."""
    given = os.environ.get("JOBSYNC_PR", "").strip().lstrip("#")
    if given.isdigit():
        return int(given)
    if commit is None:
        return None
    return pr_from_message(gitrepo.message(config.repo_root, commit) or "")


WRITING = (Action.CREATE, Action.UPDATE, Action.RENAME)  # the changes that write a body


def impact(plan: Plan, desired: Mapping[ObjectKey, Spec], snapshot: Snapshot) -> dict[str, JobImpact]:
    """The dependJobs neighbours of each job the plan changes, in the jobs apply leaves."""
    changed = [c.key.name for c in plan.changes if c.key.kind is Kind.JOB and c.action in CHANGING]
    if not changed:
        return {}
    # dependJobs of each job after apply: the repo's, the workspace's for jobs only it has, and
    # what apply writes (a workspace-only dependant following a rename). Bodies still held as
    # JSON text are read for it without being kept decoded (core/model.py StoredBody.peek).
    depends = {k.name: depend_jobs(s.peek()) for k, s in desired.items() if k.kind is Kind.JOB}
    depends.update(
        (k.name, depend_jobs(r.peek())) for k, r in snapshot.objects.items() if k.kind is Kind.JOB and k not in desired
    )
    depends.update(
        (c.key.name, depend_jobs(c.desired))
        for c in plan.changes
        if c.key.kind is Kind.JOB and c.action in WRITING and c.desired is not None
    )
    return impact_in(changed, depends)  # a deleted job stays: its downstream is what it breaks


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def locked(
    config: WorkspaceConfig,
    workspace: Workspace,
    *,
    command: str | None = None,
    timeout_s: float = lock.DEFAULT_TIMEOUT_S,
    on_wait: Callable[[str], None] = lambda _: None,
) -> Iterator[lock.LockInfo]:
    """Hold the workspace's run lock for the block (backends/lock.py): apply and export take
    it from before they read the workspace until they are done."""
    with lock.held(
        workspace.lock_store(),
        config.name,
        command or lock.command_line(),
        timeout_s=timeout_s,
        on_wait=on_wait,
    ) as info:
        debris.sweep(config, workspace.state_path(), on_wait)
        yield info


def backend_from(config: WorkspaceConfig, ref: str, warn: Callable[[str], None]) -> WorkspaceConfig:
    """`config` with the `backend:` settings workspace.yaml has at git `ref` (the pull request's
    base branch), so a branch cannot point the credentials at another endpoint; `warn` says so
    when the branch changes them. A workspace that does not exist at `ref` is refused."""
    rel = config.file.relative_to(config.repo_root).as_posix()
    commit = gitsource.resolve(config.repo_root, ref, where="--backend-from")
    raw = gitsource.read_file(config.repo_root, commit, rel)
    if raw is None:
        raise JobsyncError(
            f"{rel} does not exist at {ref}: a workspace new in this branch has no trusted backend settings "
            "yet; it is planned after it is merged"
        )
    base = parse_settings(limits.decode(raw, f"{rel} at {ref}"), rel)["backend"]
    if dict(base) != dict(config.backend):
        warn(
            f"this branch changes backend settings in {rel}; the plan uses those of {ref} "
            "(credentials only go where the base branch says)"
        )
    return dataclasses.replace(config, backend=base)
