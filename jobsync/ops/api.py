"""The programmatic API: load a workspace's settings, make a plan, apply it. Each call returns
data (no printing), so tests and other tools need not parse the CLI's output.

    import jobsync
    config = jobsync.load_workspace("path/to/repo", "dev")
    plan = jobsync.make_plan(config)            # core.plan.Plan
    if plan.has_changes and not plan.blocked:
        result = jobsync.apply_plan(config, plan)   # ops.apply.ApplyResult
        assert result.ok, result.failed
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jobsync.core.history import version_description
from jobsync.core.plan import Action, Plan
from jobsync.ops import plan as planning
from jobsync.ops import planfile, release
from jobsync.ops.apply import ApplyResult, Progress
from jobsync.ops.apply import apply_plan as apply_changes
from jobsync.render.document import plan_to_document
from jobsync.repo import config as configuration
from jobsync.repo import gitrepo
from jobsync.repo.config import WorkspaceConfig


def load_workspace(repo: str | Path, name: str | None = None, *, user: str | None = None) -> WorkspaceConfig:
    """The settings of workspace `name` (or of the only workspace) in the git repo around `repo`."""
    root = gitrepo.find_root(Path(repo).resolve())
    return configuration.load_workspace(root, configuration.pick_workspace(root, name), user=user)


def make_plan(
    config: WorkspaceConfig, *, jobs: Sequence[str] = (), refresh: bool = False, allow_mass_delete: bool = False
) -> Plan:
    """The plan that makes the workspace match the repo; `jobs` narrows it as `--job` does;
    a mass delete is blocked unless `allow_mass_delete` (core/guards.py)."""
    workspace = planning.open_workspace(config)
    try:
        return planning.make_plan(
            config, workspace, jobs=jobs, refresh=refresh, allow_mass_delete=allow_mass_delete
        ).plan
    finally:
        workspace.close()


def version_message(config: WorkspaceConfig, plan: Plan) -> str:
    """The description of every version apply submits: the commit (`<sha>+dirty` when
    uncommitted files were applied), its PR, the workspace, the user (on dataarts the owner of
    the credentials); core/history.py reads it back for `jobsync history`."""
    pr = planning.pull_request(config, plan.repo_commit)
    return version_description(plan.repo_commit, config.name, plan.settings.user, pr, dirty=plan.repo_dirty)


def apply_plan(config: WorkspaceConfig, plan: Plan, *, progress: Progress = lambda *_: None) -> ApplyResult:
    """Apply `plan`, made by `make_plan`: the workspace is read again and the plan is refused
    (StalePlanError, naming the objects) when anything it covers changed since it was made."""
    only = None if plan.selection is None else planning.parse_selection(plan.selection)
    workspace = planning.open_workspace(config)
    try:
        with planning.locked(config, workspace, command=f"jobsync.apply_plan ({config.name})"):
            shown = plan_to_document(plan)
            hints = planning.saved_renames(shown["changes"])
            confirmed = any(c.action is Action.DELETE for c in plan.changes)
            fresh = planning.make_plan(
                config, workspace, only=only, rename_hints=hints, allow_mass_delete=confirmed
            ).plan
            planfile.check_fresh(shown, plan_to_document(fresh))
            result = apply_changes(
                fresh,
                workspace,
                message=version_message(config, fresh),
                backup_root=config.repo_root / configuration.BACKUPS_DIR,
                progress=progress,
            )
            if fresh.release is not None:  # enterprise mode: bundle what was written into packages
                written = [(change.key.kind.value, change.key.name) for change, _ in result.applied]
                result.packages = release.documents(release.bundle(config, workspace, fresh, written))
            return result
    finally:
        workspace.close()
