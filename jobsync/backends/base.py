"""The Workspace protocol every backend implements.

A backend reads the whole workspace as a `Snapshot` (core/snapshot.py: definitions plus the
facts the plan rules need) and writes definitions in batches. Writes report per object:
one object failing never raises for the others.

A backend also declares what it can do, so nothing above it probes for attributes: who the
service records as the writer (`acting_user`), where it keeps state on this machine
(`state_path`), and whether it has the enterprise mode's two environments and release packages
(`enterprise`, returning that interface or None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from jobsync.backends.lock import LockStore
from jobsync.core.history import JobVersion
from jobsync.core.model import Kind
from jobsync.core.policies import SnapshotState
from jobsync.core.runs import JobTiming, RunReport
from jobsync.core.snapshot import Failure, Outcome, Snapshot


class ReleasePackage(Protocol):
    """One release package as the service lists it (reference §11.2); `tasks` only from the
    detail call."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def status(self) -> int:
        """deploy_status: 1 pending release, 2 released, 3 failed, 5 releasing."""
        ...

    @property
    def state(self) -> str: ...

    @property
    def final(self) -> bool:
        """Released, failed or cancelled: polling it again changes nothing."""
        ...

    @property
    def tasks(self) -> tuple[Mapping[str, Any], ...]: ...

    def to_dict(self) -> dict[str, Any]: ...


class Releases(Protocol):
    """The release-package calls of an enterprise-mode workspace (reference §11.2)."""

    def pending_items(self) -> list[Mapping[str, Any]]:
        """Every submitted item of the development environment not released yet."""
        ...

    def create(self, name: str, item_ids: Sequence[str], approvers: Sequence[str], apply_user: str) -> str:
        """Bundle pending items (at most 100) into a package; its id."""
        ...

    def packages(self, key_word: str = "") -> Sequence[ReleasePackage]: ...

    def package(self, package_id: str) -> ReleasePackage: ...


class Enterprise(Protocol):
    """What an enterprise-mode workspace adds (reference §11.1): a production environment to
    plan against, and release packages that carry development's changes into it."""

    def production(self) -> Workspace:
        """The production environment, for reading; the caller closes it."""
        ...

    @property
    def releases(self) -> Releases: ...


class Runs(Protocol):
    """Running jobs and scripts once, and reading their instances (reference §2.7: run
    once, instance list and detail, stop and retry, script execute and result). Instance ids
    are strings here whatever type the service gives them."""

    def run_job(self, name: str, params: Mapping[str, str]) -> str:
        """Run a job once now (run-immediate with jobParams); its instance id."""
        ...

    def job_run(self, name: str, instance_id: str) -> RunReport:
        """The instance as it is now, with its node instances and a failed node's message."""
        ...

    def stop_job_run(self, name: str, instance_id: str) -> None: ...

    def retry_job_run(self, name: str, instance_id: str) -> None: ...

    def execute_script(self, name: str, params: Mapping[str, str]) -> str: ...

    def script_run(self, name: str, instance_id: str) -> RunReport: ...

    def stop_script_run(self, name: str, instance_id: str) -> None: ...

    def timing(self, names: Sequence[str]) -> dict[str, JobTiming]:
        """Each job's next plan time and the instance running now (for deploy windows)."""
        ...

    def now_ms(self) -> int:
        """The workspace's time (the service's clock as far as jobsync can read it)."""
        ...


class Workspace(Protocol):
    """What plan, apply and export need from a workspace."""

    label: str  # for messages: "local .jobsync/state/dev.json", "dataarts cn-north-4/a0b1"

    def snapshot(self, *, state: SnapshotState = "develop", refresh: bool = False) -> Snapshot:
        """Read every job, script and resource. state: develop | submitted."""
        ...

    def write(self, kind: Kind, bodies: Sequence[Mapping[str, Any]], *, user: str, message: str) -> Outcome:
        """Create or overwrite each definition; the user takes the edit lock.

        For jobs this is the console import: the development state is overwritten and a new
        version is submitted, with `message` as its description.
        """
        ...

    def delete(self, kind: Kind, names: Sequence[str], *, user: str) -> Outcome: ...

    def rename(self, kind: Kind, renames: Mapping[str, str], *, user: str) -> Outcome:
        """Rename each object (old name -> new name) keeping its versions and history, as the
        V2 `jobs/{name}/rename` does. The outcome is keyed by the new name."""
        ...

    def versions(self, name: str) -> list[JobVersion]:
        """The submitted versions of a job, newest first (UnknownObjectError if missing)."""
        ...

    def set_scheduling(self, names: Sequence[str], running: bool, *, user: str) -> Outcome:
        """Start (running=True) or stop the schedule of each job."""
        ...

    def stop_cdm(self, names: Sequence[str], *, user: str) -> Outcome:
        """Stop the run of each CDM job (named `<cluster>/<name>`), so that it can be written
        or deleted (reference §12.4)."""
        ...

    def read_variables(self) -> list[dict[str, Any]]:
        """The workspace's environment variables, each {name, type, value, desc}."""
        ...

    def put_variables(self, variables: Sequence[Mapping[str, Any]], *, user: str) -> Failure | None:
        """Replace the whole set of environment variables (`PUT factory/env` replaces all,
        reference §11.3): callers send every variable, managed or not. None when it worked."""
        ...

    def lock_store(self) -> LockStore:
        """Where this workspace's run lock lives (backends/lock.py)."""
        ...

    def acting_user(self) -> str | None:
        """Whom the service records as the writer whatever workspace.yaml's `user:` says (the
        dataarts backend: the owner of the credentials); None when `user:` is the writer."""
        ...

    def state_path(self) -> Path | None:
        """The file on this machine that holds the workspace (the local backend's document),
        whose folder a killed run may leave temporary files in; None when it is remote."""
        ...

    def enterprise(self) -> Enterprise | None:
        """The enterprise mode's environments and release packages when the workspace is in
        enterprise mode; None in simple mode (or when the backend cannot tell)."""
        ...

    def runs(self) -> Runs:
        """Running jobs and scripts in this workspace."""
        ...

    def close(self) -> None: ...
