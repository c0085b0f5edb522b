"""Console .zip files into the repo format and back: what `jobsync archive` runs.

Import reads every archive before touching the repo, so a broken or hostile archive, a clash
between archives, or a target path outside the workspace folder leaves the repo as it was.
Files are written exactly as `jobsync export` writes them (repo.render_files, names mapped back
through the inverted workspace mappings), and never over uncommitted edits.

Export loads the repo as plan does (mappings applied) and packs it with `pack`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jobsync.consolezip.pack import Layout, Package, pack
from jobsync.consolezip.read import ArchiveEntry, read_archive
from jobsync.core import cdm
from jobsync.core.inert import one_line
from jobsync.core.model import CDM_KINDS, FILE_KINDS, ObjectKey, Spec, canonical_json
from jobsync.core.references import invert, rename
from jobsync.core.selection import closure, everything
from jobsync.errors import ArchiveError, ConfigError
from jobsync.fileio import document_lines, write_atomic
from jobsync.ops.plan import desired_state
from jobsync.repo import gitrepo
from jobsync.repo.config import WorkspaceConfig
from jobsync.repo.files import body_problems, existing_files, render_files
from jobsync.repo.writer import FileChanges, carry_out, plan_writes, refuse_dirty

ImportResult = FileChanges  # the name callers of archive import use


def import_archives(
    config: WorkspaceConfig,
    paths: Sequence[Path],
    *,
    commit: bool = False,
    message: str | None = None,
) -> ImportResult:
    """Write the definitions in the archives at `paths` into the workspace's folder."""
    entries = _merge([(path, read_archive(path)) for path in paths])
    wanted = _files(config, entries)
    existing = existing_files(config.folder)
    planned = plan_writes(wanted, existing, root=config.repo_root)
    touched = planned.touched
    refuse_dirty(config.repo_root, touched, command="the import")
    result = planned.result
    carry_out(planned, durable=True)
    if commit and touched:
        names = one_line(", ".join(path.name for path in paths))
        text = (
            message
            or f"jobsync archive import {config.name}: {len(result.added)} added, "
            f"{len(result.changed)} changed\n\nfrom {names}\n"
        )
        result.commit = gitrepo.commit(config.repo_root, touched, text)
    return result


def _merge(read: list[tuple[Path, list[ArchiveEntry]]]) -> dict[ObjectKey, ArchiveEntry]:
    """One entry per definition over all archives; the same name with two bodies is an error."""
    merged: dict[ObjectKey, tuple[Path, ArchiveEntry]] = {}
    for path, entries in read:
        for entry in entries:
            key = ObjectKey(entry.kind, entry.name)
            first_path, first = merged.setdefault(key, (path, entry))
            if canonical_json(first.body) != canonical_json(entry.body):
                raise ArchiveError(
                    f"{path}: {entry.entry}: {key} differs from {first_path}: {first.entry}; "
                    "import the archives one at a time to keep one of them"
                )
    return {key: entry for key, (_, entry) in merged.items()}


def _files(config: WorkspaceConfig, entries: dict[ObjectKey, ArchiveEntry]) -> dict[ObjectKey, dict[Path, bytes]]:
    back = invert(config.mappings)
    schemas = config.repo_root / "schemas"
    folder = config.folder.resolve()
    problems = [p for key, entry in entries.items() for p in body_problems(key.kind, entry.body, entry.entry)]
    if problems:
        raise ConfigError(problems)  # before anything is written: fix the archive or import fewer
    wanted = {}
    for key in sorted(entries):
        entry = entries[key]
        body = rename(key.kind, entry.body, back)
        try:
            files = render_files(config.folder, key, body, schema_dir=schemas)
        except ConfigError:  # a name or directory that is no safe path (core/paths.py)
            files = {}
        outside = [p for p in files if not p.resolve().is_relative_to(folder)]
        if outside or not files:
            raise ArchiveError(
                f"{entry.entry}: {key} would be written outside workspaces/{config.name} "
                f"(directory {body.get('directory')!r}); nothing was imported"
            )
        wanted[key] = files
    return wanted


def select(specs: Sequence[Spec], jobs: Sequence[str], *, jobs_only: bool) -> list[Spec]:
    """The named jobs (all when none) and, unless jobs_only, what they use."""
    by_key = {spec.key: spec for spec in specs}
    bodies = {key: spec.body for key, spec in by_key.items()}
    chosen = (
        closure(jobs, bodies, with_uses=not jobs_only, where="the repo")
        if jobs
        else everything(bodies, with_uses=not jobs_only)
    )
    return [by_key[key] for key in sorted(chosen)]


def export_archives(
    config: WorkspaceConfig,
    *,
    jobs: Sequence[str] = (),
    jobs_only: bool = False,
    max_bytes: int,
    layout: Layout = "single",
) -> list[Package]:
    specs = [spec for spec in desired_state(config).values() if spec.kind in FILE_KINDS]
    return pack(select(specs, jobs, jobs_only=jobs_only), max_bytes=max_bytes, layout=layout)


def cdm_exports(config: WorkspaceConfig, *, jobs: Sequence[str] = (), jobs_only: bool = False) -> dict[str, bytes]:
    """The CDM links and jobs of the selection as CDM console exports, one per cluster (its name
    in this workspace -> the JSON): `{"links": [...], "jobs": [...]}` with every secret input
    set to the console's placeholder, for the CDM console's import (reference §12.7). A console
    .zip has no place for them (§12.10)."""
    if jobs_only:
        return {}
    specs = list(desired_state(config).values())
    chosen = [spec for spec in select(specs, jobs, jobs_only=False) if spec.kind in CDM_KINDS]
    by_cluster: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for spec in chosen:
        cluster, _ = cdm.split(spec.name)
        kind = cdm.of(spec.kind)
        body = cdm.strip(kind, spec.body)
        for item in cdm.inputs(body, kind):
            if cdm.is_secret_input(item["name"]):
                item["value"] = cdm.PLACEHOLDER
        by_cluster.setdefault(cluster, {"links": [], "jobs": []})[kind.folder].append(body)
    return {cluster: "".join(document_lines(found)).encode() for cluster, found in sorted(by_cluster.items())}


def write_packages(packages: Sequence[Package], out: Path) -> list[Path]:
    """Write to `out` if it ends in .zip (several: <stem>-01.zip ... beside it), else into it."""
    if out.suffix.lower() != ".zip":
        targets = [out / package.filename for package in packages]
    elif len(packages) == 1:
        targets = [out]
    else:
        width = max(2, len(str(len(packages))))
        names = [f"{out.stem}-{i:0{width}d}.zip" for i in range(1, len(packages) + 1)]
        targets = [out.with_name(name) for name in names]
    for target, package in zip(targets, packages, strict=True):
        write_atomic(target, package.data)
    return targets
