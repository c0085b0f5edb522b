"""Talking to the person at the terminal: messages and progress on stderr, errors as advice."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import traceback
from collections.abc import Iterator

import typer

from jobsync.errors import ExitCode, JobsyncError, UsageError


def say(text: str) -> None:
    typer.echo(text, err=True)


def warn(text: str) -> None:
    typer.echo(typer.style("warning: ", fg="yellow") + text, err=True)


def is_tty(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """`[done/total] text` lines on stderr; on a terminal a single line that redraws."""

    def __init__(self) -> None:
        self.live = is_tty(sys.stderr)

    def __call__(self, done: int, total: int, text: str) -> None:
        width = 24
        if self.live:
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{total} {text[:60]:<60}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        else:
            say(f"[{done}/{total}] {text}")


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """Map every failure to a message and an exit code; never show a traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except UsageError as error:
        typer.echo(typer.style("error: ", fg="red") + str(error), err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    except JobsyncError as error:
        typer.echo(typer.style("error: ", fg="red") + str(error), err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except Exception as error:
        with tempfile.NamedTemporaryFile("w", prefix="jobsync-crash-", suffix=".log", delete=False) as log:
            traceback.print_exc(file=log)
        say(
            f"jobsync hit an internal error ({type(error).__name__}: {error}).\n"
            f"Please report it with the log at {log.name}"
        )
        raise typer.Exit(ExitCode.INTERNAL) from None
