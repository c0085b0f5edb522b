"""The repository format: one YAML file per object, folders mirroring DataArts directories.

    workspaces/<ws>/jobs/<directory...>/<job>.yaml
    workspaces/<ws>/scripts/<directory...>/<script>.yaml   + <script>.sql|.sh|.py|.txt (content)
    workspaces/<ws>/resources/<directory...>/<resource>.yaml

A file holds the stored form (normalize.strip) with two readability changes: a node's
`properties` list is written as a mapping when every entry is a plain {name, value}, and a
script's `content` lives in the sidecar file. `directory` may be left out: the folder says it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from jobsync import schemas, yamlio
from jobsync.errors import ConfigError, Problem
from jobsync.model import Kind, ObjectKey, Spec, directory_of
from jobsync.normalize import normal_directory, strip

SCHEMA_LINE = "# yaml-language-server: $schema={path}\n"
CONTENT_KEY = "content"


def sidecar_suffix(script_type: str) -> str:
    upper = script_type.upper()
    if upper == "SHELL":
        return ".sh"
    if "PYTHON" in upper:
        return ".py"
    if upper.endswith("SQL") or upper in {"PRESTO"}:
        return ".sql"
    return ".txt"


# -- stored form <-> file form -----------------------------------------------------------------

def _plain_properties(properties: Any) -> bool:
    if not isinstance(properties, list) or not properties:
        return False
    names = [p.get("name") for p in properties if isinstance(p, dict)]
    return (
        all(isinstance(p, dict) and set(p) == {"name", "value"} and isinstance(p["value"], str)
            and isinstance(p["name"], str) for p in properties)
        and len(set(names)) == len(names)
    )


def to_file_form(kind: Kind, body: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(YAML mapping, sidecar content) for a stored-form body."""
    data = dict(body)
    content = None
    if kind is Kind.SCRIPT and CONTENT_KEY in data:
        content = str(data.pop(CONTENT_KEY) or "")
    if kind is Kind.JOB and isinstance(data.get("nodes"), list):
        data["nodes"] = [_node_to_file(node) for node in data["nodes"]]
    return data, content


def _node_to_file(node: Any) -> Any:
    if isinstance(node, dict) and _plain_properties(node.get("properties")):
        node = {**node, "properties": {p["name"]: p["value"] for p in node["properties"]}}
    return node


def from_file_form(kind: Kind, data: Mapping[str, Any], content: str | None) -> dict[str, Any]:
    body = dict(data)
    if kind is Kind.JOB and isinstance(body.get("nodes"), list):
        body["nodes"] = [_node_from_file(node) for node in body["nodes"]]
    if content is not None:
        body[CONTENT_KEY] = content
    return body


def _node_from_file(node: Any) -> Any:
    if isinstance(node, dict) and isinstance(node.get("properties"), dict):
        node = {**node, "properties": [
            {"name": name, "value": value} for name, value in node["properties"].items()
        ]}
    return node


# -- writing -----------------------------------------------------------------------------------

def object_path(folder: Path, key: ObjectKey, body: Mapping[str, Any]) -> Path:
    directory = directory_of(body)
    base = folder / key.kind.folder
    return (base / directory if directory else base) / f"{key.name}.yaml"


def render_files(
    folder: Path, key: ObjectKey, body: Mapping[str, Any], *, schema_dir: Path
) -> dict[Path, bytes]:
    """The files (absolute path -> bytes) that hold one object."""
    path = object_path(folder, key, body)
    data, content = to_file_form(key.kind, strip(key.kind, body))
    schema = Path(os.path.relpath(schema_dir / f"{key.kind.value}.{schemas.VERSION}.json", path.parent))
    text = SCHEMA_LINE.format(path=schema.as_posix()) + yamlio.dump(data)
    files = {path: text.encode()}
    if key.kind is Kind.SCRIPT:
        suffix = sidecar_suffix(str(body.get("type", "")))
        files[path.with_suffix(suffix)] = (content or "").encode()
    return files


# -- loading -----------------------------------------------------------------------------------

def object_files(folder: Path) -> Iterable[tuple[Kind, Path]]:
    for kind in Kind:
        base = folder / kind.folder
        if base.is_dir():
            for path in sorted(base.rglob("*.yaml")):
                yield kind, path


def _sidecar(path: Path, rel: str, problems: list[Problem]) -> str | None:
    candidates = [p for p in path.parent.glob(f"{path.stem}.*") if p.suffix != ".yaml" and p.stem == path.stem]
    if len(candidates) != 1:
        found = ", ".join(sorted(p.name for p in candidates)) or "none"
        problems.append(Problem(rel, f"a script needs exactly one content file beside it "
                                f"({path.stem}.sql, .sh, .py or .txt); found {found}"))
        return None
    return candidates[0].read_bytes().decode("utf-8")


def load_file(
    kind: Kind, path: Path, *, folder: Path, repo_root: Path, problems: list[Problem]
) -> Spec | None:
    """Parse and check one object file; problems are appended, never raised."""
    rel = path.relative_to(repo_root).as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(rel, f"not valid YAML: {getattr(error, 'problem', error)}",
                                mark.line + 1 if mark else None))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, f"a {kind.value} file must hold a mapping", 1))
        return None
    found = schemas.check(kind.value, data, rel, text)
    if found:
        problems.extend(found)
        return None
    lines = yamlio.line_map(text)
    if data["name"] != path.stem:
        problems.append(Problem(rel, f"name {data['name']!r} must match the file name "
                                f"{path.stem!r}; rename one of them", yamlio.line_of(lines, ("name",)), "name"))
        return None
    folder_dir = normal_directory(path.parent.relative_to(folder / kind.folder).as_posix())
    if "directory" in data and normal_directory(data["directory"]) != folder_dir:
        problems.append(Problem(
            rel, f"directory {data['directory']!r} does not match the folder the file is in "
            f"({folder_dir!r}); move the file or fix the field",
            yamlio.line_of(lines, ("directory",)), "directory"))
        return None
    if "directory" not in data and folder_dir != "/":
        data = {"name": data["name"], "directory": folder_dir, **data}
    content = _sidecar(path, rel, problems) if kind is Kind.SCRIPT else None
    if kind is Kind.SCRIPT and content is None:
        return None
    body = from_file_form(kind, data, content)
    return Spec(ObjectKey(kind, data["name"]), body, source=rel)


def load_objects(folder: Path, repo_root: Path) -> dict[ObjectKey, Spec]:
    """Every object of a workspace folder; raises ConfigError listing all problems."""
    problems: list[Problem] = []
    specs: dict[ObjectKey, Spec] = {}
    for kind, path in object_files(folder):
        spec = load_file(kind, path, folder=folder, repo_root=repo_root, problems=problems)
        if spec is None:
            continue
        if spec.key in specs:
            problems.append(Problem(spec.source or "", f"{spec.key} is defined twice: here and "
                                    f"in {specs[spec.key].source}; keep one"))
            continue
        specs[spec.key] = spec
    if problems:
        raise ConfigError(problems)
    return specs
