"""Errors jobsync reports to its users, and the exit codes they map to.

Exception hierarchy:

* JobsyncError                 user-facing; the message is printed as-is, exit 1
  + UsageError                 a command line that cannot run as given, exit 2
  + ConfigError                YAML, schema and reference problems (carries every problem found)
  + RepoError                  git state: not a repository, dirty files, unknown ref
  + StateError                 a local workspace document that cannot be read
  + RemoteError                workspace/API failures (status, error code, request id)
  + StalePlanError             the workspace or the repo changed since a saved plan was made
  + ReviewedPlanError          `apply --reviewed`: a fresh plan differs from the reviewed one
  + IncompatibleFormatError    a plan file from another format version
  + ArchiveError               a console .zip that is broken or hostile
  + UnknownObjectError         a job named on the command line that is not there
  + RuleError                  a workspace rule refused a write (local document, emulator);
                               `code` is a core/rules.py rule code
  + MissingSecretError         a CDM link's secret reference names an unset environment variable
  + RemoteError                (above) has two kinds of its own:
    + ServiceError             the service refused one request (HTTP status, DLF code)
    + AmbiguousWriteError      a write that is not replay-safe failed in a way that may have applied it
* anything else                a bug: "please report", exit 3

The emulator's ApiError is not in the tree: it is an HTTP error reply the emulator sends, never
shown to a user of jobsync.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Process exit codes; `jobsync --help` repeats this table."""

    OK = 0
    ERROR = 1  # an error, or something blocked or failed
    CHANGES_PRESENT = 2  # only with --detailed-exitcode (terraform's meaning); usage errors are 2 too
    USAGE = 2  # a command line that cannot run as given (click's usage errors, UsageError)
    INTERNAL = 3  # a bug in jobsync
    INTERRUPTED = 130


class JobsyncError(Exception):
    """An error the user can act on; str(error) says what happened and what to do next."""


class UsageError(JobsyncError):
    """A command line that cannot run as given (a missing -w, a bad option value): exit 2,
    as click's own usage errors, before anything is read or changed."""


@dataclass(frozen=True)
class Problem:
    """One problem in one file: where it is and what is wrong."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ConfigError(JobsyncError):
    """Every problem found in the repo files, so they can all be fixed in one pass."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} found:\n{lines}")


class RepoError(JobsyncError):
    """The git repository is not in a state jobsync can work with."""


class StateError(JobsyncError):
    """A local workspace document is missing, corrupt or locked."""


class RemoteError(JobsyncError):
    """The workspace refused a request or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.request_id = request_id
        detail = ", ".join(
            part
            for part in (
                f"HTTP {status}" if status else "",
                code or "",
                f"request {request_id}" if request_id else "",
            )
            if part
        )
        super().__init__(f"{message} ({detail})" if detail else message)


class StalePlanError(JobsyncError):
    """The plan file no longer describes the workspace or the repo."""

    def __init__(self, objects: Sequence[str]) -> None:
        self.objects = tuple(objects)
        listed = "\n".join(f"  {name}" for name in self.objects)
        super().__init__(
            "the plan is stale: these objects changed in the workspace or the repo since it "
            f"was made:\n{listed}\nrun `jobsync plan` again and review the new plan"
        )


class ReviewedPlanError(JobsyncError):
    """`apply --reviewed`: what a fresh plan would do differs from what the reviewed plan showed."""

    def __init__(self, differences: Sequence[str]) -> None:
        self.differences = tuple(differences)
        listed = "\n".join(f"  - {line}" for line in self.differences)
        super().__init__(
            "refused: the plan to apply differs from the reviewed plan, so nothing was applied:\n"
            f"{listed}\n"
            "plan again (push to the pull request or re-run its plan workflow), review the new plan, "
            "and apply that one"
        )


class IncompatibleFormatError(JobsyncError):
    """A plan file written by another version of jobsync."""

    def __init__(self, *, path: str, expected: str, found: str) -> None:
        self.expected = expected
        self.found = found
        super().__init__(
            f"{path}: plan format_version {found!r} is not supported (this jobsync reads "
            f"{expected!r}); make the plan again with this version of jobsync"
        )


class ArchiveError(JobsyncError):
    """A console .zip archive that cannot be read safely."""


class UnknownObjectError(JobsyncError):
    """A job (or other object) named on the command line that the repo or workspace lacks."""


class RuleError(JobsyncError):
    """A workspace rule refused the change. `code` is stable (core/rules.py RuleCode); the
    emulator answers it with the DLF code of core/rules.py DLF_OF_RULE."""

    def __init__(self, code: str, message: str, *, dlf: str | None = None) -> None:
        self.code = code
        self.message = message
        self.dlf = dlf  # the DLF code the service answers this refusal with, when it has its own
        super().__init__(message)


class ServiceError(RemoteError):
    """The service refused one request (a 4xx with a DLF or APIG error body)."""

    def __init__(self, status: int, code: str, message: str, request_id: str | None) -> None:
        super().__init__(message, status=status, code=code)
        self.code: str = code
        self.status: int = status
        self.message = message
        self.request_id = request_id


class AmbiguousWriteError(RemoteError):
    """A request that is not replay-safe failed in a way that may have applied it."""


class MissingSecretError(JobsyncError):
    """Environment variables that CDM links' `{secret: NAME}` references name and that are not
    set: apply refuses before any write (core/cdm.py resolve_secrets)."""

    def __init__(self, missing: Sequence[tuple[str, str, str]]) -> None:
        self.missing = tuple(missing)  # (object, input name, variable)
        variables = sorted({variable for _, _, variable in self.missing})
        where = "; ".join(f"{obj} {name} -> {variable}" for obj, name, variable in self.missing)
        super().__init__(
            f"environment variable(s) not set: {', '.join(variables)} ({where}); nothing was written: "
            "set them (in CI, from its secrets) and run apply again"
        )
