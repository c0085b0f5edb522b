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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jobsync.core import cdm
from jobsync.core.model import CDM_KINDS, FILE_KINDS, Kind, ObjectKey
from jobsync.core.writecheck import write_problems
from jobsync.errors import Problem
from jobsync.fileio import write_atomic
from jobsync.repo import schemas, yamlio
from jobsync.repo.files import unsafe_path_problem

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
    lines: Mapping[str, int] = field(default_factory=dict)  # top-level key -> its line in the file


TOP_KEY = re.compile(r"^([^\s#:'\"-][^:#]*?)\s*:(\s|$)")
# Fields the API requires of a job (reference §5.1's table: name, nodes, processType, schedule);
# a file may leave processType to its default, but an override may not remove what its object has.
REQUIRED = {Kind.JOB: ("nodes", "processType", "schedule"), Kind.SCRIPT: ("type",), Kind.RESOURCE: ("type",)}


def key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key of a YAML mapping (block style), for messages."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = TOP_KEY.match(line)
        if match:
            found.setdefault(match.group(1).strip(), number)
    return found


def merged_problems(override: Override, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Problem]:
    """What a patched object would be refused for beyond its file's schema, naming the patch's
    file and line: a directory or name that leaves the workspace folder (core/paths.py), what
    DataArts refuses at write time (core/writecheck.py), a required field the patch removes,
    and a job left with no node."""
    key, rel = override.key, override.source

    def at(where: str, message: str) -> Problem:
        return Problem(rel, message, override.lines.get(where), where or None)

    found = []
    unsafe = unsafe_path_problem(key, after)
    if unsafe:
        found.append(at("directory", f"the patched {key.kind.value}'s {unsafe}; fix or remove `directory`"))
    for name in REQUIRED.get(key.kind, ()):
        if name in before and name not in after:
            found.append(at(name, f"removes {name}, which a {key.kind.value} must have; remove `{name}: null`"))
    if key.kind is Kind.JOB and before.get("nodes") and isinstance(after.get("nodes"), list) and not after["nodes"]:
        found.append(at("nodes", "removes every node of the job; a job needs at least one node"))
    for code, message in write_problems(key.kind, after):
        found.append(at("", f"DataArts would refuse the patched {key.kind.value} ({code}): {message}"))
    return found


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


LINES = "\0lines"  # where _load hands the key lines over, beside the patch


def _load(kind: Kind, path: Path, rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        text = path.read_bytes().decode("utf-8")
        data = yamlio.load(text)
    except UnicodeDecodeError as error:
        problems.append(Problem(rel, f"not UTF-8 text ({error.reason}); save it as UTF-8"))
        return None
    except yaml.YAMLError as error:
        problems.append(yamlio.syntax_problem(error, rel, text))
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(rel, f"an override must be a mapping (a JSON merge patch of the {kind.value}'s fields)", 1)
        )
        return None
    found = schemas.check("override", data, rel, text)
    problems.extend(found)
    return None if found else {**data, LINES: key_lines(text)}


def load_overrides(folder: Path, repo_root: Path, problems: list[Problem]) -> dict[ObjectKey, Override]:
    """Every override file of a workspace folder; problems are appended."""
    overrides = {}
    for key, path in override_files(folder).items():
        rel = path.relative_to(repo_root).as_posix()
        patch = _load(key.kind, path, rel, problems)
        if patch is not None:
            lines = patch.pop(LINES)
            overrides[key] = Override(key, patch, rel, path, lines)
    return overrides


def render_override(patch: Mapping[str, Any]) -> bytes:
    return (SCHEMA_LINE + HEADER + yamlio.dump(dict(patch))).encode()


def write_override(folder: Path, key: ObjectKey, patch: Mapping[str, Any]) -> Path:
    path = override_path(folder, key)
    write_atomic(path, render_override(patch))
    return path
