"""An object rendered into its repo files and checked, for export: the per-object work (YAML
emission, the schema check, the parse cache's body and fingerprint), done on every core when
there are enough objects (repo/workers.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsync.core.model import Kind, ObjectKey, body_text
from jobsync.core.references import rename
from jobsync.errors import ConfigError, Problem
from jobsync.repo.files import checked_body, file_problems, render_object, stored_fingerprint


@dataclass(frozen=True)
class RenderedObject:
    """`files` (absolute path -> bytes) and of the YAML file's mapping (`data`) its name and
    directory (the whole mapping, unpickled in the main process, would double export's
    memory: its values would no longer be shared with the snapshot's); `problems`: what
    validate would refuse in that file; `unsafe`: why the object cannot be written at all (a
    name or directory that cannot be a path); `cached`: the YAML file's checked body as JSON
    text and its fingerprint, for the parse cache."""

    files: dict[Path, bytes] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unsafe: list[Problem] = field(default_factory=list)
    cached: dict[Path, tuple[str, str | None]] = field(default_factory=dict)


Job = tuple[Path, Path, Path, Kind, str, str, dict[str, dict[str, str]]]


def render_checked(job: Job) -> RenderedObject:
    """(folder, repo root, schema folder, kind, name, the body's JSON text, reverse mappings)."""
    folder, repo_root, schema_dir, kind, name, text, back = job
    key = ObjectKey(kind, name)
    body = rename(kind, json.loads(text), back)
    try:
        files, data = render_object(folder, key, body, schema_dir=schema_dir)
    except ConfigError as error:
        return RenderedObject(unsafe=list(error.problems))
    yaml_path = next(path for path in files if path.suffix == ".yaml")
    rel = yaml_path.relative_to(repo_root).as_posix()
    problems = file_problems(kind, data, rel)
    cached = {}
    if not problems:
        checked = checked_body(kind, yaml_path, rel, data, folder=folder, text=None, problems=[], checked=True)
        if checked is not None:
            cached[yaml_path] = (body_text(checked), stored_fingerprint(kind, checked))
    kept: dict[str, Any] = {key: data[key] for key in ("name", "directory") if key in data}  # what export reads
    return RenderedObject(files, kept, problems, [], cached)
