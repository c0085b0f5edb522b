"""`jobsync init`: a new GitOps repo with one local workspace."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from jobsync.fileio import write_atomic
from jobsync.repo import gitrepo
from jobsync.repo.schemas import schema_dir

WORKSPACE_YAML = """\
# yaml-language-server: $schema=../../schemas/workspace.v1.json
backend:
  type: local                     # the embedded workspace; later: dataarts
  path: .jobsync/state/dev.json   # relative to the repo root
user: jobsync                     # who apply acts as; --user or JOBSYNC_USER override it
policies:
  duplicate_name: overwrite       # overwrite | skip: the console's Duplicate Name Policy
  lock: soft                      # soft | hard: the workspace's lock policy
  running_jobs: fail              # fail | stop-and-restart
  prune: false                    # delete workspace objects that are not in the repo
mappings:                         # names used in the repo -> names in this workspace
  connections: {}
  dli_queues: {}
  dis_streams: {}
  ges_graphs: {}
"""
GITIGNORE_LINES = (".jobsync/state/", ".jobsync/cache/", ".jobsync/backups/", "*.lock")


def _gitignore(root: Path) -> bool:
    path = root / ".gitignore"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in GITIGNORE_LINES if line not in current.splitlines()]
    if not missing:
        return False
    prefix = current if not current or current.endswith("\n") else current + "\n"
    write_atomic(path, prefix + "# jobsync working files\n" + "\n".join(missing) + "\n")
    return True


def init(root: Path, *, github: bool = False) -> Iterator[str]:
    """Create what is missing and say what was made; never overwrites a file."""
    if gitrepo.init(root):
        yield f"initialised a git repository in {root}"
    workspace = root / "workspaces" / "dev" / "workspace.yaml"
    if not workspace.exists():
        write_atomic(workspace, WORKSPACE_YAML)
        yield f"wrote {workspace.relative_to(root)}"
    for kind in ("jobs", "scripts", "resources"):
        keep = workspace.parent / kind / ".gitkeep"
        if not keep.parent.exists():
            write_atomic(keep, "")
    target = root / "schemas"
    target.mkdir(exist_ok=True)
    for schema in sorted(schema_dir().glob("*.json")):
        if not (target / schema.name).exists():
            shutil.copyfile(schema, target / schema.name)
            yield f"wrote schemas/{schema.name}"
    if _gitignore(root):
        yield "updated .gitignore"
    if github:
        from jobsync.github import write_workflows

        yield from write_workflows(root)
    yield "next: `jobsync export -w dev` to bring a workspace in, or add YAML files and `jobsync plan -w dev`"
