"""`jobsync promote -w prod --ref REF`: point a workspace's source at another git ref.

The ref is resolved before anything is written; workspace.yaml is rewritten keeping its
comments and layout (repo/promote.py); when the workspace's definitions at the new ref do not
load (a broken file, an override for an object the release lacks), the old file is put back
and the problems are reported. The caller prints the plan at the new ref.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobsync.errors import JobsyncError
from jobsync.fileio import write_atomic
from jobsync.repo import layers, limits
from jobsync.repo import source as gitsource
from jobsync.repo.config import WorkspaceConfig, load_workspace
from jobsync.repo.promote import set_source_ref


@dataclass(frozen=True)
class Promoted:
    config: WorkspaceConfig  # as loaded after the rewrite
    before: str | None  # the previous ref (None: the working tree)
    after: str
    commit: str


def promote(config: WorkspaceConfig, ref: str) -> Promoted:
    rel = config.file.relative_to(config.repo_root).as_posix()
    if config.source is None:
        raise JobsyncError(
            f"{rel}: workspace {config.name} has no source: to promote; add "
            "`source: {workspace: <name>, ref: <git ref>}` to deploy another workspace's definitions"
        )
    commit = gitsource.resolve(config.repo_root, ref, where=f"--ref (for {rel} source.ref)")
    text = limits.decode(config.file.read_bytes(), rel)
    rewritten = set_source_ref(text, ref, file=rel)
    write_atomic(config.file, rewritten.encode("utf-8"))
    try:
        loaded = load_workspace(config.repo_root, config.name, user=config.user)
        layers.desired(loaded)
    except JobsyncError:
        write_atomic(config.file, text.encode("utf-8"))
        raise
    return Promoted(config=loaded, before=config.source.ref, after=ref, commit=commit)
