"""Export: write a workspace's objects into the repo format, and commit them.

A full export mirrors the workspace: files of objects that no longer exist there are removed,
but only of objects the workspace had, as git knows it: those in the tree of the last export
commit of this workspace. A file for an object it never had (never applied, or brought in by
`archive import --commit`) is work not yet applied: it is kept and reported. With `--job`,
only those jobs (and, unless jobs-only, the scripts and resources they use) are written.
Export never overwrites uncommitted edits, and a second export in a row commits nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jobsync.backends.base import Workspace
from jobsync.core.inert import inert, one_line
from jobsync.core.mergepatch import same
from jobsync.core.model import FILE_KINDS, Kind, ObjectKey, body_text
from jobsync.core.normalize import comparable
from jobsync.core.normalize import same as same_canonical
from jobsync.core.policies import SnapshotState
from jobsync.core.references import invert, rename
from jobsync.core.selection import closure, everything
from jobsync.core.snapshot import RemoteObject, Snapshot
from jobsync.errors import ConfigError, Problem, RepoError
from jobsync.ops import preview
from jobsync.ops.cdmexport import cdm_writes
from jobsync.ops.layered_export import layered, needs_layers
from jobsync.ops.plan import bulk_work
from jobsync.repo import gitrepo, layers, workers
from jobsync.repo.config import WorkspaceConfig
from jobsync.repo.files import existing_files, file_problems, load_file, prime_cache, unsafe_path_problem
from jobsync.repo.render import RenderedObject, render_checked
from jobsync.repo.variables import VARIABLES_FILE, load_variables, render_variables
from jobsync.repo.writer import FileChanges, Writes, carry_out, plan_writes, refuse_dirty

ExportResult = FileChanges  # the name callers of export use


def choose(snapshot: Snapshot, jobs: Sequence[str], with_deps: bool) -> frozenset[ObjectKey]:
    bodies = {key: remote.body for key, remote in snapshot.objects.items()}
    if not jobs:
        return frozenset(key for key in everything(bodies, with_uses=with_deps) if key.kind in FILE_KINDS)
    return closure(jobs, bodies, with_uses=with_deps, where="the workspace")


Rendered = dict[ObjectKey, tuple[dict[Path, bytes], dict[str, Any]]]


def _files(config: WorkspaceConfig, snapshot: Snapshot, keys: set[ObjectKey]) -> dict[ObjectKey, RenderedObject]:
    """Each object rendered and checked (repo/render.py), on every core when there are many;
    ConfigError naming every object whose name or directory cannot be a path in the repo."""
    back = invert(config.mappings)
    schemas = config.repo_root / "schemas"
    ordered = sorted(keys)
    jobs = (  # each body's text made as its batch goes to the pool
        (config.folder, config.repo_root, schemas, key.kind, key.name, _text(snapshot.objects[key]), back)
        for key in ordered
    )
    results = dict(zip(ordered, workers.run_all(render_checked, jobs, len(ordered)), strict=True))
    problems = [problem for result in results.values() for problem in result.unsafe]
    if problems:
        raise ConfigError(problems)
    return results


def _text(remote: RemoteObject) -> str:
    return remote.stored if remote.stored is not None else body_text(remote.body)


def export_workspace(
    config: WorkspaceConfig,
    workspace: Workspace,
    *,
    jobs: Sequence[str] = (),
    with_deps: bool = True,
    status: SnapshotState = "develop",
    commit: bool = True,
    message: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
    allow_detached: bool = False,
) -> ExportResult:
    if commit and not allow_detached and gitrepo.detached(config.repo_root):
        raise RepoError(
            "HEAD is detached (no branch is checked out), so an export commit would belong to no branch "
            "and be lost on the next checkout; check out a branch (`git switch -c export`), pass --no-commit, "
            "or pass --allow-detached"
        )
    progress(f"reading {workspace.label}")
    with bulk_work():
        snapshot = workspace.snapshot(state="submitted" if status == "submitted" else "develop")
    snapshot = preview.without_previews(config, snapshot, progress)
    keys = choose(snapshot, jobs, with_deps)
    kinds = set(FILE_KINDS) if with_deps else {Kind.JOB}
    existing = existing_files(config.folder, kinds)
    layers_out = None
    if needs_layers(config.folder, config.source is not None):
        layers_out = layered(layers.desired(config), snapshot, keys, config.folder, config.repo_root)
        keys = frozenset(layers_out.own)
        for name in layers_out.untouched:
            progress(f"{name} comes from the source and is not in the workspace; export leaves it")
        for note in layers_out.unexpressed:
            progress(note)
    checked = _files(config, snapshot, {key for key in keys if key.kind in FILE_KINDS})
    rendered: Rendered = {key: (result.files, result.data) for key, result in checked.items()}
    refuse_unwritable(config, rendered, {key: result.problems for key, result in checked.items()})
    kept = keep_equivalent(config, snapshot, rendered, existing)
    wanted = {key: files for key, (files, _) in rendered.items()}
    gone = set(existing) - set(wanted) if not jobs else set()
    if layers_out is not None:
        gone -= set(layers_out.wanted)
        wanted.update(layers_out.wanted)
        existing = {**existing, **layers_out.existing}
    unapplied = never_had(config, gone, existing)
    gone -= unapplied
    planned = plan_writes(wanted, existing, gone=gone, root=config.repo_root)
    planned.result.unapplied = sorted(str(key) for key in unapplied)
    if not jobs:
        variable_writes(config, snapshot, planned)
    if config.source is None:  # a workspace with a source takes its CDM objects from there
        cdm_writes(config, snapshot, planned, only=frozenset(keys) if jobs else None, progress=progress)
    refuse_dirty(config.repo_root, planned.touched, command="export")
    carry_out(planned, durable=False)  # git records them
    result, touched = planned.result, planned.touched
    prime_cache(
        config.repo_cache,
        config.folder,
        config.repo_root,
        (
            (key.kind, path, files[path], data)
            for key, (files, data) in rendered.items()
            if key not in kept
            for path in files
            if path.suffix == ".yaml"
        ),
        checked=True,  # refuse_unwritable checked every rendered file against validate's rules
        known={path: found for result in checked.values() for path, found in result.cached.items()},
    )
    progress(
        f"exported {len(wanted)} object(s): {len(result.added)} added, "
        f"{len(result.changed)} changed, {len(result.removed)} removed"
    )
    if result.unapplied:
        listed = ", ".join(result.unapplied[:10]) + (", ..." if len(result.unapplied) > 10 else "")
        progress(
            f"not yet applied: {len(result.unapplied)} object(s) in the repo the workspace never had, kept: "
            f"{listed}; `jobsync apply -w {config.name}` creates them (delete a file to drop its object)"
        )
    if commit and touched:
        message = with_trailer(message or commit_message(config.name, result, snapshot), config.name)
        result.commit = gitrepo.commit(config.repo_root, touched, message)
    return result


EXPORT_TRAILER = "Jobsync-Export"  # in every export commit's message, with the workspace's name


def never_had(config: WorkspaceConfig, gone: set[ObjectKey], existing: dict[ObjectKey, list[Path]]) -> set[ObjectKey]:
    """Of the objects in the repo but not in the workspace, those it never had: their files are
    not in the tree of this workspace's last export commit (all of them when it has none)."""
    if not gone:
        return set()
    name = re.escape(config.name)
    last = gitrepo.last_commit_with(
        config.repo_root, (f"jobsync export {name}: [0-9]+ added", f"^{EXPORT_TRAILER}: {name}$")
    )
    known = gitrepo.files_at(config.repo_root, last, config.folder) if last else set()
    return {
        key
        for key in gone
        if not any(path.relative_to(config.repo_root).as_posix() in known for path in existing.get(key, ()))
    }


def keep_equivalent(
    config: WorkspaceConfig, snapshot: Snapshot, rendered: Rendered, existing: dict[ObjectKey, list[Path]]
) -> set[ObjectKey]:
    """Objects whose files already say what the workspace holds (same canonical form, however
    they are formatted, ordered or spelt): their files are left as they are, so a drift
    export of an unchanged workspace changes nothing. `rendered` is updated in place."""
    back = invert(config.mappings)
    kept = set()
    for key, (files, data) in rendered.items():
        paths = existing.get(key)
        if not paths or set(paths) != set(files):
            continue
        yaml_path = next(path for path in files if path.suffix == ".yaml")
        spec = load_file(key.kind, yaml_path, folder=config.folder, repo_root=config.repo_root, problems=[])
        remote = rename(key.kind, snapshot.objects[key].body, back)
        if spec is not None and same_canonical(key.kind, spec.body, remote):
            rendered[key] = ({path: path.read_bytes() for path in files}, data)
            kept.add(key)
    return kept


def refuse_unwritable(
    config: WorkspaceConfig, rendered: Rendered, checks: Mapping[ObjectKey, list[Problem]] | None = None
) -> None:
    """ConfigError, before any file is written, for what the repo cannot hold: a file that
    validate would refuse, or two objects whose files collide on a case-insensitive file
    system (macOS, Windows checkouts)."""
    problems: list[Problem] = []
    seen: dict[str, ObjectKey] = {}
    for key, (files, data) in sorted(rendered.items()):
        unsafe = unsafe_path_problem(key, data)  # core/paths.py, the one place for path checks
        if unsafe:
            problems.append(Problem(str(key), f"{key}: {unsafe}; rename or move it in the workspace"))
            continue
        for path in files:
            rel = path.relative_to(config.repo_root).as_posix()
            other = seen.setdefault(rel.casefold(), key)
            if other != key:
                problems.append(
                    Problem(
                        rel,
                        f"{key} and {other} would be written to files whose names differ only in case, "
                        "which collide on macOS and Windows checkouts; rename one of them in the workspace",
                    )
                )
        yaml_path = next(path for path in files if path.suffix == ".yaml")
        rel = yaml_path.relative_to(config.repo_root).as_posix()
        problems += [
            Problem(rel, f"{key}: export would write a file validate refuses: {p.message}", field=p.field)
            for p in (checks[key] if checks is not None and key in checks else file_problems(key.kind, data, rel))
        ]
    if problems:
        raise ConfigError(problems)


def variable_writes(config: WorkspaceConfig, snapshot: Snapshot, planned: Writes) -> None:
    """variables.yaml from the workspace's environment variables, when it has any or the file
    exists and differs from them; each variable added, changed or removed is listed in the
    result. A file that already says what the workspace holds is left as it is (comments kept)."""
    variables = [dict(r.body) for key, r in sorted(snapshot.objects.items()) if key.kind is Kind.VARIABLE]
    path = config.folder / VARIABLES_FILE
    if not variables and not path.exists():
        return
    data = render_variables(variables)
    if path.exists() and path.read_bytes() == data:
        return
    try:
        before = {key.name: spec.body for key, spec in load_variables(config.folder, config.repo_root).items()}
    except ConfigError:
        before = {}  # a broken file is replaced by what the workspace holds
    after = {str(v["name"]): v for v in variables}
    if (
        path.exists()
        and set(before) == set(after)
        and all(same(comparable(Kind.VARIABLE, before[name]), comparable(Kind.VARIABLE, after[name])) for name in after)
    ):
        return  # the file says what the workspace holds: its comments and layout stay
    planned.writes[path] = data
    for name in sorted(set(before) | set(after)):
        label = f"variable {name}"
        if name not in before:
            planned.result.added.append(label)
        elif name not in after:
            planned.result.removed.append(label)
        elif not same(comparable(Kind.VARIABLE, before[name]), comparable(Kind.VARIABLE, after[name])):
            planned.result.changed.append(label)


TRAILER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: .+$")


def with_trailer(message: str, workspace: str) -> str:
    """`message` ending with the trailer that marks an export commit of `workspace` (never_had),
    in the message's trailer block when it has one (`Changed-by:`)."""
    trailer = f"{EXPORT_TRAILER}: {workspace}"
    body = message.rstrip("\n")
    if trailer in body.splitlines():
        return message
    head, _, last = body.rpartition("\n\n")
    in_block = bool(head) and all(TRAILER_LINE.match(line) for line in last.splitlines())
    return f"{body}{chr(10) if in_block else chr(10) * 2}{trailer}\n"


def commit_message(workspace: str, result: ExportResult, snapshot: Snapshot) -> str:
    head = (
        f"jobsync export {workspace}: {len(result.added)} added, {len(result.changed)} changed, "
        f"{len(result.removed)} removed"
    )
    lines = [head, ""]
    # one_line: a name cannot start a line of its own, so it cannot forge a trailer (core/inert.py)
    lines += [f"added    {one_line(name)}" for name in result.added]
    lines += [f"changed  {one_line(name)}" for name in result.changed]
    lines += [f"removed  {one_line(name)}" for name in result.removed]
    written = set(result.added) | set(result.changed)
    users = sorted(
        {r.last_update_user for r in snapshot.objects.values() if r.last_update_user and str(r.key) in written}
    )
    if users:
        lines += ["", *(f"Changed-by: {one_line(user)}" for user in users)]
    return inert("\n".join(lines)) + "\n"
