"""Command-line options every command group shares, so they read the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

REPO_HELP = "The GitOps repo (default: the git repo around the current folder)."
WORKSPACE_HELP = "Workspace folder under workspaces/ (default: the only one)."

Repo = Annotated[Path | None, typer.Option("--repo", help=REPO_HELP)]
WorkspaceOpt = Annotated[str | None, typer.Option("-w", "--workspace", help=WORKSPACE_HELP)]
Jobs = Annotated[list[str] | None, typer.Option("--job", help="Only this job and what it uses; repeat for more.")]
User = Annotated[
    str | None,
    typer.Option("--user", help="Act as this user (default: JOBSYNC_USER, then workspace.yaml)."),
]
