"""Writing objects' files into a workspace folder: what export and archive import share.

Both render each object to its files (files.render_files), then: work out which files change
and which are left over (an object that moved folders, or one that is gone), refuse to touch a
file with uncommitted edits, write atomically, remove, and report per object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jobsync.core import paths
from jobsync.core.model import ObjectKey
from jobsync.errors import RepoError
from jobsync.fileio import write_atomic
from jobsync.repo import gitrepo

Files = Mapping[ObjectKey, Mapping[Path, bytes]]  # object -> its files (absolute path -> bytes)


@dataclass
class FileChanges:
    """What a write did, per object ("job etl"); `commit` when it was committed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    commit: str | None = None
    # objects whose files a full export kept though the workspace lacks them, as it never had
    # them (ops/export.py never_had): not yet applied
    unapplied: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass
class Writes:
    """The files to write and remove, and what that does to each object."""

    writes: dict[Path, bytes]
    removes: set[Path]
    result: FileChanges

    @property
    def touched(self) -> list[Path]:
        return sorted(set(self.writes) | self.removes)


def refuse_outside(root: Path, wanted: Files, existing: Mapping[ObjectKey, Iterable[Path]]) -> None:
    """RepoError, before anything is read or written, naming every file that would be read or
    written outside `root` once symlinks are resolved (a committed symlink such as
    `jobs/d0 -> /elsewhere` would make export write through it)."""
    outside = sorted(
        {path for files in (*wanted.values(), *existing.values()) for path in files if not paths.inside(path, root)}
    )
    if outside:
        listed = "\n".join(f"  {path} -> {paths.resolved(path)}" for path in outside[:20])
        raise RepoError(
            f"these files lead outside the repository {root} through a symlink:\n{listed}\n"
            "nothing was written; replace the symlinks with real folders"
        )


def plan_writes(
    wanted: Files,
    existing: Mapping[ObjectKey, Iterable[Path]],
    gone: Iterable[ObjectKey] = (),
    *,
    root: Path | None = None,
) -> Writes:
    """Files of `wanted` whose bytes differ on disk, files `existing` objects leave behind (moved
    folders, or objects in `gone`), and the per-object result. With `root`, first refuse files
    that symlinks lead outside it."""
    if root is not None:
        refuse_outside(root, wanted, existing)
    writes = {
        path: data
        for files in wanted.values()
        for path, data in files.items()
        if not path.exists() or path.read_bytes() != data
    }
    gone = sorted(set(gone))
    removes = {path for key in gone for path in existing.get(key, ())}
    result = FileChanges(removed=[str(key) for key in gone])
    for key, files in wanted.items():
        before = set(existing.get(key, ()))
        removes |= before - set(files)
        if not any(path in writes for path in files) and before == set(files):
            result.unchanged.append(str(key))
        else:
            (result.changed if key in existing else result.added).append(str(key))
    return Writes(writes, removes, result)


def refuse_dirty(repo_root: Path, touched: list[Path], *, command: str) -> None:
    """RepoError naming every file `command` would overwrite that has uncommitted edits."""
    dirty = gitrepo.dirty_paths(repo_root, touched)
    if dirty:
        listed = "\n".join(f"  {path}" for path in dirty)
        raise RepoError(
            f"{command} would overwrite uncommitted edits in:\n{listed}\n"
            f"commit or stash them (`git stash`), then run {command} again"
        )


def carry_out(planned: Writes, *, durable: bool) -> None:
    """Write and remove the files. `durable=False` skips the per-file fsync: the commit that
    follows records them (see fileio.write_atomic)."""
    for path, data in planned.writes.items():
        write_atomic(path, data, durable=durable)
    for path in planned.removes:
        path.unlink(missing_ok=True)
