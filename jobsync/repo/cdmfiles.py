"""The repository format of CDM links and jobs: one YAML file per object, per cluster.

    workspaces/<ws>/cdm/<cluster>/links/<link>.yaml
    workspaces/<ws>/cdm/<cluster>/jobs/<job>.yaml

`<cluster>` is the cluster's repo name (workspace.yaml `mappings.cdm_clusters` maps it to a
real cluster). A file holds the stored form (core/cdm.py strip) with one readability change,
made only where it is lossless: a config-values object's `configs` list is written as a mapping
config name -> {parameter: value} when every config is exactly {name, inputs}, every input
exactly {name, value} named `<config>.<parameter>`, and no name repeats. Secret inputs hold
`{secret: ENV_NAME}`, never a value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from jobsync.core import cdm, paths
from jobsync.core.cdm import CdmKey, CdmKind, CdmSpec
from jobsync.errors import ConfigError, Problem
from jobsync.fileio import write_atomic
from jobsync.repo import limits, schemas, yamlio

FOLDER = "cdm"
SCHEMA_LINE = "# yaml-language-server: $schema={path}\n"
REFERENCE_FIELDS = ("from-link-name", "to-link-name")

# -- stored form <-> file form -----------------------------------------------------------------


def _keyable(configs: Any) -> bool:
    if not isinstance(configs, list) or not configs:
        return False
    seen: set[str] = set()
    for config in configs:
        if not isinstance(config, dict) or set(config) != {"name", "inputs"} or not isinstance(config["name"], str):
            return False
        if config["name"] in seen or not isinstance(config["inputs"], list):
            return False
        seen.add(config["name"])
        params: set[str] = set()
        for item in config["inputs"]:
            if not isinstance(item, dict) or set(item) != {"name", "value"} or not isinstance(item["name"], str):
                return False
            prefix, dot, param = item["name"].partition(".")
            if prefix != config["name"] or not dot or not param or param in params:
                return False
            params.add(param)
    return True


def to_file_form(kind: CdmKind, body: Mapping[str, Any]) -> dict[str, Any]:
    """The YAML mapping of a stored-form body."""
    data = dict(body)
    for values_key in kind.values_keys:
        values = data.get(values_key)
        if isinstance(values, Mapping) and _keyable(values.get("configs")):
            configs = {
                config["name"]: {item["name"].partition(".")[2]: item["value"] for item in config["inputs"]}
                for config in values["configs"]
            }
            data[values_key] = {**values, "configs": configs}
    return data


def from_file_form(kind: CdmKind, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored-form body of a file's mapping (either spelling of `configs`)."""
    body = dict(data)
    for values_key in kind.values_keys:
        values = body.get(values_key)
        if isinstance(values, Mapping) and isinstance(values.get("configs"), Mapping):
            configs = [
                {
                    "name": name,
                    "inputs": [{"name": f"{name}.{param}", "value": value} for param, value in (params or {}).items()],
                }
                for name, params in values["configs"].items()
            ]
            body[values_key] = {**values, "configs": configs}
    return body


# -- paths -------------------------------------------------------------------------------------


def object_path(folder: Path, key: CdmKey) -> Path:
    """Where an object's file goes; ConfigError naming it when its cluster or name cannot be a
    file name."""
    problem = paths.segment_problem(key.cluster, "the cluster name") or paths.name_problem(key.name)
    if problem:
        raise ConfigError([Problem(str(key), f"{problem}; nothing was written: rename it in the workspace")])
    return folder / FOLDER / key.cluster / key.kind.folder / f"{key.name}.yaml"


def render(folder: Path, key: CdmKey, body: Mapping[str, Any], *, schema_dir: Path) -> tuple[Path, bytes]:
    """(path, bytes) of the file that holds one object (`body` in the stored or API form)."""
    path = object_path(folder, key)
    data = to_file_form(key.kind, cdm.strip(key.kind, body))
    schema = Path(os.path.relpath(schema_dir / f"{key.kind.schema}.{schemas.VERSION}.json", path.parent))
    return path, (SCHEMA_LINE.format(path=schema.as_posix()) + yamlio.dump(data)).encode()


def cdm_files(folder: Path, repo_root: Path, problems: list[Problem]) -> Iterator[tuple[CdmKey, Path]]:
    """Each CDM object file under `folder/cdm`, in path order; anything else there is a problem."""
    base = folder / FOLDER
    if not base.is_dir():
        return
    for cluster_dir in sorted(base.iterdir()):
        rel = cluster_dir.relative_to(repo_root).as_posix()
        if not cluster_dir.is_dir():
            problems.append(Problem(rel, "cdm/ holds one folder per cluster (cdm/<cluster>/links, .../jobs); move it"))
            continue
        for entry in sorted(cluster_dir.iterdir()):
            kind = next((k for k in CdmKind if k.folder == entry.name), None)
            if kind is None or not entry.is_dir():
                problems.append(
                    Problem(
                        entry.relative_to(repo_root).as_posix(),
                        "unknown entry: a cluster folder holds links/ and jobs/",
                    )
                )
                continue
            yield from _kind_files(cluster_dir.name, kind, entry, repo_root, problems)


def _kind_files(
    cluster: str, kind: CdmKind, base: Path, repo_root: Path, problems: list[Problem]
) -> Iterator[tuple[CdmKey, Path]]:
    for path in sorted(base.iterdir()):
        rel = path.relative_to(repo_root).as_posix()
        if path.is_file() and path.suffix == ".yaml":
            yield CdmKey(cluster, kind, path.stem), path
        else:
            problems.append(Problem(rel, f"not read: {kind.folder}/ holds only <name>.yaml files (no sub-folders)"))


# -- loading -----------------------------------------------------------------------------------


def load_file(key: CdmKey, path: Path, repo_root: Path, problems: list[Problem]) -> CdmSpec | None:
    """Parse and check one CDM file; problems are appended, never raised."""
    rel = path.relative_to(repo_root).as_posix()
    if not paths.inside(path, repo_root):
        problems.append(Problem(rel, "leads outside the repository through a symlink; not read"))
        return None
    raw = path.read_bytes()
    problem = limits.utf8_problem(raw, rel)
    if problem:
        problems.append(problem)
        return None
    text = raw.decode("utf-8")
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(
            Problem(rel, f"not valid YAML: {getattr(error, 'problem', error)}", mark.line + 1 if mark else None)
        )
        return None
    found = schemas.check(key.kind.schema, data, rel, text)
    if found:
        problems.extend(found)
        return None
    lines = yamlio.line_map(text)
    if data["name"] != key.name:
        problems.append(
            Problem(
                rel,
                f"name {data['name']!r} must match the file name {key.name!r}; rename one of them",
                lines.get(("name",)),
                "name",
            )
        )
        return None
    body = from_file_form(key.kind, data)
    problems.extend(_secret_problems(key, body, rel, lines))
    refs = {field: lines[(field,)] for field in REFERENCE_FIELDS if (field,) in lines}
    return CdmSpec(key, body, source=rel, lines=refs)


def _secret_problems(
    key: CdmKey, body: Mapping[str, Any], rel: str, lines: Mapping[tuple[str | int, ...], int]
) -> list[Problem]:
    found = []
    for name in cdm.plain_secrets(body, key.kind):
        param = name.partition(".")[2]
        line = next((n for path, n in lines.items() if path[-1:] in ((param,), (name,))), None)
        found.append(
            Problem(
                rel,
                f"the secret input {name} holds a value; the repo must never hold one: write "
                f"`{param}: {{secret: ENV_NAME}}` and set ENV_NAME where apply runs",
                line,
                name,
            )
        )
    return found


def load(folder: Path, repo_root: Path) -> dict[CdmKey, CdmSpec]:
    """Every CDM object of a workspace folder; raises ConfigError listing all problems."""
    problems: list[Problem] = []
    specs: dict[CdmKey, CdmSpec] = {}
    for key, path in list(cdm_files(folder, repo_root, problems)):
        spec = load_file(key, path, repo_root, problems)
        if spec is not None:
            specs[key] = spec
    if problems:
        raise ConfigError(problems)
    return specs


def unformatted(folder: Path, repo_root: Path, schema_dir: Path) -> list[tuple[Path, bytes]]:
    """CDM files whose bytes are not what `render` makes of them: (path, canonical bytes)."""
    found = []
    for key, path in list(cdm_files(folder, repo_root, [])):
        spec = load_file(key, path, repo_root, [])
        if spec is None:
            continue
        _, wanted = render(folder, key, spec.body, schema_dir=schema_dir)
        if path.read_bytes() != wanted:
            found.append((path, wanted))
    return found


def write(folder: Path, key: CdmKey, body: Mapping[str, Any], *, schema_dir: Path) -> Path:
    """Write one object's file atomically; its path."""
    path, data = render(folder, key, body, schema_dir=schema_dir)
    write_atomic(path, data)
    return path
