"""`jobsync init`: a new GitOps repo with two local workspaces, dev and prod.

prod deploys dev's definitions (workspace.yaml `source`): one set of job files, and prod
differs by its mappings, its variables.yaml, overrides and scheduling. The local scaffold
holds an example job, `hello`, and the script it runs, on the DLI queue `default` that both
workspace.yaml files declare under `local:`, so `plan`, `apply` and `promote` work at once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from jobsync.errors import JobsyncError, RepoError
from jobsync.fileio import write_atomic
from jobsync.repo import gitrepo
from jobsync.repo.schemas import schema_dir

# The settings dev's and prod's workspace.yaml share between the local and the GitHub scaffold.
DEV_SETTINGS = """\
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
# The local workspaces' connections, queues, streams and graphs: what the console makes in DataArts.
LOCAL_SECTION = """\
local:                            # what this local workspace has besides jobs, scripts and resources
  connections: []                 # (in DataArts they are made in the console); names after mappings
  dli_queues: [default]           # the example job hello runs on the queue default
  dis_streams: []
  ges_graphs: []
"""
# The example job (canonical form, so `jobsync fmt` leaves it alone): once a day it runs the DLI
# SQL script hello on the DLI queue default, which workspace.yaml declares under `local:`.
EXAMPLE_JOB = """\
# yaml-language-server: $schema=../../../../schemas/job.v1.json
name: hello
directory: /examples
processType: BATCH
basicConfig:
  owner: jobsync
  priority: 0
schedule:
  type: CRON
  cron:
    startTime: '2026-01-01T00:00:00+08'
    expression: 0 0 6 * * ?
    expressionTimeZone: GMT+08:00
nodes:
- name: hello
  type: DLISQL
  properties:
    scriptName: hello
    queueName: default
"""
EXAMPLE_SCRIPT = """\
# yaml-language-server: $schema=../../../../schemas/script.v1.json
name: hello
type: DLISQL
directory: /examples
queueName: default
"""
EXAMPLE_SQL = "SELECT 'hello from jobsync' AS greeting;\n"
EXAMPLE_FILES = {
    "jobs/examples/hello.yaml": EXAMPLE_JOB,
    "scripts/examples/hello.yaml": EXAMPLE_SCRIPT,
    "scripts/examples/hello.sql": EXAMPLE_SQL,
}
PROD_SOURCE = """\
source:                           # prod deploys dev's definitions (jobs/, scripts/, resources/)
  workspace: dev
  # ref: v1.0.0                   # read them at a git tag, branch or commit: `jobsync promote -w prod --ref TAG`
"""
PROD_SETTINGS = """\
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
"""
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/workspace.v1.json\n"
WORKSPACE_YAML = (
    SCHEMA_LINE
    + """\
backend:
  type: local                     # the embedded workspace; later: dataarts
  path: .jobsync/state/dev.json   # relative to the repo root
"""
    + LOCAL_SECTION
    + DEV_SETTINGS
)
PROD_WORKSPACE_YAML = (
    SCHEMA_LINE
    + """\
backend:
  type: local                     # the embedded workspace; later: dataarts
  path: .jobsync/state/prod.json  # relative to the repo root
"""
    + LOCAL_SECTION
    + PROD_SOURCE
    + PROD_SETTINGS
    + "# overrides/jobs/<job>.yaml: a JSON merge patch of one of dev's jobs, for prod only\n"
)
GITHUB_DEV_YAML = (
    SCHEMA_LINE
    + """\
# dev: your DataArts Studio development workspace. Every REPLACE-ME below must be replaced
# before the first plan (jobsync refuses to run with a placeholder); credentials are NOT kept
# here: the workflows pass them (see the README section "jobsync delivery").
backend:
  type: dataarts
  region: REPLACE-ME-region              # e.g. cn-north-4
  project_id: REPLACE-ME-project-id      # console: My Credentials > Projects
  workspace_id: REPLACE-ME-workspace-id  # DataArts Studio > Workspaces > the workspace's ID
  obs:
    bucket: REPLACE-ME-obs-bucket        # where apply uploads the console import archive
"""
    + DEV_SETTINGS
)
GITHUB_PROD_YAML = (
    SCHEMA_LINE
    + """\
# prod: your production workspace, deploying dev's definitions. Replace every REPLACE-ME.
backend:
  type: dataarts
  region: REPLACE-ME-region
  project_id: REPLACE-ME-project-id
  workspace_id: REPLACE-ME-workspace-id
  obs:
    bucket: REPLACE-ME-obs-bucket
"""
    + PROD_SOURCE
    + """\
github:
  environment: production         # apply to prod waits for this GitHub environment's required reviewers
"""
    + PROD_SETTINGS
)
README_HEADING = "## jobsync delivery"
README_SECTION = """\
## jobsync delivery

Pull requests that change `workspaces/**` are planned (`.github/workflows/jobsync-plan.yml`):
one comment shows each affected workspace's plan. After the merge, `jobsync-apply.yml` applies
exactly the reviewed plan (`jobsync apply --reviewed`); a console edit made since the review,
or a head commit that was never planned, is refused with the reason in the pull request.
`jobsync-drift.yml` proposes console edits as pull requests.

Set up once, in the repository's Settings:

1. Replace every `REPLACE-ME` in `workspaces/*/workspace.yaml`.
2. Credentials, one of:
   - **OIDC (no stored keys)**: in Huawei Cloud IAM create an OpenID Connect identity provider
     for `https://token.actions.githubusercontent.com` with client ID `huaweicloud` (the
     workflows' `HUAWEICLOUD_ID_TOKEN_AUDIENCE`) and map this repository to an agency; then add
     the secret `HUAWEICLOUD_SDK_IDP_ID` (the provider's name). The workflows request a token
     (`permissions: id-token: write`), write it to a file and pass `HUAWEICLOUD_SDK_IDP_ID` and
     `HUAWEICLOUD_SDK_ID_TOKEN_FILE` to jobsync.
   - **AK/SK**: the secrets `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (of a user that may
     edit DataArts Factory and the OBS bucket). Different keys per workspace: put them in each
     GitHub environment instead.
3. Environments: create the environment `production` and add its required reviewers; applies
   to `prod` (`github: {environment: production}` in its workspace.yaml) wait for them.
4. Drift pull requests: under Actions > General, turn on
   "Allow GitHub Actions to create and approve pull requests". Pull requests opened with the
   default token run no workflows, so the drift PR gets no plan check: add a GitHub App
   (secrets `JOBSYNC_APP_ID`, `JOBSYNC_APP_PRIVATE_KEY`) or a fine-grained token (secret
   `JOBSYNC_DRIFT_TOKEN`, contents and pull requests: write).
5. Branch protection on `main`: require the `jobsync plan` check.
"""
VARIABLES_YAML = """\
# yaml-language-server: $schema=../../schemas/variables.v1.json
# {name}'s DataArts environment variables: jobs read them as ${{name}} or #{{Env.get("name")}}.
{{}}
"""
GITIGNORE_LINES = (".jobsync/state/", ".jobsync/cache/", ".jobsync/backups/")  # the lock files live in state/
GITIGNORE_HEADER = "# jobsync working files"


def _gitignore(root: Path) -> bool:
    path = root / ".gitignore"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in current.splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in present and "/" + line not in present]
    if not missing:
        return False
    prefix = current if not current or current.endswith("\n") else current + "\n"
    header = "" if GITIGNORE_HEADER in present else GITIGNORE_HEADER + "\n"
    write_atomic(path, prefix + header + "\n".join(missing) + "\n")
    return True


def _readme(root: Path) -> bool:
    path = root / "README.md"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if README_HEADING in current.splitlines():
        return False
    prefix = current if not current or current.endswith("\n") else current + "\n"
    write_atomic(path, prefix + ("\n" if prefix else "") + README_SECTION)
    return True


def init(root: Path, *, github: bool = False) -> Iterator[str]:
    """Create what is missing, say what was made, and commit it; never overwrites a file.

    With `github`, the workspaces are on the dataarts backend (placeholders to replace), prod
    is gated by the GitHub environment `production`, and the workflows and a README section
    on the secrets and settings to create are written too."""
    if root.exists() and not root.is_dir():
        raise JobsyncError(f"{root} is a file; name a folder to create the repo in (or a new path)")
    if gitrepo.init(root):
        yield f"initialised a git repository in {root}"
    first = gitrepo.head(root) is None
    yield from _scaffold(root, github=github)
    written = [p for p in _scaffolded(root) if p.exists()]
    if not first:
        yield "the repository has commits already: review and commit the new files yourself"
        written = []
    try:
        commit = gitrepo.commit(root, written, "jobsync init: workspaces dev and prod, schemas, .gitignore\n")
    except RepoError as error:
        yield f"the files are written but not committed ({error}); commit them yourself"
        commit = None
    if commit:
        yield f"committed {commit[:12]} (jobsync init)"
    yield (
        "next: `jobsync validate`, then `jobsync plan -w dev` and `jobsync apply -w dev` (the example job hello); "
        "`jobsync export -w dev` brings a workspace in; prod deploys dev's files "
        "(`jobsync diff dev prod`, `jobsync promote -w prod --ref TAG`)"
    )


def _scaffolded(root: Path) -> list[Path]:
    """Every file init may write (what exists of them is committed)."""
    files = [root / ".gitignore", root / "README.md"]
    for name in ("dev", "prod"):
        files += [root / "workspaces" / name / "workspace.yaml", root / "workspaces" / name / "variables.yaml"]
    files += [root / "workspaces" / "dev" / kind / ".gitkeep" for kind in ("jobs", "scripts", "resources")]
    files += [root / "workspaces" / "dev" / rel for rel in EXAMPLE_FILES]
    files += [root / "schemas" / schema.name for schema in sorted(schema_dir().glob("*.json"))]
    files += [root / ".github" / "workflows" / path.name for path in _workflow_names()]
    return files


def _workflow_names() -> list[Path]:
    from jobsync.github import templates

    return list(templates())


def _example(dev: Path) -> Iterator[str]:
    """The example job and its script, in a dev folder that has no jobs or scripts yet."""
    if (dev / "jobs").exists() or (dev / "scripts").exists():
        return
    for rel, text in EXAMPLE_FILES.items():
        write_atomic(dev / rel, text)
    yield (
        "wrote the example job hello and its script (workspaces/dev/jobs/examples, scripts/examples); "
        "delete both folders once your own jobs are in the repo"
    )


def _scaffold(root: Path, *, github: bool) -> Iterator[str]:
    texts = (GITHUB_DEV_YAML, GITHUB_PROD_YAML) if github else (WORKSPACE_YAML, PROD_WORKSPACE_YAML)
    for name, text in zip(("dev", "prod"), texts, strict=True):
        folder = root / "workspaces" / name
        for path, content in (
            (folder / "workspace.yaml", text),
            (folder / "variables.yaml", VARIABLES_YAML.format(name=name)),
        ):
            if not path.exists():
                write_atomic(path, content)
                yield f"wrote {path.relative_to(root)}"
    if not github:
        yield from _example(root / "workspaces" / "dev")
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
        if _readme(root):
            yield f"wrote the section '{README_HEADING[3:]}' of README.md: the secrets and settings to create"
