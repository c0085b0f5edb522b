"""`jobsync history -w W JOB`: each version of a job, and the commit and PR it came from."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from jobsync.cli.commands import workspace_config
from jobsync.cli.console import handle_errors, say
from jobsync.cli.options import Repo, TextOrJson, WorkspaceOpt
from jobsync.ops.history import history_document, job_history
from jobsync.ops.plan import open_workspace
from jobsync.render import history as view
from jobsync.render import jsonout
from jobsync.render.formats import Format


def history(
    job: Annotated[str, typer.Argument(metavar="JOB", help="The job's name.")],
    workspace: WorkspaceOpt = None,
    format: TextOrJson = Format.text,
    repo: Repo = None,
) -> None:
    """Each version of a job with the commit and PR it came from, or "made in the console"."""
    with handle_errors():
        config = workspace_config(repo, workspace)
        with closing(open_workspace(config)) as ws:
            say(f"reading {ws.label}")
            entries = job_history(config, ws, job)
            document = history_document(config, ws.label, job, entries)
        typer.echo(jsonout.render(document) if format is Format.json else view.render(document), nl=False)
