"""Opening the backend a workspace.yaml names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jobsync.backends.base import Workspace
from jobsync.backends.local import LocalWorkspace
from jobsync.core import paths
from jobsync.errors import ConfigError, Problem


def contained(path: Path, repo_root: Path, source: str, field: str) -> Path:
    """`path` when it stays inside the repo (symlinks resolved) or in a directory the environment
    allows (JOBSYNC_ALLOWED_PATHS); else a ConfigError: the repo never decides to write elsewhere."""
    text = str(path)
    if "\0" in text:
        raise ConfigError([Problem(source, "the path contains a NUL character", field=field)])
    if paths.inside(path, repo_root) or paths.inside_any(path, paths.allowed_roots()):
        return path
    raise ConfigError(
        [
            Problem(
                source,
                f"{path} is outside the repository {repo_root}; keep it inside, or allow its directory "
                f"with the environment variable {paths.ALLOWED_PATHS_ENV} (never set in the repo)",
                field=field,
            )
        ]
    )


def open_workspace(
    backend: Mapping[str, Any],
    *,
    name: str,
    repo_root: Path,
    folder: Path,
    cache_dir: Path,
    source: str,
    declared: Mapping[str, Sequence[str]] | None = None,
) -> Workspace:
    """The workspace `backend` (workspace.yaml's `backend:` mapping) describes.

    `folder` is the workspace's folder (a local `seed` is relative to it), `cache_dir` where a
    remote backend keeps its caches, `source` the file named in errors, `declared` the names
    workspace.yaml's `local:` says the local workspace has (category -> names).
    """
    if backend["type"] == "local":
        seed = backend.get("seed")
        path = contained(repo_root / str(backend["path"]), repo_root, source, "backend.path")
        seed_path = contained(folder / str(seed), repo_root, source, "backend.seed") if seed else None
        if seed_path is not None and not seed_path.is_file():
            raise ConfigError(
                [
                    Problem(
                        source,
                        f"seed {seed!r} does not exist ({seed_path}); the seed is relative to the workspace folder",
                        field="backend.seed",
                    )
                ]
            )
        return LocalWorkspace(path, seed=seed_path, label=f"local {backend['path']}", declared=declared)
    if backend["type"] == "dataarts":
        from jobsync.backends.dataarts.workspace import DataArtsWorkspace  # HTTP and OBS clients load only when used

        return DataArtsWorkspace.from_config(backend, workspace_name=name, cache_dir=cache_dir)
    raise ConfigError([Problem(source, f"unknown backend type {backend['type']!r}", field="backend.type")])


def cached_job_names(backend: Mapping[str, Any], *, name: str, cache_dir: Path) -> frozenset[str] | None:
    """The job names a remote backend's cache kept from its last read of workspace `name` (what
    can be known with no network), or None: not a cached backend, no cache, or another's."""
    if backend.get("type") != "dataarts":
        return None
    from jobsync.backends.dataarts import cache  # the dataarts modules load only when used

    return cache.cached_job_names(backend, cache_dir, name)
