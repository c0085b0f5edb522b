"""workspace.yaml: which backend, who acts, under which policies, with which name mappings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jobsync.core import windows
from jobsync.core.policies import DeployWindows, Policies, Scheduling, VerifySettings
from jobsync.core.references import CDM_LINKS, MAPPED
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
    # workspace.yaml `local:` (backend.type local only): category -> the names the embedded
    # workspace has besides what its document lists (README "workspace.yaml")
    local: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    verify: VerifySettings | None = None  # workspace.yaml `verify`: apply runs what it wrote once
    preview_workspace: str | None = None  # workspace.yaml `preview.workspace`: where previews deploy

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
        raise ConfigError([yamlio.syntax_problem(error, rel, text)]) from None
    problems = schemas.check("workspace", data, rel, text)
    if problems:
        raise ConfigError(problems)
    if "local" in data and data["backend"].get("type") != "local":
        raise ConfigError(
            [
                Problem(
                    rel,
                    "`local:` lists what the embedded local workspace has; this workspace's backend is "
                    f"{data['backend'].get('type')}, whose connections and queues are made in the console: "
                    "remove `local:`",
                    yamlio.line_of(yamlio.line_map(text), ("local",)),
                    field="local",
                )
            ]
        )
    source = data.get("source")
    if source is not None and source.get("workspace") == Path(rel).parent.name:
        raise ConfigError(
            [Problem(rel, "a workspace cannot be its own source; name another workspace", field="source.workspace")]
        )
    return dict(data)


PLACEHOLDER = "REPLACE-ME"  # what `jobsync init --github` writes for the values to fill in


def placeholder_problems(data: Mapping[str, Any], rel: str, text: str) -> list[Problem]:
    """Each value still holding init's REPLACE-ME placeholder, on its line: validate refuses
    them, as the dataarts backend does when plan opens it (commands that never open the backend,
    such as `github changed-workspaces`, read the file as it is)."""
    found: list[Problem] = []
    lines: yamlio.Lines | None = None

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        nonlocal lines
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif isinstance(value, str) and PLACEHOLDER in value:
            lines = yamlio.line_map(text) if lines is None else lines
            field = ".".join(str(p) for p in path)
            found.append(
                Problem(
                    rel,
                    f"{field} is still the placeholder {value!r} that `jobsync init --github` wrote; "
                    "replace it with your workspace's value",
                    yamlio.line_of(lines, path),
                    field,
                )
            )

    walk(data, ())
    return found


def placeholders(config: WorkspaceConfig) -> list[Problem]:
    """placeholder_problems of a loaded workspace's workspace.yaml."""
    rel = config.file.relative_to(config.repo_root).as_posix()
    text = limits.decode(config.file.read_bytes(), rel)
    return placeholder_problems(yamlio.load(text) or {}, rel, text)


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
    policies = policy_settings(data.get("policies") or {}, rel)
    scheduling = data.get("scheduling") or {}
    categories = (*MAPPED, CDM_LINKS)
    mappings = {category: dict((data.get("mappings") or {}).get(category) or {}) for category in categories}
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
        local={category: tuple(names) for category, names in (data.get("local") or {}).items()},
        verify=verify_settings(data.get("verify")),
        preview_workspace=(data.get("preview") or {}).get("workspace"),
    )


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600}


def seconds(text: str) -> int:
    """A duration the schema checked (`90s`, `10m`, `1h`) in seconds."""
    return int(text[:-1]) * DURATION_UNITS[text[-1]]


def policy_settings(raw: Mapping[str, Any], rel: str) -> Policies:
    data = dict(raw)
    raw_windows = data.pop("deploy_windows", None)
    quiet = data.pop("quiet_before_run", None)
    deploy = None
    if raw_windows is not None:
        deploy = DeployWindows(
            time_zone=str(raw_windows.get("time_zone", "UTC")),
            allow=tuple(raw_windows.get("allow") or ()),
            deny=tuple(raw_windows.get("deny") or ()),
        )
        found = windows.problems(deploy)
        if found:
            raise ConfigError([Problem(rel, problem, field="policies.deploy_windows") for problem in found])
    return Policies(**data, deploy_windows=deploy, quiet_before_run_s=None if quiet is None else seconds(str(quiet)))


def verify_settings(raw: Mapping[str, Any] | None) -> VerifySettings | None:
    """workspace.yaml's `verify:` (checked by the schema) with its defaults filled in."""
    if raw is None:
        return None
    jobs = raw.get("jobs", "changed")
    return VerifySettings(
        jobs="changed" if jobs == "changed" else tuple(str(name) for name in jobs),
        params={
            str(name): {str(k): str(v) for k, v in values.items()} for name, values in (raw.get("params") or {}).items()
        },
        timeout_s=float(seconds(raw["timeout"])) if raw.get("timeout") else 600.0,
        on_failure=raw.get("on_failure", "report"),
        stop_after=bool(raw.get("stop_after", True)),
    )


def release_settings(raw: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """workspace.yaml's `release:` (checked by the schema) with its default filled in."""
    if raw is None:
        return None
    return {
        "approvers": [str(name) for name in raw.get("approvers") or []],
        "startup_mode": raw.get("startup_mode", "start"),
    }
