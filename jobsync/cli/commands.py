"""What each CLI command does, between parsing (cli.py) and the engine."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from jobsync.backends.base import Workspace
from jobsync.backends.lock import DEFAULT_TIMEOUT_S as DEFAULT_LOCK_TIMEOUT_S
from jobsync.cli.console import Progress, is_tty, say, warn
from jobsync.core.plan import Plan
from jobsync.core.policies import SnapshotState
from jobsync.errors import ConfigError, ExitCode, JobsyncError, Problem
from jobsync.fileio import write_atomic
from jobsync.ops import compare, planfile, release
from jobsync.ops import init as scaffold
from jobsync.ops import promote as promotion
from jobsync.ops.api import version_message
from jobsync.ops.apply import ApplyResult, apply_plan, dumps, interrupted_message, result_to_document
from jobsync.ops.export import export_workspace
from jobsync.ops.plan import (
    Planned,
    backend_from,
    desired_state,
    locked,
    make_plan,
    open_workspace,
    parse_selection,
    saved_renames,
)
from jobsync.render import diffdoc, jsonout, markdown, outcome, text
from jobsync.render.document import plan_to_document
from jobsync.repo import changes, fmt, gitrepo, lint
from jobsync.repo import config as configuration

if TYPE_CHECKING:
    from jobsync.backends.dataarts.releases import Package


def _root(repo: Path | None) -> Path:
    return gitrepo.find_root((repo or Path.cwd()).resolve())


def workspace_config(
    repo: Path | None, workspace: str | None, user: str | None = None
) -> configuration.WorkspaceConfig:
    """The workspace's settings, for a command given --repo and -w."""
    root = _root(repo)
    name = configuration.pick_workspace(root, workspace)
    return configuration.load_workspace(root, name, user=user)


def render(document: dict[str, Any], fmt: str, *, colour: bool = False) -> str:
    if fmt == "json":
        return jsonout.render(document)
    if fmt == "markdown":
        return markdown.render(document)
    return text.render(document, colour=colour)


def init(path: Path, *, github: bool) -> None:
    for line in scaffold.init(path.resolve(), github=github):
        say(line)


def validate(repo: Path | None, workspace: str | None) -> int:
    root = _root(repo)
    names = [configuration.pick_workspace(root, workspace)] if workspace else configuration.workspace_names(root)
    if not names:
        raise JobsyncError(f"no workspaces in {root / configuration.WORKSPACES_DIR}; run `jobsync init`")
    problems: list[Problem] = [] if workspace else configuration.folders_without_settings(root)
    for name in names:
        try:
            cfg = configuration.load_workspace(root, name)
            for problem in lint.workspace_warnings(cfg.folder, root):
                warn(str(problem))
            specs = desired_state(cfg)
            say(f"ok: workspace {name}: {len(specs)} object(s)")
            for item in fmt.unformatted(cfg.folder, root):
                warn(str(item.problem()))
        except ConfigError as error:
            problems.extend(error.problems)
    if problems:
        raise ConfigError(problems)
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
) -> None:
    cfg = workspace_config(repo, workspace)
    with locked_workspace(cfg, lock_timeout) as ws:
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
        say("No changes: the repo already matches the workspace; nothing committed.")
    elif result.commit:
        say(f"committed {result.commit[:12]}")
    typer.echo(
        json.dumps(
            {"added": result.added, "changed": result.changed, "removed": result.removed, "commit": result.commit},
            indent=2,
        )
    )


def _plan_exit(plan: Plan, detailed: bool) -> int:
    if plan.blocked:
        return ExitCode.ERROR
    if detailed and plan.has_changes:
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK


def plan(
    repo: Path | None,
    workspace: str | None,
    jobs: Sequence[str],
    *,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    refresh: bool,
    user: str | None,
    colour: bool,
    changed_since: str | None = None,
    allow_mass_delete: bool = False,
    backend_ref: str | None = None,
) -> int:
    if out is not None and out.is_dir():
        raise JobsyncError(f"--out {out} is a directory; name a file, e.g. --out {out / 'plan.json'}")
    cfg = workspace_config(repo, workspace, user)
    if backend_ref:
        cfg = backend_from(cfg, backend_ref, warn)
    only = None
    hints: dict[str, str] = {}
    if changed_since:
        only = changes.only_changed(cfg.repo_root, cfg.name, changed_since, say)
        hints = changes.renamed_jobs(cfg.repo_root, cfg.name, changed_since)
    with contextlib.closing(open_workspace(cfg)) as ws:
        say(f"reading {ws.label}")
        planned = make_plan(
            cfg, ws, jobs=jobs, refresh=refresh, only=only, rename_hints=hints, allow_mass_delete=allow_mass_delete
        )
    if planned.layers is not None:
        read = planned.layers.read
        rejected = f" ({read.rejected} cache entries not trusted)" if read.rejected else ""
        say(f"read the repo: {read.cached} files from the cache, {read.parsed} parsed{rejected}")
    document = plan_to_document(planned.plan)
    if out is not None:
        write_atomic(out, jsonout.render(document))
        say(f"saved the plan to {out}; apply it with `jobsync apply -w {cfg.name} {out}`")
    typer.echo(render(document, fmt, colour=colour), nl=False)
    return _plan_exit(planned.plan, detailed_exitcode)


def diff(repo: Path | None, a: str, b: str, *, fmt: str) -> int:
    root = _root(repo)
    for name in (a, b):
        configuration.pick_workspace(root, name)
    document = compare.diff_workspaces(root, a, b)
    if fmt == "json":
        typer.echo(jsonout.render(document), nl=False)
    elif fmt == "markdown":
        typer.echo(diffdoc.render_markdown(document), nl=False)
    else:
        typer.echo(diffdoc.render_text(document), nl=False)
    return ExitCode.OK


def promote(repo: Path | None, workspace: str | None, ref: str, *, fmt: str, user: str | None, colour: bool) -> int:
    cfg = workspace_config(repo, workspace, user)
    done = promotion.promote(cfg, ref)
    rel = done.config.file.relative_to(done.config.repo_root).as_posix()
    say(
        f"{rel}: source.ref {done.before or '(working tree)'} -> {done.after} ({done.commit[:7]}); commit it to promote"
    )
    with contextlib.closing(open_workspace(done.config)) as ws:
        say(f"reading {ws.label}")
        planned = make_plan(done.config, ws)
    typer.echo(render(plan_to_document(planned.plan), fmt, colour=colour), nl=False)
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
    fmt: str,
    user: str | None,
    colour: bool,
    changed_since: str | None = None,
    wait: bool = False,
    wait_timeout_s: float = 3600.0,
    reviewed: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    allow_mass_delete: bool = False,
) -> int:
    if reviewed and (plan_path is None or jobs):
        raise JobsyncError("--reviewed needs the reviewed plan file (`jobsync apply --reviewed PLANFILE`) and no --job")
    cfg = workspace_config(repo, workspace, user)
    saved = planfile.read(plan_path, workspace=cfg.name) if plan_path else None
    if saved is not None and planfile.deletes_confirmed(saved):
        allow_mass_delete = True  # the saved plan was made with --allow-mass-delete and reviewed
    only = None
    if saved is not None and saved.get("selection") is not None:
        jobs, only = [], parse_selection(saved["selection"])
    hints = saved_renames(saved["changes"]) if saved is not None else {}
    if changed_since and saved is None:
        only = changes.only_changed(cfg.repo_root, cfg.name, changed_since, say)
        hints = changes.renamed_jobs(cfg.repo_root, cfg.name, changed_since)
    with locked_workspace(cfg, lock_timeout) as ws:
        planned = make_plan(cfg, ws, jobs=jobs, only=only, rename_hints=hints, allow_mass_delete=allow_mass_delete)
        return _apply_locked(
            cfg,
            ws,
            planned,
            saved,
            plan_path=plan_path,
            reviewed=reviewed,
            auto_approve=auto_approve,
            fmt=fmt,
            colour=colour,
            wait=wait,
            wait_timeout_s=wait_timeout_s,
        )


@contextlib.contextmanager
def locked_workspace(cfg: configuration.WorkspaceConfig, lock_timeout: float) -> Iterator[Workspace]:
    """The workspace `cfg` names, open and under its run lock for the block (apply, export)."""
    with contextlib.closing(open_workspace(cfg)) as ws, locked(cfg, ws, timeout_s=lock_timeout, on_wait=say):
        yield ws


def _apply_locked(
    cfg: configuration.WorkspaceConfig,
    ws: Workspace,
    planned: Planned,
    saved: dict[str, Any] | None,
    *,
    plan_path: Path | None,
    reviewed: bool,
    auto_approve: bool,
    fmt: str,
    colour: bool,
    wait: bool,
    wait_timeout_s: float,
) -> int:
    document = plan_to_document(planned.plan)
    if saved is not None and reviewed:
        planfile.check_reviewed(saved, document, planned.snapshot)
        say(f"the plan is the reviewed one ({plan_path}); applying it")
    elif saved is not None:
        planfile.check_fresh(saved, document)
    elif planned.plan.repo_dirty:
        warn(f"workspaces/{cfg.name} has uncommitted changes; applying the working tree")
    typer.echo(render(document, fmt if fmt != "json" else "text", colour=colour), nl=False, err=fmt == "json")
    if not planned.plan.pending():
        say("Nothing to apply.")
        return ExitCode.ERROR if planned.plan.blocked else ExitCode.OK
    if not auto_approve and saved is None and not _confirm(cfg.name):
        say("Apply cancelled.")
        return ExitCode.ERROR
    result = ApplyResult()
    try:
        apply_plan(
            planned.plan,
            ws,
            message=version_message(cfg, planned.plan),
            backup_root=cfg.repo_root / configuration.BACKUPS_DIR,
            progress=Progress(),
            result=result,
        )
    except KeyboardInterrupt:
        say(interrupted_message(planned.plan, result))
        raise
    packages = _release(cfg, ws, planned.plan, result, wait=wait, timeout_s=wait_timeout_s)
    _show_result(cfg, planned.plan, result, packages, fmt)
    unreleased = wait and any(package.status != 2 for package in packages)
    return ExitCode.OK if result.ok and not unreleased else ExitCode.ERROR


def _show_result(
    cfg: configuration.WorkspaceConfig, plan: Plan, result: ApplyResult, packages: list[Package], fmt: str
) -> None:
    _report(result)
    if fmt == "json":
        typer.echo(dumps(result))
        return
    if fmt == "markdown":
        typer.echo(outcome.apply_markdown(result_to_document(result), cfg.name))
    else:
        typer.echo(result.summary_line())
    approvers = (plan.release or {}).get("approvers") or ()
    bullet = "- " if fmt == "markdown" else ""  # the apply workflow posts this in the PR
    for line in release.package_lines(packages, approvers):
        typer.echo(bullet + line)


def _release(
    cfg: configuration.WorkspaceConfig,
    ws: Workspace,
    plan: Plan,
    result: ApplyResult,
    *,
    wait: bool,
    timeout_s: float,
) -> list[Package]:
    """Enterprise mode: bundle what apply wrote into release packages; with --wait, poll them."""
    if plan.release is None:
        if wait:
            warn("--wait has no effect: the workspace is not in enterprise mode (no release packages)")
        return []
    written = [(change.key.kind.value, change.key.name) for change, _ in result.applied]
    packages = release.bundle(cfg, ws, plan, written, say)
    if wait and packages:
        packages = release.wait(ws, [package.id for package in packages], timeout_s=timeout_s, say=say)
    result.packages = release.documents(packages)
    return packages


def force_unlock(repo: Path | None, workspace: str | None, lock_id: str) -> int:
    """Remove a workspace lock whose holder is gone; only the lock with this id."""
    cfg = workspace_config(repo, workspace)
    with contextlib.closing(open_workspace(cfg)) as ws:
        broken = ws.lock_store().force_release(lock_id)
    say(f"removed the lock of workspace {cfg.name} held by {broken.describe()}")
    return ExitCode.OK
