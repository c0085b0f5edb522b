"""`jobsync github ...`: what the GitOps workflows run besides plan, apply and export.

    workspaces [--remote-only]        JSON list of workspace names (a workflow matrix)
    changed-workspaces --since REF    JSON list of the workspaces a branch changed
    comment --pr N | --commit SHA     post or update the sticky PR comment
    reviewed-plan --commit SHA -w W   fetch the plan reviewed in the merged pull request
    drift-pr -w W ...                 open or update the drift pull request

GitHub settings come from GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL (set by Actions;
the token is passed with `env:`). Messages go to stderr, data to stdout.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from jobsync.cli.console import handle_errors, say
from jobsync.cli.options import Repo
from jobsync.core.inert import inert
from jobsync.errors import JobsyncError
from jobsync.fileio import write_atomic
from jobsync.github import comment as sticky
from jobsync.github import drift, reviewed
from jobsync.github.api import GitHub
from jobsync.render import jsonout
from jobsync.repo import changes, gitrepo
from jobsync.repo import config as configuration

app = typer.Typer(help="GitHub pull-request workflow helpers.", no_args_is_help=True)

REMOTE_HELP = "Leave out workspaces on the local backend (nothing to export from in CI)."
SINCE_HELP = "Compare with the merge base of this git ref, e.g. origin/main."
DETAILS_HELP = "Print the changed objects of each workspace too."
ENVIRONMENTS_HELP = (
    'Print [{"workspace": W, "environment": E}], E being workspace.yaml github.environment or "" '
    "(the apply workflow's jobs)."
)
COMMIT_HELP = "Or: the merged commit whose pull request to comment on."
PLAN_HELP = "A plan saved with `plan --out`; repeat for each workspace."
BODY_HELP = "Markdown to include as it is; repeat for more."
MARKER_HELP = "The marker line the comment is found by (default: the body's first line)."
FAILED_HELP = "WORKSPACE=FILE: that workspace's step failed; FILE holds its stderr. Repeat for each."
STEP_HELP = "The step --failed reports on: plan or apply."
SUMMARY_HELP = "Append the comment to the job summary too (the file GITHUB_STEP_SUMMARY names)."
MESSAGE_HELP = "The export commit's message (its Changed-by: trailers name the console users)."

RemoteOnly = Annotated[bool, typer.Option("--remote-only", help=REMOTE_HELP)]
Since = Annotated[str, typer.Option("--since", metavar="REF", help=SINCE_HELP)]
Details = Annotated[bool, typer.Option("--details", help=DETAILS_HELP)]
Environments = Annotated[bool, typer.Option("--environments", help=ENVIRONMENTS_HELP)]
Pr = Annotated[int | None, typer.Option("--pr", help="The pull request number.")]
Commit = Annotated[str | None, typer.Option("--commit", help=COMMIT_HELP)]
Plans = Annotated[list[Path] | None, typer.Option("--plan", help=PLAN_HELP, exists=True, dir_okay=False)]
Bodies = Annotated[list[Path] | None, typer.Option("--body-file", help=BODY_HELP, exists=True, dir_okay=False)]
Failed = Annotated[list[str] | None, typer.Option("--failed", metavar="WORKSPACE=FILE", help=FAILED_HELP)]
Step = Annotated[str, typer.Option("--step", help=STEP_HELP)]
StepSummary = Annotated[bool, typer.Option("--step-summary", help=SUMMARY_HELP)]
Marker = Annotated[str | None, typer.Option("--marker", help=MARKER_HELP)]
Workspace = Annotated[str, typer.Option("-w", "--workspace", help="The workspace that drifted.")]
ExportJson = Annotated[
    Path,
    typer.Option("--export-json", help="What `jobsync export --format json` printed.", exists=True, dir_okay=False),
]
Message = Annotated[Path | None, typer.Option("--message-file", help=MESSAGE_HELP, exists=True, dir_okay=False)]
Branch = Annotated[str | None, typer.Option("--branch", help="Default: jobsync/drift/<workspace>.")]
Base = Annotated[str, typer.Option("--base", help="The branch to merge into.")]


def _root(repo: Path | None) -> Path:
    return gitrepo.find_root((repo or Path.cwd()).resolve())


def _is_local(root: Path, name: str) -> bool:
    return bool(configuration.load_workspace(root, name).backend["type"] == "local")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise JobsyncError(f"{path}: cannot read it as JSON ({error})") from None


@app.command(epilog="Example: jobsync github workspaces --remote-only")
def workspaces(remote_only: RemoteOnly = False, repo: Repo = None) -> None:
    """Print the repo's workspaces as a JSON list."""
    with handle_errors():
        root = _root(repo)
        names = configuration.workspace_names(root)
        if remote_only:
            names = [n for n in names if not _is_local(root, n)]
        typer.echo(jsonout.dumps(names, indent=None))


@app.command("changed-workspaces", epilog="Example: jobsync github changed-workspaces --since origin/main")
def changed_workspaces(
    since: Since, details: Details = False, environments: Environments = False, repo: Repo = None
) -> None:
    """Print the workspaces a branch affects since REF as a JSON list: those whose files
    changed and those deploying them from the working tree (a `source` without a ref)."""
    with handle_errors():
        root = _root(repo)
        found = changes.changed_since(root, since)
        for item in found.values():
            say(changes.describe(item))
        out: Any = list(found)
        if details:
            out = [item.to_dict() for item in found.values()]
        elif environments:
            out = [
                {"workspace": name, "environment": configuration.load_workspace(root, name).github_environment or ""}
                for name in found
            ]
        typer.echo(jsonout.dumps(out, indent=None))


def _failures(items: list[str] | None) -> list[tuple[str, str]]:
    found = []
    for item in items or ():
        workspace, sep, path = item.partition("=")
        if not sep or not workspace or not path:
            raise JobsyncError(f"--failed {item!r}: give WORKSPACE=FILE, e.g. --failed prod=plan-prod.err")
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            text = f"(the error output {path} could not be read: {error.strerror})"
        found.append((workspace, text))
    return found


def _own_marker(extra: list[str]) -> str | None:
    first = extra[0].split("\n", 1)[0].strip() if extra else ""
    return first if sticky.MARKER_LINE.fullmatch(first) else None


def _comment_body(
    plan: list[Path] | None, extra: list[str], failures: list[tuple[str, str]], marker: str | None
) -> str:
    """The plan comment (every plan, failure and extra text under PLAN_MARKER), unless a
    marker is given or the first body starts with its own: then the bodies, failures first."""
    if plan or (marker or _own_marker(extra)) is None:
        body = sticky.plan_comment([_read_json(p) for p in plan or ()], extra, failures=failures)
        return body if marker is None else body.replace(sticky.PLAN_MARKER, marker, 1)
    marker = marker or str(_own_marker(extra))
    step = "apply" if "apply" in marker else "plan"
    sections = [sticky.failure_section(ws, text, step) for ws, text in failures]
    rest = [extra[0].removeprefix(marker).lstrip("\n"), *extra[1:]] if extra else []
    return "\n".join([marker, *sections, *rest])


@app.command(epilog="Example: jobsync github comment --pr 42 --plan jobsync-plan/dev.json")
def comment(
    pr: Pr = None,
    commit: Commit = None,
    plan: Plans = None,
    body_file: Bodies = None,
    failed: Failed = None,
    marker: Marker = None,
    step_summary: StepSummary = False,
) -> None:
    """Create the pull request's sticky comment, or update it in place."""
    with handle_errors():
        extra = [p.read_text(encoding="utf-8") for p in body_file or ()]
        body = inert(_comment_body(plan, extra, _failures(failed), marker))
        if step_summary and os.environ.get("GITHUB_STEP_SUMMARY"):
            with Path(os.environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as summary:
                summary.write(body.split("\n", 1)[1] if "\n" in body else body)
                summary.write("\n")
        github = GitHub.from_env()
        number = pr if pr is not None else _pull_of(github, commit)
        if number is None:
            say(f"commit {commit} is not from a pull request; no comment posted")
            return
        posted = sticky.upsert_comment(github, number, body)
        say(f"{posted.action} comment {posted.id} on pull request #{number}")
        typer.echo(posted.url)


def _pull_of(github: GitHub, commit: str | None) -> int | None:
    if commit is None:
        raise JobsyncError("name the pull request with --pr N, or a merged commit with --commit SHA")
    return sticky.pull_request_of(github, commit)


@app.command("drift-pr", epilog="Example: jobsync github drift-pr -w prod --export-json export.json")
def drift_pr(
    workspace: Workspace,
    export_json: ExportJson,
    message_file: Message = None,
    branch: Branch = None,
    base: Base = "main",
) -> None:
    """Open the drift pull request for a workspace, or update the one already open."""
    with handle_errors():
        export = _read_json(export_json)
        objects = drift.objects_of(export)
        if not objects:
            say(f"workspace {workspace} matches git; no pull request")
            return
        message = message_file.read_text(encoding="utf-8") if message_file else ""
        users = drift.console_users(message)
        pull = drift.open_or_update(
            GitHub.from_env(),
            branch=branch or drift.BRANCH.format(workspace=workspace),
            base=base,
            title=drift.title(workspace, objects),
            body=drift.body(workspace, export, users),
        )
        say(f"{pull.action} pull request #{pull.number}")
        typer.echo(pull.url)


@app.command(
    "reviewed-plan", epilog="Example: jobsync github reviewed-plan -w prod --commit $GITHUB_SHA --out plan.json"
)
def reviewed_plan(
    workspace: Annotated[str, typer.Option("-w", "--workspace", help="The workspace to apply.")],
    commit: Annotated[str, typer.Option("--commit", help="The pushed (merged) commit.")],
    out: Annotated[Path, typer.Option("--out", help="Where to save the reviewed plan JSON.")],
) -> None:
    """Save the plan the merged pull request showed for WORKSPACE (its last head commit's
    `jobsync-plan-<sha>` artifact), for `jobsync apply --reviewed`. Exit 1 when there is none."""
    with handle_errors():
        found = reviewed.reviewed_plan(GitHub.from_env(), commit, workspace)
        write_atomic(out, found.plan)
        say(f"saved the plan of {workspace} reviewed in pull request #{found.pull} ({found.artifact}) to {out}")
        typer.echo(jsonout.dumps({"pull": found.pull, "head": found.head, "artifact": found.artifact}, indent=None))
