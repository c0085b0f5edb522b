"""jobsync: git as the source of truth for DataArts Factory jobs, scripts and resources.

The programmatic API (jobsync/ops/api.py) returns data and prints nothing:

    load_workspace(repo, name=None, *, user=None) -> WorkspaceConfig
    make_plan(config, *, jobs=(), refresh=False)   -> Plan          (core/plan.py)
    apply_plan(config, plan, *, progress=...)      -> ApplyResult   (ops/apply.py)
                   (plan: a Plan from make_plan, or the path of a `plan --out` file)

and the types they return, plus JobsyncError, the root of every error jobsync reports. The
names load on first use, so `import jobsync` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobsync.version import __version__

__all__ = [
    "Action",
    "ApplyResult",
    "Change",
    "JobsyncError",
    "Plan",
    "WorkspaceConfig",
    "__version__",
    "apply_plan",
    "load_workspace",
    "make_plan",
]

_HOMES = {
    "Action": "jobsync.core.plan",
    "Change": "jobsync.core.plan",
    "Plan": "jobsync.core.plan",
    "ApplyResult": "jobsync.ops.apply",
    "JobsyncError": "jobsync.errors",
    "WorkspaceConfig": "jobsync.repo.config",
    "apply_plan": "jobsync.ops.api",
    "load_workspace": "jobsync.ops.api",
    "make_plan": "jobsync.ops.api",
}

if TYPE_CHECKING:
    from jobsync.core.plan import Action, Change, Plan
    from jobsync.errors import JobsyncError
    from jobsync.ops.api import apply_plan, load_workspace, make_plan
    from jobsync.ops.apply import ApplyResult
    from jobsync.repo.config import WorkspaceConfig


def __getattr__(name: str) -> Any:
    """PEP 562: import an API name's module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'jobsync' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)
