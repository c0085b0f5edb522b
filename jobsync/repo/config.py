"""workspace.yaml: which backend, who acts, under which policies, with which name mappings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jobsync.core.policies import Policies, Scheduling
from jobsync.core.references import MAPPED
from jobsync.errors import ConfigError, Problem, UsageError
from jobsync.repo import limits, schemas, yamlio

WORKSPACES_DIR = "workspaces"
WORKSPACE_FILE = "workspace.yaml"
DEFAULT_USER = "jobsync"
STATE_DIR = Path(".jobsync")  # under the repo root: caches and backups, ignored by git
CACHE_DIR = STATE_DIR / "cache"
BACKUPS_DIR = STATE_DIR / "backups"


@dataclass(frozen=True)
class SourceSetting:
    """workspace.yaml `source`: deploy another workspace's definitions, read at a git ref."""

    workspace: str
    ref: str | None = None  # None: the working tree


@dataclass(frozen=True)
class WorkspaceConfig:
    """One workspace folder's settings, as read from its workspace.yaml."""

    name: str
    folder: Path  # workspaces/<name>
    repo_root: Path
    backend: Mapping[str, Any]
    user: str
    policies: Policies = field(default_factory=Policies)
    mappings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source: SourceSetting | None = None
    scheduling: Scheduling = field(default_factory=Scheduling)
    # enterprise mode: {"approvers": [...], "startup_mode": "start" | "keep"} (ops/release.py)
    release: Mapping[str, Any] | None = None
    github_environment: str | None = None  # workspace.yaml `github.environment`: apply waits for its approval

    @property
    def file(self) -> Path:
        return self.folder / WORKSPACE_FILE

    @property
    def repo_cache(self) -> Path:
        """The parse cache of this workspace's repo files (repo.ParseCache)."""
        return self.repo_root / CACHE_DIR / f"repo-{self.name}.jsonl"


def workspace_names(repo_root: Path) -> list[str]:
    base = repo_root / WORKSPACES_DIR
    if not base.is_dir():
        return []
    return sorted(p.parent.name for p in base.glob(f"*/{WORKSPACE_FILE}"))


def folders_without_settings(repo_root: Path) -> list[Problem]:
    """A folder under workspaces/ without workspace.yaml: nothing in it is read (a misnamed
    workspace.yml, a forgotten file), so it is a problem, not silence."""
    base = repo_root / WORKSPACES_DIR
    if not base.is_dir():
        return []
    return [
        Problem(
            f"{WORKSPACES_DIR}/{folder.name}/",
            f"no {WORKSPACE_FILE} in this workspace folder, so nothing in it is read; "
            f"add {WORKSPACE_FILE} (see `jobsync init`) or move the folder out of {WORKSPACES_DIR}/",
        )
        for folder in sorted(base.iterdir())
        if folder.is_dir() and not folder.name.startswith(".") and not (folder / WORKSPACE_FILE).is_file()
    ]


def pick_workspace(repo_root: Path, name: str | None) -> str:
    """The workspace to act on: the one named, or the only one there is."""
    names = workspace_names(repo_root)
    if name is None:
        if len(names) == 1:
            return names[0]
        listed = ", ".join(names) or "none"
        raise UsageError(f"name a workspace with -w/--workspace (workspaces in {repo_root / WORKSPACES_DIR}: {listed})")
    if name not in names:
        listed = ", ".join(names) or "none yet; run `jobsync init`"
        raise UsageError(
            f"unknown workspace {name!r}: there is no {WORKSPACES_DIR}/{name}/{WORKSPACE_FILE} "
            f"in {repo_root} (workspaces: {listed})"
        )
    return name


def parse_settings(text: str, rel: str) -> dict[str, Any]:
    """A workspace.yaml's text, parsed and checked against its schema (ConfigError otherwise)."""
    try:
        data = yamlio.load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ConfigError([Problem(rel, f"not valid YAML: {error}", line)]) from None
    problems = schemas.check("workspace", data, rel, text)
    if problems:
        raise ConfigError(problems)
    source = data.get("source")
    if source is not None and source.get("workspace") == Path(rel).parent.name:
        raise ConfigError(
            [Problem(rel, "a workspace cannot be its own source; name another workspace", field="source.workspace")]
        )
    return dict(data)


def source_setting(data: Mapping[str, Any]) -> SourceSetting | None:
    source = data.get("source")
    if source is None:
        return None
    ref = source.get("ref")
    return SourceSetting(workspace=str(source["workspace"]), ref=None if ref is None else str(ref))


def load_workspace(repo_root: Path, name: str, *, user: str | None = None) -> WorkspaceConfig:
    """Read and validate workspaces/<name>/workspace.yaml; user: --user, else JOBSYNC_USER."""
    folder = repo_root / WORKSPACES_DIR / name
    path = folder / WORKSPACE_FILE
    rel = path.relative_to(repo_root).as_posix()
    data = parse_settings(limits.decode(path.read_bytes(), rel), rel)
    policies = Policies(**(data.get("policies") or {}))
    scheduling = data.get("scheduling") or {}
    mappings = {category: dict((data.get("mappings") or {}).get(category) or {}) for category in MAPPED}
    acting = user or os.environ.get("JOBSYNC_USER") or data.get("user") or DEFAULT_USER
    return WorkspaceConfig(
        name=name,
        folder=folder,
        repo_root=repo_root,
        backend=data["backend"],
        user=acting,
        policies=policies,
        mappings=mappings,
        source=source_setting(data),
        scheduling=Scheduling(default=scheduling.get("default", "keep"), jobs=dict(scheduling.get("jobs") or {})),
        release=release_settings(data.get("release")),
        github_environment=(data.get("github") or {}).get("environment"),
    )


def release_settings(raw: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """workspace.yaml's `release:` (checked by the schema) with its default filled in."""
    if raw is None:
        return None
    return {
        "approvers": [str(name) for name in raw.get("approvers") or []],
        "startup_mode": raw.get("startup_mode", "start"),
    }
