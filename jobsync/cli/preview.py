"""`jobsync preview up|down|list`: a pull request's changes deployed under derived names into
the sandbox workspace workspace.yaml's `preview:` names (ops/preview.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from jobsync.backends.lock import DEFAULT_TIMEOUT_S
from jobsync.cli.commands import workspace_config
from jobsync.cli.console import Progress, handle_errors, say, warn
from jobsync.cli.options import LockTimeout, Repo, WorkspaceOpt
from jobsync.errors import ExitCode
from jobsync.ops import usecases
from jobsync.ops.apply import result_to_document
from jobsync.render import jsonout, outcome
from jobsync.render.document import plan_to_document
from jobsync.render.formats import Format, render_plan
from jobsync.repo.config import WorkspaceConfig

app = typer.Typer(no_args_is_help=True, add_completion=False)

IfConfigured = Annotated[
    bool,
    typer.Option(
        "--if-configured",
        help="Do nothing (exit 0) when the workspace declares no preview sandbox (the workflow's case).",
    ),
]
Name = Annotated[str, typer.Option("--name", help="The preview's name, e.g. pr-123: its objects are pr-123_<name>.")]


def _skip_unless_configured(config: WorkspaceConfig, if_configured: bool) -> None:
    if if_configured and not config.preview_workspace:
        say(f"workspace {config.name} declares no preview sandbox (preview: in workspace.yaml); nothing to do")
        raise typer.Exit(ExitCode.OK)


@app.command(epilog="Example: jobsync preview up -w dev --name pr-123 --changed-since origin/main")
def up(
    name: Name,
    workspace: WorkspaceOpt = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since", metavar="REF", help="Deploy what changed since REF's merge base (and what it uses)."
        ),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Deploy every job, script and resource.")] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Run each deployed job once and report (as apply --verify).")
    ] = False,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text, markdown (PR comment) or json.")
    ] = Format.text,
    if_configured: IfConfigured = False,
    lock_timeout: LockTimeout = DEFAULT_TIMEOUT_S,
    repo: Repo = None,
) -> None:
    """Deploy the workspace's changes into its preview sandbox under derived names, schedules stopped."""
    with handle_errors():
        config = workspace_config(repo, workspace)
        _skip_unless_configured(config, if_configured)

        def show(document: dict[str, object]) -> None:
            if format is not Format.json:
                typer.echo(render_plan(document, format), nl=False)

        done = usecases.preview_up(
            config,
            name,
            changed_since=changed_since,
            everything=everything,
            verify=verify,
            lock_timeout=lock_timeout,
            voice=usecases.Voice(say=say, warn=warn, show=show, progress=Progress()),
        )
        result = result_to_document(done.result)
        sandbox = done.preview.sandbox.name
        if format is Format.json:
            copies = {str(key): str(copy) for key, copy in done.preview.copies.items()}
            document = {
                "preview": name,
                "sandbox": sandbox,
                "copies": copies,
                "plan": plan_to_document(done.preview.plan),
            }
            typer.echo(jsonout.dumps({**document, "result": result}))
        elif format is Format.markdown:
            typer.echo(outcome.apply_markdown(result, f"{sandbox}` (preview `{name}`)"))
        else:
            typer.echo(done.result.summary_line())
            if done.result.verified:
                typer.echo(done.result.verify_line())
                for line in outcome.verify_text(result["verify"]):  # type: ignore[arg-type]
                    typer.echo(line)
        say(f"preview {name}: {len(done.preview.copies)} object(s) in workspace {sandbox}")
        raise typer.Exit(ExitCode.OK if done.ok else ExitCode.ERROR)


@app.command(epilog="Example: jobsync preview down -w dev --name pr-123")
def down(
    name: Name,
    workspace: WorkspaceOpt = None,
    if_configured: IfConfigured = False,
    lock_timeout: LockTimeout = DEFAULT_TIMEOUT_S,
    repo: Repo = None,
) -> None:
    """Remove exactly the preview's objects from the sandbox; nothing there is not an error."""
    with handle_errors():
        config = workspace_config(repo, workspace)
        _skip_unless_configured(config, if_configured)
        removed = usecases.preview_down(
            config, name, lock_timeout=lock_timeout, voice=usecases.Voice(say=say, warn=warn)
        )
        failed = {key: why for key, why in removed.items() if why}
        for key in sorted(removed):
            typer.echo(
                f"{'not removed' if key in failed else 'removed'}: {key}"
                + (f": {failed[key]}" if key in failed else "")
            )
        say(f"preview {name}: {len(removed) - len(failed)} removed, {len(failed)} not removed")
        raise typer.Exit(ExitCode.ERROR if failed else ExitCode.OK)


@app.command("list", epilog="Example: jobsync preview list -w dev")
def list_previews(workspace: WorkspaceOpt = None, repo: Repo = None) -> None:
    """Each preview in the sandbox, with its objects."""
    with handle_errors():
        config = workspace_config(repo, workspace)
        label, found = usecases.preview_list(config)
        say(f"previews in {label}")
        for preview_name, keys in sorted(found.items()):
            typer.echo(f"{preview_name}: {', '.join(str(key) for key in keys)}")
