"""`jobsync init`: a new GitOps repo with two local workspaces, dev and prod.

prod deploys dev's definitions (workspace.yaml `source`): one set of job files, and prod
differs by its mappings, its variables.yaml, overrides and scheduling.
"""

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
PROD_WORKSPACE_YAML = """\
# yaml-language-server: $schema=../../schemas/workspace.v1.json
backend:
  type: local                     # the embedded workspace; later: dataarts
  path: .jobsync/state/prod.json  # relative to the repo root
source:                           # prod deploys dev's definitions (jobs/, scripts/, resources/)
  workspace: dev
  # ref: v1.0.0                   # read them at a git tag, branch or commit: `jobsync promote -w prod --ref TAG`
user: jobsync
policies:
  duplicate_name: overwrite
  lock: hard
  running_jobs: fail
  prune: false
mappings:                         # dev's names -> prod's names
  connections: {}
  dli_queues: {}
  dis_streams: {}
  ges_graphs: {}
scheduling:
  default: keep                   # keep | running | stopped; per job under jobs:
  jobs: {}
# overrides/jobs/<job>.yaml: a JSON merge patch of one of dev's jobs, for prod only
"""
VARIABLES_YAML = """\
# yaml-language-server: $schema=../../schemas/variables.v1.json
# {name}'s DataArts environment variables: jobs read them as ${{name}} or #{{Env.get("name")}}.
{{}}
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
    for name, text in (("dev", WORKSPACE_YAML), ("prod", PROD_WORKSPACE_YAML)):
        folder = root / "workspaces" / name
        for path, content in (
            (folder / "workspace.yaml", text),
            (folder / "variables.yaml", VARIABLES_YAML.format(name=name)),
        ):
            if not path.exists():
                write_atomic(path, content)
                yield f"wrote {path.relative_to(root)}"
    for kind in ("jobs", "scripts", "resources"):
        keep = root / "workspaces" / "dev" / kind / ".gitkeep"
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
    yield (
        "next: `jobsync export -w dev` to bring a workspace in, or add YAML files and `jobsync plan -w dev`; "
        "prod deploys dev's files (`jobsync diff dev prod`, `jobsync promote -w prod --ref TAG`)"
    )
