"""Command-line options every command group shares, so they read the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

from jobsync.render.formats import Format

REPO_HELP = "The GitOps repo (default: the git repo around the current folder)."
WORKSPACE_HELP = (
    "Workspace folder under workspaces/. Needed when there are several (`jobsync init` makes dev "
    "and prod); with only one, that one."
)

Repo = Annotated[Path | None, typer.Option("--repo", metavar="PATH", help=REPO_HELP)]
WorkspaceOpt = Annotated[str | None, typer.Option("-w", "--workspace", metavar="NAME", help=WORKSPACE_HELP)]
Jobs = Annotated[
    list[str] | None, typer.Option("--job", metavar="NAME", help="Only this job and what it uses; repeat for more.")
]
User = Annotated[
    str | None,
    typer.Option("--user", help="Act as this user (default: JOBSYNC_USER, then workspace.yaml)."),
]
LockTimeout = Annotated[
    float,
    typer.Option(
        "--lock-timeout",
        metavar="SECONDS",
        min=0,
        help="How long to wait for another jobsync run to release the workspace lock.",
    ),
]
AllowMassDelete = Annotated[
    bool,
    typer.Option(
        "--allow-mass-delete",
        help="Confirm a plan that deletes every object of a kind, or more than policies.max_deletes.",
    ),
]

VerifyOpt = Annotated[
    bool | None,
    typer.Option(
        "--verify/--no-verify",
        help="After applying, run each changed job once (scripts: execute) and report how each run ended "
        "(workspace.yaml verify: sets which, with what, and whether a failure fails the apply). "
        "Default: verify when workspace.yaml has a verify: section.",
        show_default=False,
    ),
]


def _text_or_json(value: Format) -> Format:
    if value is Format.markdown:
        raise typer.BadParameter("this command writes text or json")
    return value


TextOrJson = Annotated[
    Format, typer.Option("--format", "-f", help="text or json.", callback=_text_or_json, metavar="text|json")
]
ExportAs = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="text: a summary on stderr only; json: also what changed, on stdout (for scripts).",
        callback=_text_or_json,
        metavar="text|json",
    ),
]


class PlainUsage(TyperCommand):
    """A usage line in plain capitals, as the README writes it: `history [OPTIONS] JOB`,
    `apply [OPTIONS] [PLANFILE]`, `archive import [OPTIONS] ZIP...` (typer writes a required
    argument as `{job}`). Pass it as `cls=` to every command that takes an argument."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # click's Context, vendored inside typer
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if not isinstance(param, TyperArgument):
                pieces += param.get_usage_pieces(ctx)
                continue
            name = (param.metavar or param.name or "").upper() + ("..." if param.nargs != 1 else "")
            pieces.append(name if param.required else f"[{name}]")
        return pieces
