"""Export of CDM links and jobs (repo/cdmfiles.py): each under the repo's name of its cluster
(`mappings.cdm_clusters` read backwards), secrets written as references, never values.

The service never returns a secret (reference §12.3), so a link's secret inputs are written as
`{secret: NAME}`: the reference its file already has, else a proposed variable
(core/cdm.py env_name) that the export names so that someone sets it where apply runs. A file
whose object is unchanged (same compared form) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jobsync.core import cdm
from jobsync.core.cdm import CdmKey
from jobsync.core.model import CDM_KINDS, ObjectKey
from jobsync.core.references import CDM_CLUSTERS, CDM_LINKS
from jobsync.core.snapshot import Snapshot
from jobsync.repo import cdmfiles
from jobsync.repo.config import WorkspaceConfig
from jobsync.repo.writer import Writes


def repo_form(
    key: ObjectKey, body: Mapping[str, Any], mappings: Mapping[str, Mapping[str, str]]
) -> tuple[CdmKey, dict[str, Any]]:
    """The repo's key and body of a workspace's CDM object: the mappings read backwards."""
    clusters = cdm.inverted(mappings.get(CDM_CLUSTERS) or {})
    links = cdm.inverted(mappings.get(CDM_LINKS) or {})
    name, renamed = cdm.mapped(key.kind, key.name, body, clusters, links)
    cluster, own = cdm.split(name)
    return CdmKey(cluster, cdm.of(key.kind), own), renamed


def cdm_writes(
    config: WorkspaceConfig,
    snapshot: Snapshot,
    planned: Writes,
    *,
    only: frozenset[ObjectKey] | None,
    progress: Callable[[str], None],
) -> None:
    """Add the CDM files to write (and, for a full export, to remove) to `planned`."""
    root, schemas = config.repo_root, config.repo_root / "schemas"
    existing: dict[CdmKey, Path] = dict(cdmfiles.cdm_files(config.folder, root, []))
    wanted: set[CdmKey] = set()
    proposed: list[str] = []
    for key, remote in sorted(snapshot.objects.items()):
        if key.kind not in CDM_KINDS or (only is not None and key not in only):
            continue
        target, renamed = repo_form(key, remote.body, config.mappings)
        wanted.add(target)
        body = cdm.strip(target.kind, {**renamed, "name": target.name})
        path = existing.get(target)
        spec = cdmfiles.load_file(target, path, root, []) if path else None
        if spec is not None and cdm.same(target.kind, spec.body, body):
            continue
        known = cdm.secret_variables(spec.body, target.kind) if spec is not None else {}
        stored, named = cdm.with_secret_references(target, body, known)
        proposed += [name for name in named if name not in known.values()]
        out, data = cdmfiles.render(config.folder, target, stored, schema_dir=schemas)
        if path is None or path.read_bytes() != data:
            planned.writes[out] = data
            (planned.result.changed if path else planned.result.added).append(str(target))
    if only is None:
        for target, path in sorted(existing.items()):
            if target not in wanted:
                planned.removes.add(path)
                planned.result.removed.append(str(target))
    if proposed:
        progress(
            "CDM link secrets are written as references; set these environment variables where apply runs: "
            + ", ".join(sorted(set(proposed)))
        )
