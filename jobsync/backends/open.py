"""Opening the backend a workspace.yaml names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsync.backends.base import Workspace
from jobsync.backends.local import LocalWorkspace
from jobsync.errors import ConfigError, Problem


def open_workspace(
    backend: Mapping[str, Any], *, name: str, repo_root: Path, folder: Path, cache_dir: Path, source: str
) -> Workspace:
    """The workspace `backend` (workspace.yaml's `backend:` mapping) describes.

    `folder` is the workspace's folder (a local `seed` is relative to it), `cache_dir` where a
    remote backend keeps its caches, `source` the file named in errors.
    """
    if backend["type"] == "local":
        seed = backend.get("seed")
        return LocalWorkspace(
            repo_root / backend["path"],
            seed=folder / seed if seed else None,
            label=f"local {backend['path']}",
        )
    if backend["type"] == "dataarts":
        from jobsync.backends.dataarts.workspace import DataArtsWorkspace  # HTTP and OBS clients load only when used

        return DataArtsWorkspace.from_config(backend, workspace_name=name, cache_dir=cache_dir)
    raise ConfigError([Problem(source, f"unknown backend type {backend['type']!r}", field="backend.type")])
