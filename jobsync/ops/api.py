"""The programmatic API: load a workspace's settings, make a plan, apply it. Each call returns
data (no printing), so tests and other tools need not parse the CLI's output. They run the same
use cases as the CLI (ops/usecases.py).

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

from jobsync.core.plan import Plan
from jobsync.ops import usecases
from jobsync.ops.apply import ApplyResult, Progress
from jobsync.ops.usecases import load_workspace, version_message
from jobsync.repo.config import WorkspaceConfig

__all__ = ["apply_plan", "load_workspace", "make_plan", "version_message"]


def make_plan(
    config: WorkspaceConfig, *, jobs: Sequence[str] = (), refresh: bool = False, allow_mass_delete: bool = False
) -> Plan:
    """The plan that makes the workspace match the repo; `jobs` narrows it as `--job` does;
    a mass delete is blocked unless `allow_mass_delete` (core/guards.py)."""
    return usecases.plan(config, jobs=jobs, refresh=refresh, allow_mass_delete=allow_mass_delete).plan


def apply_plan(
    config: WorkspaceConfig, plan: Plan | str | Path, *, progress: Progress = lambda *_: None
) -> ApplyResult:
    """Apply `plan`, made by `make_plan` or saved by `jobsync plan --out` (a path): the
    workspace is read again and the plan is refused (StalePlanError, naming the objects) when
    anything it covers changed since it was made."""
    saved = plan if isinstance(plan, Plan) else Path(plan)
    voice = usecases.Voice(progress=progress)
    return usecases.apply(config, saved=saved, command=f"jobsync.apply_plan ({config.name})", voice=voice).result
