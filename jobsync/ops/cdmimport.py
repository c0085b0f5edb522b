"""`jobsync archive import FILE.json --cdm-cluster NAME`: a CDM console export into the repo.

The CDM console exports jobs and links as JSON with every password replaced by `Add password
here` (reference §12.7); its top-level shape is not printed anywhere, so jobsync reads
`{"links": [...], "jobs": [...]}` (§12.10) and also a bare create body (`{"links": [...]}` or
`{"jobs": [...]}`). Each secret input becomes a `{secret: NAME}` reference whatever it held
(placeholder or value), and the variables named are returned so that the caller can say which
to set. Files are written as export writes them, never over uncommitted edits; a file that
does not validate stops the import before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsync.core import cdm, paths
from jobsync.core.cdm import CdmKey, CdmKind
from jobsync.core.model import ObjectKey
from jobsync.errors import ArchiveError, ConfigError, Problem
from jobsync.repo import cdmfiles, gitrepo, limits, schemas
from jobsync.repo.config import WorkspaceConfig
from jobsync.repo.writer import FileChanges, carry_out, plan_writes, refuse_dirty

MAX_BYTES = 1 << 20  # the console imports at most 1 MB (reference §12.7); an export is no larger


@dataclass
class CdmImport:
    files: FileChanges
    secrets: list[str] = field(default_factory=list)  # the variables the references name


def read_console_json(path: Path) -> dict[CdmKind, list[dict[str, Any]]]:
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ArchiveError(f"{path}: {len(raw)} bytes; a CDM console export is at most {MAX_BYTES} bytes")
    try:
        data = json.loads(limits.decode(raw, path.name))
    except ValueError as error:
        raise ArchiveError(f"{path}: not JSON ({error}); pass a CDM console export (links and jobs)") from None
    if not isinstance(data, dict) or not ({"links", "jobs"} & set(data)):
        raise ArchiveError(f"{path}: expected an object with `links` and/or `jobs` (a CDM console export)")
    found: dict[CdmKind, list[dict[str, Any]]] = {}
    for kind in CdmKind:
        items = data.get(kind.folder) or []
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("name"), str) for i in items
        ):
            raise ArchiveError(f"{path}: `{kind.folder}` must be a list of objects with a name")
        found[kind] = items
    return found


def import_console_json(
    config: WorkspaceConfig, path: Path, cluster: str, *, commit: bool = False, message: str | None = None
) -> CdmImport:
    """Write the links and jobs of one console export under `cdm/<cluster>/`."""
    problem = paths.segment_problem(cluster, "the cluster name")
    if problem:
        raise ArchiveError(f"--cdm-cluster {cluster!r}: {problem}")
    read = read_console_json(path)
    schema_dir = config.repo_root / "schemas"
    wanted: dict[ObjectKey, dict[Path, bytes]] = {}
    named: list[str] = []
    problems: list[Problem] = []
    for kind, items in read.items():
        for item in items:
            key = CdmKey(cluster, kind, str(item["name"]))
            stored, variables = cdm.with_secret_references(key, cdm.strip(kind, item))
            named += variables
            target, data = cdmfiles.render(config.folder, key, stored, schema_dir=schema_dir)
            rel = target.relative_to(config.repo_root).as_posix()
            problems += schemas.check(kind.schema, cdmfiles.to_file_form(kind, stored), f"{path.name}: {rel}")
            wanted[ObjectKey(cdm.plan_kind(kind), cdm.qualified(cluster, key.name))] = {target: data}
    if problems:
        raise ConfigError(problems)
    existing = {
        ObjectKey(cdm.plan_kind(key.kind), cdm.qualified(key.cluster, key.name)): [found]
        for key, found in cdmfiles.cdm_files(config.folder, config.repo_root, [])
    }
    planned = plan_writes(wanted, existing, root=config.repo_root)
    refuse_dirty(config.repo_root, planned.touched, command="the import")
    carry_out(planned, durable=True)
    result = planned.result
    if commit and planned.touched:
        text = message or f"jobsync archive import {config.name}: CDM {cluster} from {path.name}\n"
        result.commit = gitrepo.commit(config.repo_root, planned.touched, text)
    return CdmImport(result, sorted(set(named)))
