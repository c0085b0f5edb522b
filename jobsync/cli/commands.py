"""What each CLI command does, between parsing (cli.py) and the engine."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from jobsync.backends import lock
from jobsync.backends.lock import DEFAULT_TIMEOUT_S as DEFAULT_LOCK_TIMEOUT_S
from jobsync.cli.console import Progress, is_tty, say, warn
from jobsync.core.plan import Plan
from jobsync.core.policies import SnapshotState
from jobsync.errors import ConfigError, ExitCode, JobsyncError, Problem
from jobsync.fileio import write_atomic
from jobsync.ops import compare, release, usecases
from jobsync.ops import init as scaffold
from jobsync.ops import validate as checking
from jobsync.ops.apply import ApplyResult, result_to_document
from jobsync.ops.export import export_workspace
from jobsync.ops.plan import open_workspace
from jobsync.render import diffdoc, jsonout, outcome
from jobsync.render.document import plan_to_document
from jobsync.render.formats import Format, render_plan
from jobsync.repo import config as configuration
from jobsync.repo import fmt, gitrepo


def _root(repo: Path | None) -> Path:
    return gitrepo.find_root((repo or Path.cwd()).resolve())


def workspace_config(
    repo: Path | None, workspace: str | None, user: str | None = None
) -> configuration.WorkspaceConfig:
    """The workspace's settings, for a command given --repo and -w."""
    return usecases.load_workspace(repo, workspace, user=user)


def init(path: Path, *, github: bool) -> None:
    for line in scaffold.init(path.resolve(), github=github):
        say(line)


def validate(repo: Path | None, workspace: str | None) -> int:
    root = _root(repo)
    names = [configuration.pick_workspace(root, workspace)] if workspace else configuration.workspace_names(root)
    if not names:
        raise JobsyncError(f"no workspaces in {root / configuration.WORKSPACES_DIR}; run `jobsync init`")
    problems: list[Problem] = [] if workspace else configuration.folders_without_settings(root)
    found = checking.validate_repo(root, names)
    several = len(configuration.workspace_names(root)) > 1
    for warning in found.notes(several):
        warn(str(warning))
    problems += found.errors(several)
    if problems:
        raise ConfigError(problems)
    for name, count in found.counts.items():
        say(f"ok: workspace {name}: {count} object(s)")
        if found.cdm_counts.get(name):
            say(f"  {found.cdm_counts[name]} of them CDM links and jobs")
    return ExitCode.OK


def format_files(repo: Path | None, workspace: str | None, *, check: bool) -> int:
    """`jobsync fmt`: rewrite non-canonical object files; with `check`, only name them (exit 1)."""
    root = _root(repo)
    names = [configuration.pick_workspace(root, workspace)] if workspace else configuration.workspace_names(root)
    found = [item for name in names for item in fmt.unformatted(configuration.load_workspace(root, name).folder, root)]
    for item in found:
        typer.echo(item.rel)
    if check:
        if found:
            say(f"{len(found)} file(s) not in the canonical form; run `jobsync fmt` to rewrite them")
        return ExitCode.ERROR if found else ExitCode.OK
    fmt.rewrite(found)
    say(f"rewrote {len(found)} file(s)" if found else "all files are in the canonical form")
    return ExitCode.OK


def export(
    repo: Path | None,
    workspace: str | None,
    jobs: Sequence[str],
    *,
    with_deps: bool,
    status: SnapshotState,
    commit: bool,
    message: str | None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    allow_detached: bool = False,
    as_json: bool = False,
) -> None:
    """Export; the summary goes to stderr, and with `as_json` what changed to stdout."""
    cfg = workspace_config(repo, workspace)
    with usecases.locked_workspace(cfg, lock_timeout=lock_timeout, voice=usecases.Voice(say=say)) as ws:
        result = export_workspace(
            cfg,
            ws,
            jobs=jobs,
            with_deps=with_deps,
            status=status,
            commit=commit,
            message=message,
            progress=say,
            allow_detached=allow_detached,
        )
    if result.empty:
        say("No changes: the repo already has what the workspace holds; nothing committed.")
    elif result.commit:
        say(f"committed {result.commit[:12]}")
    if as_json:
        document = {
            "added": result.added,
            "changed": result.changed,
            "removed": result.removed,
            "unapplied": result.unapplied,
            "commit": result.commit,
        }
        typer.echo(jsonout.dumps(document))


def _plan_exit(plan: Plan, detailed: bool) -> int:
    if plan.blocked or (plan.checks is not None and plan.checks.blocking):
        return ExitCode.ERROR
    if detailed and plan.has_changes:
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK


def plan(
    repo: Path | None,
    workspace: str | None,
    jobs: Sequence[str],
    *,
    fmt: Format,
    out: Path | None,
    detailed_exitcode: bool,
    refresh: bool,
    user: str | None,
    colour: bool,
    changed_since: str | None = None,
    allow_mass_delete: bool = False,
    backend_ref: str | None = None,
    verify: bool | None = None,
) -> int:
    if out is not None and out.is_dir():
        raise JobsyncError(f"--out {out} is a directory; name a file, e.g. --out {out / 'plan.json'}")
    cfg = workspace_config(repo, workspace, user)
    planned = usecases.plan(
        cfg,
        jobs=jobs,
        refresh=refresh,
        changed_since=changed_since,
        allow_mass_delete=allow_mass_delete,
        backend_ref=backend_ref,
        verify=verify,
        voice=usecases.Voice(say=say, warn=warn),
    )
    if planned.layers is not None:
        read = planned.layers.read
        rejected = f" ({read.rejected} cache entries not trusted)" if read.rejected else ""
        say(f"read the repo: {read.cached} files from the cache, {read.parsed} parsed{rejected}")
    for warning in checking.plan_warnings(planned.plan, planned.desired, cfg.repo_root):
        warn(str(warning))
    document = plan_to_document(planned.plan)
    if out is not None:
        write_atomic(out, jsonout.render(document))
        say(f"saved the plan to {out}; apply it with `jobsync apply -w {cfg.name} {out}`")
    typer.echo(render_plan(document, fmt, colour=colour), nl=False)
    return _plan_exit(planned.plan, detailed_exitcode)


def diff(repo: Path | None, a: str, b: str, *, fmt: Format) -> int:
    root = _root(repo)
    for name in (a, b):
        configuration.pick_workspace(root, name)
    document = compare.diff_workspaces(root, a, b)
    if fmt is Format.json:
        typer.echo(jsonout.render(document), nl=False)
    elif fmt is Format.markdown:
        typer.echo(diffdoc.render_markdown(document), nl=False)
    else:
        typer.echo(diffdoc.render_text(document), nl=False)
    return ExitCode.OK


def promote(repo: Path | None, workspace: str | None, ref: str, *, fmt: Format, user: str | None, colour: bool) -> int:
    cfg = workspace_config(repo, workspace, user)
    _, planned = usecases.promote(cfg, ref, voice=usecases.Voice(say=say, warn=warn))
    typer.echo(render_plan(plan_to_document(planned.plan), fmt, colour=colour), nl=False)
    return _plan_exit(planned.plan, False)


def _confirm(workspace: str) -> bool:
    if not is_tty(sys.stdin):
        raise JobsyncError(
            "apply needs a confirmation and there is no terminal to ask on; "
            "pass --auto-approve (for CI) after reviewing the plan"
        )
    answer = typer.prompt(
        f"Apply these changes to workspace {workspace}? Only 'yes' will be accepted",
        default="",
        show_default=False,
        err=True,
    )
    return bool(answer.strip() == "yes")


def _report(result: ApplyResult) -> None:
    for heading, rows in (("blocked", result.blocked), ("failed", result.failed)):
        for change, message in rows:
            say(f"{heading}: {change.key}: {message}")
    if result.backup:
        say(f"saved the previous definitions under {result.backup}")


def apply(
    repo: Path | None,
    workspace: str | None,
    jobs: Sequence[str],
    *,
    plan_path: Path | None,
    auto_approve: bool,
    fmt: Format,
    user: str | None,
    colour: bool,
    changed_since: str | None = None,
    wait: bool = False,
    wait_timeout_s: float = 3600.0,
    reviewed: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    allow_mass_delete: bool = False,
    verify: bool | None = None,
    allow_rules: Sequence[str] = (),
) -> int:
    cfg = workspace_config(repo, workspace, user)

    def show(document: dict[str, Any]) -> None:  # the plan goes to stderr when stdout is the JSON result
        shown = Format.text if fmt is Format.json else fmt
        typer.echo(render_plan(document, shown, colour=colour), nl=False, err=fmt is Format.json)

    done = usecases.apply(
        cfg,
        saved=plan_path,
        reviewed=reviewed,
        jobs=jobs,
        changed_since=changed_since,
        allow_mass_delete=allow_mass_delete,
        auto_approve=auto_approve,
        wait=wait,
        wait_timeout_s=wait_timeout_s,
        lock_timeout=lock_timeout,
        verify=verify,
        allow_rules=allow_rules,
        voice=usecases.Voice(say=say, warn=warn, show=show, confirm=_confirm, progress=Progress()),
    )
    if done.attempted:
        _show_result(cfg.name, done, fmt)
    return ExitCode.OK if done.ok else ExitCode.ERROR


def _show_result(workspace: str, done: usecases.Applied, fmt: Format) -> None:
    result = done.result
    _report(result)
    if fmt is Format.json:
        typer.echo(jsonout.dumps(result_to_document(result)))
        return
    if fmt is Format.markdown:
        typer.echo(outcome.apply_markdown(result_to_document(result), workspace))
    else:
        typer.echo(result.summary_line())
        if result.verified:
            typer.echo(result.verify_line())
            for line in outcome.verify_text(result_to_document(result)["verify"]):  # type: ignore[arg-type]
                typer.echo(line)
    approvers = (done.planned.plan.release or {}).get("approvers") or ()
    bullet = "- " if fmt is Format.markdown else ""  # the apply workflow posts this in the PR
    for line in release.package_lines(done.packages, approvers):
        typer.echo(bullet + line)


def force_unlock(repo: Path | None, workspace: str | None, lock_id: str, *, force: bool = False) -> int:
    """Remove a workspace lock whose holder is gone; only the lock with this id, and not one whose
    holder still runs on this host unless `force`."""
    cfg = workspace_config(repo, workspace)
    with contextlib.closing(open_workspace(cfg)) as ws:
        broken = lock.break_lock(ws.lock_store(), lock_id, force=force)
    say(f"removed the lock of workspace {cfg.name} held by {broken.describe()}")
    return ExitCode.OK
