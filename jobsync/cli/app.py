"""The command line: parse, call the engine, render, pick the exit code."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from jobsync.backends.lock import DEFAULT_TIMEOUT_S
from jobsync.cli import commands
from jobsync.cli import help as plainhelp
from jobsync.cli.console import handle_errors
from jobsync.cli.options import (
    AllowMassDelete,
    ExportAs,
    Jobs,
    LockTimeout,
    PlainUsage,
    Repo,
    User,
    VerifyOpt,
    WorkspaceOpt,
)
from jobsync.core.policies import SnapshotState
from jobsync.errors import ExitCode
from jobsync.render.formats import Format
from jobsync.version import __version__

EXIT_CODES = (
    "Exit codes: 0 success; 1 an error, or something blocked or failed; 2 with "
    "--detailed-exitcode when the plan has changes (usage errors are 2 as well, before any "
    "plan is made); 3 an internal error (please report it); 130 interrupted."
)

plainhelp.install()

app = typer.Typer(
    name="jobsync",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Status(str, enum.Enum):
    develop = "develop"
    submitted = "submitted"


STATES: dict[Status, SnapshotState] = {Status.develop: "develop", Status.submitted: "submitted"}


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"jobsync {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Git as the source of truth for DataArts Factory jobs, scripts and resources."""


@app.command(cls=PlainUsage, epilog="Example: jobsync init my-jobs && cd my-jobs && jobsync plan -w dev")
def init(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to create the repo.")] = Path(),
    github: Annotated[bool, typer.Option("--github", help="Also write the GitHub Actions workflows.")] = False,
) -> None:
    """Scaffold a jobsync repo: git, workspaces/dev, schemas, .gitignore."""
    with handle_errors():
        commands.init(path, github=github)


@app.command(epilog="Example: jobsync validate   (or: jobsync validate -w dev)")
def validate(repo: Repo = None, workspace: WorkspaceOpt = None) -> None:
    """Check the repo files: schema, names, folders, content files, dependencies."""
    with handle_errors():
        raise typer.Exit(commands.validate(repo, workspace))


@app.command("fmt", epilog="Example: jobsync fmt --check -w dev")
def fmt_command(
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 naming each file that is not canonical.")
    ] = False,
    repo: Repo = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Rewrite the object files in the canonical form (what export writes)."""
    with handle_errors():
        raise typer.Exit(commands.format_files(repo, workspace, check=check))


@app.command(epilog="Example: jobsync export -w dev   (or one job and what it uses: --job daily_sales)")
def export(
    workspace: WorkspaceOpt = None,
    job: Jobs = None,
    with_deps: Annotated[
        bool,
        typer.Option("--with-deps/--jobs-only", help="Also export the scripts and resources the jobs use."),
    ] = True,
    status: Annotated[
        Status,
        typer.Option(help="Export the development state or the latest submitted version."),
    ] = Status.develop,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Write the files but do not commit.")] = False,
    message: Annotated[str | None, typer.Option("-m", "--message", help="Commit message.")] = None,
    lock_timeout: LockTimeout = DEFAULT_TIMEOUT_S,
    allow_detached: Annotated[
        bool, typer.Option("--allow-detached", help="Commit even on a detached HEAD (the commit is on no branch).")
    ] = False,
    format: ExportAs = Format.text,
    repo: Repo = None,
) -> None:
    """Write the workspace's objects into the repo and commit them.

    A file for an object the workspace never had (not yet applied) is kept and reported."""
    with handle_errors():
        commands.export(
            repo,
            workspace,
            job or [],
            with_deps=with_deps,
            status=STATES[status],
            commit=not no_commit,
            message=message,
            lock_timeout=lock_timeout,
            allow_detached=allow_detached,
            as_json=format is Format.json,
        )


@app.command(epilog="Example: jobsync plan -w prod --format markdown --out plan.json")
def plan(
    workspace: WorkspaceOpt = None,
    job: Jobs = None,
    format: Annotated[
        Format,
        typer.Option("--format", "-f", help="text, markdown (PR comment) or json."),
    ] = Format.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also save the plan (JSON) for `jobsync apply PLANFILE`."),
    ] = None,
    detailed_exitcode: Annotated[
        bool,
        typer.Option("--detailed-exitcode", help="Exit 2 when there are changes."),
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Read every definition again, ignoring the cache."),
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help=("Only the objects whose files changed since the merge base with this git ref (e.g. origin/main)."),
        ),
    ] = None,
    allow_mass_delete: AllowMassDelete = False,
    backend_from: Annotated[
        str | None,
        typer.Option(
            "--backend-from",
            metavar="REF",
            help="Take workspace.yaml's backend settings from this git ref (a pull request's base branch).",
        ),
    ] = None,
    verify: Annotated[
        bool | None,
        typer.Option(
            "--verify/--no-verify",
            help="Say what `apply --verify` would run (default: when workspace.yaml has a verify: section).",
            show_default=False,
        ),
    ] = None,
    user: User = None,
    repo: Repo = None,
) -> None:
    """Show what apply would change in the workspace."""
    with handle_errors():
        code = commands.plan(
            repo,
            workspace,
            job or [],
            fmt=format,
            out=out,
            detailed_exitcode=detailed_exitcode,
            refresh=refresh,
            user=user,
            colour=sys.stdout.isatty(),
            changed_since=changed_since,
            allow_mass_delete=allow_mass_delete,
            backend_ref=backend_from,
            verify=verify,
        )
        raise typer.Exit(code)


@app.command(
    cls=PlainUsage, epilog="Example: jobsync apply -w dev plan.json   (or review and confirm: jobsync apply -w dev)"
)
def apply(
    planfile: Annotated[
        Path | None, typer.Argument(metavar="PLANFILE", help="A plan saved with `plan --out`; refused if stale.")
    ] = None,
    workspace: WorkspaceOpt = None,
    job: Jobs = None,
    auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Do not ask before applying.")] = False,
    reviewed: Annotated[
        bool,
        typer.Option(
            "--reviewed",
            help="PLANFILE is the plan reviewed in the pull request: apply only if a fresh plan is the same "
            "(objects, actions, both fingerprints), else exit 1 naming each difference.",
        ),
    ] = False,
    format: Annotated[
        Format,
        typer.Option("--format", "-f", help="How to show the plan and the result."),
    ] = Format.text,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="As plan's: only what changed since REF's merge base, and the job files git saw renamed.",
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Enterprise mode: wait until the packages are released, cancelled or failed."),
    ] = False,
    wait_timeout: Annotated[
        float, typer.Option("--wait-timeout", metavar="SECONDS", help="How long --wait waits.")
    ] = 3600.0,
    user: User = None,
    lock_timeout: LockTimeout = DEFAULT_TIMEOUT_S,
    allow_mass_delete: AllowMassDelete = False,
    verify: VerifyOpt = None,
    allow_rule: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-rule",
            metavar="RULE_ID",
            help="Apply although this rule of policies.yaml fails (repeatable); your name (--user) goes into "
            "the version description.",
        ),
    ] = None,
    repo: Repo = None,
) -> None:
    """Make the workspace match the repo."""
    with handle_errors():
        code = commands.apply(
            repo,
            workspace,
            job or [],
            plan_path=planfile,
            auto_approve=auto_approve,
            reviewed=reviewed,
            fmt=format,
            user=user,
            colour=sys.stdout.isatty(),
            changed_since=changed_since,
            wait=wait,
            wait_timeout_s=wait_timeout,
            lock_timeout=lock_timeout,
            allow_mass_delete=allow_mass_delete,
            verify=verify,
            allow_rules=allow_rule or [],
        )
        raise typer.Exit(code)


@app.command("force-unlock", cls=PlainUsage, epilog="Example: jobsync force-unlock -w dev 3f2a9c0b1d4e")
def force_unlock(
    lock_id: Annotated[str, typer.Argument(metavar="LOCK_ID", help="The lock id a waiting run printed.")],
    workspace: WorkspaceOpt = None,
    repo: Repo = None,
    force: Annotated[
        bool, typer.Option("--force", help="Break it even though its holder still runs on this host.")
    ] = False,
) -> None:
    """Break a workspace lock whose holder is gone (killed, its machine lost).

    Only the lock with this id is removed, and not while its holder still runs on this host
    (the pid and command are named) unless --force. A run whose lock was broken stops before
    its next write.
    """
    with handle_errors():
        raise typer.Exit(commands.force_unlock(repo, workspace, lock_id, force=force))


@app.command("diff", cls=PlainUsage, epilog="Example: jobsync diff dev prod --format markdown")
def diff_command(
    source: Annotated[str, typer.Argument(metavar="A", help="The workspace whose definitions would be promoted.")],
    target: Annotated[str, typer.Argument(metavar="B", help="The workspace they would be promoted to.")],
    format: Annotated[
        Format,
        typer.Option("--format", "-f", help="text, markdown (PR comment) or json."),
    ] = Format.text,
    repo: Repo = None,
) -> None:
    """What promoting workspace A to B would change, field by field, from the repo alone."""
    with handle_errors():
        raise typer.Exit(commands.diff(repo, source, target, fmt=format))


@app.command(epilog="Example: jobsync promote -w prod --ref v2026.11.3")
def promote(
    ref: Annotated[str, typer.Option("--ref", metavar="REF", help="The git tag, branch or commit to deploy.")],
    workspace: WorkspaceOpt = None,
    format: Annotated[
        Format,
        typer.Option("--format", "-f", help="How to show the plan at the new ref."),
    ] = Format.text,
    user: User = None,
    repo: Repo = None,
) -> None:
    """Point the workspace's source at REF (rewriting source.ref in workspace.yaml) and show its plan."""
    with handle_errors():
        code = commands.promote(repo, workspace, ref, fmt=format, user=user, colour=sys.stdout.isatty())
        raise typer.Exit(code)


def _add_subcommands() -> None:
    from jobsync.cli.archive import app as archive_app
    from jobsync.cli.emulator import app as emulator_app
    from jobsync.cli.github import app as github_app
    from jobsync.cli.history import history
    from jobsync.cli.preview import app as preview_app
    from jobsync.cli.release import app as release_app

    app.command(cls=PlainUsage, epilog="Example: jobsync history -w prod daily_sales --format json")(history)

    app.add_typer(emulator_app, name="emulator", help="Run the DataArts API emulator on loopback.")
    app.add_typer(archive_app, name="archive", help="Read and write console .zip exports.")
    app.add_typer(release_app, name="release", help="Enterprise mode: jobsync's release packages and their states.")
    app.add_typer(preview_app, name="preview", help="Preview deployments: a pull request's changes in a sandbox.")
    app.add_typer(github_app, name="github", help="Pull-request workflow helpers: sticky plan comment, drift PR.")


_add_subcommands()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of exiting (for tests and __main__).

    Usage errors (a bad choice, a missing argument) are printed in plain words, exit 2."""
    try:
        result = app(args=argv, prog_name="jobsync", standalone_mode=False)
    except plainhelp.ClickException as error:
        ctx = getattr(error, "ctx", None)
        if plainhelp.NoArgsIsHelpError is not None and isinstance(error, plainhelp.NoArgsIsHelpError):
            typer.echo(ctx.get_help() if ctx else "", err=True)
            return ExitCode.USAGE
        typer.echo(typer.style("error: ", fg="red") + plainhelp.error_text(error), err=True)
        hint = plainhelp.usage_hint(error)
        if hint:
            typer.echo(hint, err=True)
        return int(getattr(error, "exit_code", ExitCode.USAGE))
    except typer.Abort:
        typer.echo("interrupted", err=True)
        return ExitCode.INTERRUPTED
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else ExitCode.ERROR
    return int(result) if isinstance(result, int) else ExitCode.OK
