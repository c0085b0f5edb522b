"""`jobsync release status -w W`: jobsync's release packages in an enterprise-mode workspace."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime, timezone
from typing import Any

import typer

from jobsync.cli.commands import workspace_config
from jobsync.cli.console import handle_errors, say
from jobsync.cli.options import Repo, TextOrJson, WorkspaceOpt
from jobsync.ops import release
from jobsync.ops.plan import open_workspace
from jobsync.render import jsonout
from jobsync.render.formats import Format

app = typer.Typer(help="Enterprise mode: jobsync's release packages and their states.", no_args_is_help=True)


def when(ms: Any) -> str:
    if not isinstance(ms, int):
        return "-"
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def package_text(item: dict[str, Any]) -> list[str]:
    released = f", released by {item['released_by']} {when(item['released_ms'])}" if item["released_by"] else ""
    head = (
        f"{item['id']}  {item['state']:<15} {item['name']!r}  "
        f"by {item['applied_by'] or '?'} {when(item['applied_ms'])}{released}"
    )
    tasks = [f"    {t['update']:<6} {t['kind']} {t['name']} v{t['version']}: {t['state']}" for t in item["tasks"]]
    return [head, *tasks]


@app.command(epilog="Example: jobsync release status -w dev --format json")
def status(
    workspace: WorkspaceOpt = None,
    format: TextOrJson = Format.text,
    repo: Repo = None,
) -> None:
    """List jobsync's release packages (newest first) with their states and tasks."""
    with handle_errors():
        config = workspace_config(repo, workspace)
        with closing(open_workspace(config)) as ws:
            release.enterprise_mode(config, ws)
            say(f"reading {ws.label}")
            packages = release.documents(release.status(config, ws))
        document = {"workspace": config.name, "packages": packages}
        if format is Format.json:
            typer.echo(jsonout.render(document), nl=False)
            return
        if not packages:
            typer.echo(f"No release packages of jobsync in workspace {config.name}.")
        for item in packages:
            typer.echo("\n".join(package_text(dict(item))))
