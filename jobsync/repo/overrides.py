"""Override files: a JSON merge patch (RFC 7386) per object, applied after mappings.

    workspaces/<ws>/overrides/jobs/<job>.yaml
    workspaces/<ws>/overrides/scripts/<script>.yaml
    workspaces/<ws>/overrides/resources/<resource>.yaml
    workspaces/<ws>/overrides/cdm/<cluster>/links|jobs/<name>.yaml   (the repo's cluster name)

For what variables cannot express: a cron time, an owner, a node's retry policy. A job's
nodes and a node's properties are keyed by name (core/mergepatch.py):

    schedule: {cron: {expression: 0 0 3 * * ?}}
    nodes:
      load: {retryTimes: 3, properties: {database: sales_prod}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jobsync.core import cdm
from jobsync.core.model import CDM_KINDS, FILE_KINDS, Kind, ObjectKey
from jobsync.errors import Problem
from jobsync.fileio import write_atomic
from jobsync.repo import schemas, yamlio

OVERRIDES_DIR = "overrides"
CDM_DIR = "cdm"
SCHEMA_LINE = "# yaml-language-server: $schema=../../../../schemas/override.v1.json\n"
HEADER = "# A JSON merge patch (RFC 7386) of this object's definition, applied after mappings.\n"


@dataclass(frozen=True)
class Override:
    key: ObjectKey
    patch: Mapping[str, Any]
    source: str  # repo-relative file, for messages
    path: Path


def override_path(folder: Path, key: ObjectKey) -> Path:
    if key.kind in CDM_KINDS:
        cluster, name = cdm.split(key.name)
        return folder / OVERRIDES_DIR / CDM_DIR / cluster / cdm.of(key.kind).folder / f"{name}.yaml"
    return folder / OVERRIDES_DIR / key.kind.folder / f"{key.name}.yaml"


def override_files(folder: Path) -> dict[ObjectKey, Path]:
    found: dict[ObjectKey, Path] = {}
    for kind in FILE_KINDS:
        base = folder / OVERRIDES_DIR / kind.folder
        if base.is_dir():
            for path in sorted(base.glob("*.yaml")):
                found[ObjectKey(kind, path.stem)] = path
    for path in sorted((folder / OVERRIDES_DIR / CDM_DIR).glob("*/*/*.yaml")):
        kinds = {k.folder: cdm.plan_kind(k) for k in cdm.CdmKind}
        if path.parent.name in kinds:
            found[ObjectKey(kinds[path.parent.name], cdm.qualified(path.parent.parent.name, path.stem))] = path
    return found


def _load(kind: Kind, path: Path, rel: str, problems: list[Problem]) -> Mapping[str, Any] | None:
    try:
        text = path.read_bytes().decode("utf-8")
        data = yamlio.load(text)
    except UnicodeDecodeError as error:
        problems.append(Problem(rel, f"not UTF-8 text ({error.reason}); save it as UTF-8"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(rel, f"not valid YAML: {error}", mark.line + 1 if mark else None))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(rel, f"an override must be a mapping (a JSON merge patch of the {kind.value}'s fields)", 1)
        )
        return None
    found = schemas.check("override", data, rel, text)
    problems.extend(found)
    return None if found else data


def load_overrides(folder: Path, repo_root: Path, problems: list[Problem]) -> dict[ObjectKey, Override]:
    """Every override file of a workspace folder; problems are appended."""
    overrides = {}
    for key, path in override_files(folder).items():
        rel = path.relative_to(repo_root).as_posix()
        patch = _load(key.kind, path, rel, problems)
        if patch is not None:
            overrides[key] = Override(key, patch, rel, path)
    return overrides


def render_override(patch: Mapping[str, Any]) -> bytes:
    return (SCHEMA_LINE + HEADER + yamlio.dump(dict(patch))).encode()


def write_override(folder: Path, key: ObjectKey, patch: Mapping[str, Any]) -> Path:
    path = override_path(folder, key)
    write_atomic(path, render_override(patch))
    return path
