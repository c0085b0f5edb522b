"""`jobsync emulator serve`: the DataArts Factory emulator on a local address."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer

from jobsync.backends import document_schema
from jobsync.emulator.faults import MAX_FAIL_RATE, Options
from jobsync.emulator.journal import read_state
from jobsync.emulator.state import EmulatorState, default_state
from jobsync.errors import ExitCode

app = typer.Typer(help="A DataArts Factory API emulator for tests and demos.", no_args_is_help=True)


def load_state(path: Path | None) -> EmulatorState:
    """The state file's content (created from the default when missing), or the default."""
    if path is None:
        return EmulatorState(default_state())
    if not path.exists():
        state = EmulatorState(default_state(), path=path)
        state.persist()
        return state
    try:
        stored = read_state(path)
    except (OSError, ValueError, RecursionError) as error:
        raise typer.BadParameter(f"{path}: cannot read the state ({error})") from None
    for warning in stored.warnings:
        typer.echo(f"warning: {warning}", err=True)
    problems = state_problems(stored.data)
    if problems:
        listed = "; ".join(problems[:5])
        raise typer.BadParameter(f"{path}: not an emulator state file: {listed}")
    try:
        state = EmulatorState(stored.data, path=path, base=stored.base)
        state.persist()  # writes FILE whole only when a journal was applied or objects were seeded
        return state
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise typer.BadParameter(f"{path}: not an emulator state file ({type(error).__name__}: {error})") from None


def state_problems(data: object) -> list[str]:
    """What is wrong with an emulator state's shape: {project_id, credentials, tokens,
    workspaces: {id: workspace document}}."""
    if not isinstance(data, dict):
        return ["the state must be a JSON object"]
    problems = []
    for key, kind in (("credentials", list), ("tokens", dict), ("workspaces", dict)):
        if key in data and not isinstance(data[key], kind):
            problems.append(f"{key} must be a JSON {'array' if kind is list else 'object'}")
    if "project_id" in data and not isinstance(data["project_id"], str):
        problems.append("project_id must be a string")
    for workspace_id, document in (data.get("workspaces") or {}).items() if not problems else ():
        if not isinstance(document, dict):
            problems.append(f"workspaces.{workspace_id} must be a JSON object")
            continue
        problems += [f"workspaces.{workspace_id}.{problem}" for problem in document_schema.problems(document, 5)]
    return problems


def contents(state: EmulatorState) -> str:
    """What the state holds, per workspace: `default: 3 jobs, 2 scripts, 1 resource`."""

    def count(number: int, noun: str) -> str:
        return f"{number} {noun}{'' if number == 1 else 's'}"

    parts = []
    for workspace_id, doc in state.data["workspaces"].items():
        jobs, scripts = count(len(doc.get("jobs") or ()), "job"), count(len(doc.get("scripts") or ()), "script")
        parts.append(f"{workspace_id}: {jobs}, {scripts}, {count(len(doc.get('resources') or ()), 'resource')}")
    return "; ".join(parts) or "no workspaces"


def origin(path: Path | None, existed: bool) -> str:
    """Where the state came from, for the start-up lines."""
    if path is None:
        return "the default state, in memory (--state FILE keeps it)"
    if existed:
        return f"loaded from {path}, saved there after each change"
    return f"new, from the default state; saved to {path} after each change"


def announce(url: str, state: EmulatorState, where: str = "the default state, in memory") -> None:
    """Address, what the state holds and where it came from, and the emulator's own demo
    credentials, to stderr."""
    typer.echo(f"DataArts emulator listening on {url} (project {state.project_id})", err=True)
    typer.echo(f"  DLF/OBS endpoint: {url}", err=True)
    for credential in state.data["credentials"]:
        typer.echo(
            f"  user {credential['user']}: HUAWEICLOUD_SDK_AK={credential['ak']} HUAWEICLOUD_SDK_SK={credential['sk']}",
            err=True,
        )
    for token, user in state.data["tokens"].items():
        typer.echo(f"  user {user}: X-Auth-Token {token}", err=True)
    workspaces = ", ".join(state.data["workspaces"]) or "(none)"
    typer.echo(f"  workspaces: {workspaces}", err=True)
    typer.echo(f"  state: {where}: {contents(state)}", err=True)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


@app.callback()
def emulator() -> None:
    """A DataArts Factory API emulator for tests and demos."""


STATE_HELP = (
    "State JSON file: loaded when it exists (the start-up lines say what it holds); each change saved "
    "(FILE.journal until folded, docs/emulator.md)."
)
RATE_HELP = "Requests per second per user; 0 = no limit."
FAIL_HELP = "Fraction of API requests that fail (500, 503, dropped connection)."
SEED_HELP = "Seed for --fail-rate, for repeatable runs."


@app.command(epilog="Example: jobsync emulator serve --port 8080 --state emulator.json")
def serve(
    state: Annotated[Path | None, typer.Option(metavar="FILE", help=STATE_HELP)] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 picks a free one).")] = 8080,
    latency_ms: Annotated[float, typer.Option(min=0, help="Delay added to every request.")] = 0,
    rate_limit: Annotated[float, typer.Option(min=0, help=RATE_HELP)] = 0,
    fail_rate: Annotated[float, typer.Option(min=0, max=MAX_FAIL_RATE, help=FAIL_HELP)] = 0,
    seed: Annotated[int | None, typer.Option(help=SEED_HELP)] = None,
) -> None:
    """Serve the DataArts Factory V1 API and an OBS bucket endpoint until interrupted."""
    existed = state is not None and state.exists()
    emulator_state = load_state(state)
    options = Options(latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate, seed=seed)
    from jobsync.emulator.app import EmulatorApp  # imported here: it costs every other command 0.25 s
    from jobsync.emulator.server import make_server

    try:
        server = make_server(EmulatorApp(emulator_state, options), host, port)
    except OSError as error:
        typer.echo(
            f"error: cannot listen on {host}:{port} ({error.strerror or error}); "
            "pick another --port (0 picks a free one) or stop what uses it",
            err=True,
        )
        raise typer.Exit(ExitCode.ERROR) from None
    bound_host, bound_port = str(server.server_address[0]), server.server_address[1]
    announce(f"http://{bound_host}:{bound_port}", emulator_state, origin(state, existed))
    signal.signal(signal.SIGTERM, _interrupt)  # `docker stop`, CI teardown: stop as on Ctrl-C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        server.server_close()
        emulator_state.close()  # folds FILE.journal into FILE
