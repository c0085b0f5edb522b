"""What a branch changed since a git ref: which workspaces, and which objects in each.

A pull request that touches two jobs should plan two jobs, not the whole repo. The files
changed since the merge base with REF (committed or not, untracked included) are mapped to
objects by the repo format (repo.py):

    workspaces/<ws>/jobs/**/<job>.yaml            -> job <job>
    workspaces/<ws>/scripts/**/<script>.yaml      -> script <script>
    workspaces/<ws>/scripts/**/<script>.<ext>     -> script <script> (the content sidecar)
    workspaces/<ws>/resources/**/<res>.yaml       -> resource <res>
    workspaces/<ws>/overrides/<kind>s/<name>.yaml -> that object (its override patch)
    workspaces/<ws>/workspace.yaml, or any other  -> the whole workspace
    file of the workspace outside those folders

A deleted file maps to its object as well, so the plan shows the object as deleted when
prune is on (unmanaged when it is off). A workspace whose workspace.yaml is gone is not
listed: there is nothing left to plan it with. A workspace whose `source` is another one's
working tree (no ref) also plans what changed in its source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from jobsync.core.model import FILE_KINDS, Kind, ObjectKey
from jobsync.errors import JobsyncError
from jobsync.repo import gitrepo
from jobsync.repo.config import WORKSPACE_FILE, WORKSPACES_DIR, load_workspace, workspace_names
from jobsync.repo.overrides import OVERRIDES_DIR

KIND_BY_FOLDER = {kind.folder: kind for kind in FILE_KINDS}
IGNORED_NAMES = {".gitkeep"}


@dataclass(frozen=True)
class WorkspaceChanges:
    """The changes in one workspace folder.

    `whole` is True when a change can affect every object (workspace.yaml, seed files);
    then `only` is None and the whole workspace is planned. Otherwise `keys` are the objects
    whose files changed.
    """

    workspace: str
    whole: bool = False
    keys: frozenset[ObjectKey] = field(default_factory=frozenset)

    @property
    def only(self) -> frozenset[ObjectKey] | None:
        """What to pass to `make_plan(only=...)`: None plans the whole workspace."""
        return None if self.whole else self.keys

    def to_dict(self) -> dict[str, object]:
        return {"workspace": self.workspace, "whole": self.whole, "objects": [str(key) for key in sorted(self.keys)]}


def object_of(parts: tuple[str, ...]) -> ObjectKey | None:
    """The object a path inside a workspace folder belongs to (parts after workspaces/<ws>/).

    None means the path is not an object file: the caller decides whether it matters.
    """
    if len(parts) == 3 and parts[0] == OVERRIDES_DIR and parts[1] in KIND_BY_FOLDER:
        name = PurePosixPath(parts[2])
        return ObjectKey(KIND_BY_FOLDER[parts[1]], name.stem) if name.suffix == ".yaml" else None
    if len(parts) < 2 or parts[0] not in KIND_BY_FOLDER:
        return None
    kind, name = KIND_BY_FOLDER[parts[0]], PurePosixPath(parts[-1])
    if name.name in IGNORED_NAMES or not name.suffix:
        return None
    if name.suffix != ".yaml" and kind is not Kind.SCRIPT:
        return None
    return ObjectKey(kind, name.stem)


def classify(paths: Iterable[str], existing: Iterable[str]) -> dict[str, WorkspaceChanges]:
    """Group changed repo-relative paths by workspace; only workspaces in `existing` count."""
    names = set(existing)
    whole: set[str] = set()
    keys: dict[str, set[ObjectKey]] = {}
    for path in paths:
        parts = PurePosixPath(path).parts
        if len(parts) < 3 or parts[0] != WORKSPACES_DIR or parts[1] not in names:
            continue
        workspace, rest = parts[1], parts[2:]
        key = object_of(rest)
        if key is not None:
            keys.setdefault(workspace, set()).add(key)
        elif rest[0] not in KIND_BY_FOLDER and PurePosixPath(rest[-1]).name not in IGNORED_NAMES:
            whole.add(workspace)
    return {
        name: WorkspaceChanges(name, whole=name in whole, keys=frozenset(keys.get(name, ())))
        for name in sorted(whole | set(keys))
    }


def follow_sources(found: dict[str, WorkspaceChanges], sources: dict[str, str]) -> dict[str, WorkspaceChanges]:
    """Add to each workspace what changed in the workspace it deploys from the working tree
    (`sources`: workspace -> its source, for sources without a ref), and so on down a chain
    (staging from prod from dev): repeated until nothing more is added."""
    result = dict(found)
    grew = True
    while grew:
        grew = False
        for workspace, source in sorted(sources.items()):
            upstream = result.get(source)
            if upstream is None or workspace == source:
                continue
            own = result.get(workspace, WorkspaceChanges(workspace))
            merged = WorkspaceChanges(workspace, whole=own.whole or upstream.whole, keys=own.keys | upstream.keys)
            if merged != result.get(workspace):
                result[workspace] = merged
                grew = True
    return dict(sorted(result.items()))


def working_tree_sources(root: Path, names: Iterable[str]) -> dict[str, str]:
    """workspace -> source workspace, for each workspace whose source has no ref."""
    sources = {}
    for name in names:
        try:
            config = load_workspace(root, name)
        except JobsyncError:
            continue  # validate reports it; the plan of that workspace fails on it too
        if config.source is not None and config.source.ref is None:
            sources[name] = config.source.workspace
    return sources


def changed_since(root: Path, ref: str) -> dict[str, WorkspaceChanges]:
    """The workspaces (and objects in them) changed between the merge base with `ref` and
    the work tree. Raises RepoError for an unknown ref."""
    names = workspace_names(root)
    found = classify(gitrepo.changed_since(root, ref), names)
    return follow_sources(found, working_tree_sources(root, names))


def renamed_jobs(root: Path, workspace: str, ref: str) -> dict[str, str]:
    """Job files of `workspace` that git sees renamed since the merge base with `ref`:
    old job name -> new. A move between folders keeps the name and is not listed."""
    renames = {}
    for before, after in gitrepo.renamed_since(root, ref):
        old, new = PurePosixPath(before).parts, PurePosixPath(after).parts
        if old[:2] != (WORKSPACES_DIR, workspace) or new[:2] != (WORKSPACES_DIR, workspace):
            continue
        old_key, new_key = object_of(old[2:]), object_of(new[2:])
        if old_key and new_key and old_key.kind is new_key.kind is Kind.JOB and old_key.name != new_key.name:
            renames[old_key.name] = new_key.name
    return renames


def renamed_in_history(root: Path, workspace: str) -> dict[str, str]:
    """Job files of `workspace` git saw renamed anywhere in HEAD's history (and staged now): old
    job name -> new, the last rename of each old name winning."""
    renames = {}
    for before, after in gitrepo.renamed_in_history(root, f"{WORKSPACES_DIR}/{workspace}/"):
        old, new = PurePosixPath(before).parts, PurePosixPath(after).parts
        old_key, new_key = object_of(old[2:]), object_of(new[2:])
        if old_key and new_key and old_key.kind is new_key.kind is Kind.JOB and old_key.name != new_key.name:
            renames[old_key.name] = new_key.name
    return renames


def describe(changes: WorkspaceChanges) -> str:
    """One line for stderr: what --changed-since chose to plan."""
    if changes.whole:
        return f"workspace {changes.workspace}: {WORKSPACE_FILE} or another shared file changed; planning all of it"
    return f"workspace {changes.workspace}: planning {len(changes.keys)} changed object(s)"


def only_changed(root: Path, workspace: str, ref: str, say: Callable[[str], None]) -> frozenset[ObjectKey] | None:
    """The `only` selection for `plan --changed-since REF` in one workspace (None: all of it)."""
    found = changed_since(root, ref).get(workspace, WorkspaceChanges(workspace))
    say(describe(found))
    return found.only
