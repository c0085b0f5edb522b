"""The Workspace protocol every backend implements.

A backend reads the whole workspace as a `Snapshot` (core/snapshot.py: definitions plus the
facts the plan rules need) and writes definitions in batches. Writes report per object:
one object failing never raises for the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from jobsync.backends.lock import LockStore
from jobsync.core.history import JobVersion
from jobsync.core.model import Kind
from jobsync.core.policies import SnapshotState
from jobsync.core.snapshot import Failure, Outcome, Snapshot


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

    def close(self) -> None: ...
