"""`jobsync archive import|export`: console .zip files in and out of the repo."""

from __future__ import annotations

import enum
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from jobsync.cli.commands import workspace_config
from jobsync.cli.console import handle_errors, say
from jobsync.cli.options import PlainUsage, Repo, WorkspaceOpt
from jobsync.consolezip.pack import LOCAL_LIMIT, Package, parse_size
from jobsync.errors import ArchiveError, UsageError
from jobsync.fileio import write_atomic
from jobsync.ops.archive import cdm_exports, export_archives, import_archives, write_packages
from jobsync.ops.cdmimport import import_console_json
from jobsync.render import jsonout

app = typer.Typer(help="Read and write DataArts Factory console .zip files.", no_args_is_help=True)


class Layout(str, enum.Enum):
    single = "single"
    batch = "batch"


OUT_HELP = "A .zip file (several get -01, -02 ... added), or a folder for jobs.zip, jobs-01.zip ..."
SIZE_HELP = "Largest file: 1MB (console local import), 10MB (OBS import) or a number of bytes."
LAYOUT_HELP = "single: jobs/ scripts/ resources/; batch: a folder per job."

Zips = Annotated[
    list[Path],
    typer.Argument(metavar="FILE", help="Console .zip exports (either layout), or CDM console .json exports."),
]
CdmCluster = Annotated[
    str | None, typer.Option("--cdm-cluster", help="For a CDM console .json: the repo's name of its cluster.")
]
Commit = Annotated[bool, typer.Option("--commit", help="Commit the files written.")]
Message = Annotated[str | None, typer.Option("-m", "--message", help="Commit message.")]
Out = Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)]
Jobs = Annotated[list[str] | None, typer.Option("--job", help="Only this job and what it uses.")]
JobsOnly = Annotated[bool, typer.Option("--jobs-only", help="Leave out scripts and resources.")]
MaxSize = Annotated[str, typer.Option("--max-size", help=SIZE_HELP)]
LayoutOpt = Annotated[Layout, typer.Option("--layout", help=LAYOUT_HELP)]


@app.command("import", cls=PlainUsage, epilog="Example: jobsync archive import jobs.zip -w dev --commit")
def import_(
    zips: Zips,
    workspace: WorkspaceOpt = None,
    commit: Commit = False,
    message: Message = None,
    repo: Repo = None,
    cdm_cluster: CdmCluster = None,
) -> None:
    """Write the jobs, scripts and resources in console exports into the repo (and the links
    and jobs of a CDM console .json export, under cdm/<--cdm-cluster>/)."""
    with handle_errors():
        if any(path.suffix.lower() == ".json" for path in zips):
            _import_cdm(zips, workspace, commit, message, repo, cdm_cluster)
            return
        result = import_archives(workspace_config(repo, workspace), zips, commit=commit, message=message)
        say(f"imported {len(result.added)} added, {len(result.changed)} changed, {len(result.unchanged)} unchanged")
        if result.commit:
            say(f"committed {result.commit[:12]}")
        typer.echo(jsonout.dumps(asdict(result)))


def _import_cdm(
    files: list[Path], workspace: str | None, commit: bool, message: str | None, repo: Path | None, cluster: str | None
) -> None:
    if len(files) != 1 or cluster is None:
        raise UsageError("a CDM console .json is imported alone, with --cdm-cluster NAME (the repo's cluster name)")
    done = import_console_json(workspace_config(repo, workspace), files[0], cluster, commit=commit, message=message)
    written = done.files
    say(f"imported {len(written.added)} added, {len(written.changed)} changed, {len(written.unchanged)} unchanged")
    if done.secrets:
        say("secrets are references now (the console export holds none); set these where apply runs:")
        for name in done.secrets:
            say(f"  {name}")
    if done.files.commit:
        say(f"committed {done.files.commit[:12]}")
    typer.echo(jsonout.dumps({**asdict(done.files), "secrets": done.secrets}))


@app.command("export", epilog="Example: jobsync archive export -w prod --job daily_sales -o daily_sales.zip")
def export(
    workspace: WorkspaceOpt = None,
    out: Out = Path("jobs.zip"),
    job: Jobs = None,
    jobs_only: JobsOnly = False,
    max_size: MaxSize = "1MB",
    layout: LayoutOpt = Layout.single,
    repo: Repo = None,
) -> None:
    """Write console-importable .zip files from the repo, with the workspace's mappings applied."""
    with handle_errors():
        try:
            max_bytes = parse_size(max_size)
        except ArchiveError as error:
            raise UsageError(f"--max-size: {error}") from None
        packages = export_archives(
            workspace_config(repo, workspace),
            jobs=job or [],
            jobs_only=jobs_only,
            max_bytes=max_bytes,
            layout=layout.value,
        )
        paths = write_packages(packages, out)
        _report(packages, paths, max_bytes)
        for cluster, data in cdm_exports(
            workspace_config(repo, workspace), jobs=job or [], jobs_only=jobs_only
        ).items():
            target = (
                out.with_name(f"{out.stem}-cdm-{cluster}.json")
                if out.suffix.lower() == ".zip"
                else out / f"cdm-{cluster}.json"
            )
            write_atomic(target, data)
            say(f"CDM links and jobs of cluster {cluster}: {target} (a CDM console import; fill in the passwords)")


def _report(packages: list[Package], paths: list[Path], max_bytes: int) -> None:
    if not packages:
        say("nothing to export: the selection is empty")
    elif len(packages) > 1:
        local = " (console local import)" if max_bytes == LOCAL_LIMIT else ""
        limit = f"{max_bytes:,} bytes{local}"
        say(
            f"split into {len(packages)} files to stay within {limit}; each holds its jobs with "
            "the scripts and resources they use; import them all"
        )
    rows: list[dict[str, Any]] = [
        {
            "file": str(path),
            "bytes": len(p.data),
            "jobs": list(p.jobs),
            "scripts": list(p.scripts),
            "resources": list(p.resources),
        }
        for path, p in zip(paths, packages, strict=True)
    ]
    for row in rows:
        say(f"wrote {row['file']} ({row['bytes']:,} bytes, {len(row['jobs'])} job(s))")
    typer.echo(jsonout.dumps(rows))
