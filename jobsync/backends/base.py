"""The Workspace protocol every backend implements, and the snapshot it returns.

A backend reads the whole workspace as a `Snapshot` (definitions plus the facts the plan
rules need: schedule status, lock holder, tags, and what data connections, DLI queues, DIS
streams and GES graphs exist) and writes definitions in batches. Writes report per object:
one object failing never raises for the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from jobsync.core.model import Kind, ObjectKey

SCHEDULING = "SCHEDULING"
STOPPED = "STOPPED"
PAUSED = "PAUSED"


@dataclass(frozen=True)
class RemoteObject:
    """One object as the workspace holds it.

    `body` is the development state (or the latest submitted version, for
    `snapshot(state="submitted")`), raw as the service returns it, server fields included.
    `locked_by` is None when nobody holds the edit lock or the backend cannot see locks.
    """

    key: ObjectKey
    body: Mapping[str, Any]
    status: str | None = None  # jobs: SCHEDULING | STOPPED | PAUSED
    locked_by: str | None = None
    tags: tuple[str, ...] = ()
    last_update_time: int | None = None
    last_update_user: str | None = None
    version: int | None = None  # latest submitted version, jobs only


@dataclass(frozen=True)
class Environment:
    """Workspace-wide facts the plan rules read. None means "this backend cannot tell"."""

    lock_policy: str | None = None  # soft | hard
    admins: frozenset[str] = frozenset()
    connections: frozenset[str] | None = None
    dli_queues: frozenset[str] | None = None
    dis_streams: frozenset[str] | None = None
    ges_graphs: frozenset[str] | None = None
    locked_tags: frozenset[str] | None = None


@dataclass(frozen=True)
class Snapshot:
    objects: Mapping[ObjectKey, RemoteObject] = field(default_factory=dict)
    environment: Environment = field(default_factory=Environment)


# Codes of a workspace rule refusing a change (backends/document.py RuleError). A write that
# fails with one of these is reported as "blocked", anything else as "failed".
RULE_CODES = frozenset({"JOB_RUNNING", "LOCKED", "LOCKED_TAG", "MISSING_REFERENCE"})


@dataclass(frozen=True)
class Failure:
    """Why one object's write failed: the service's message verbatim, and a rule code if any."""

    message: str
    code: str | None = None

    @property
    def blocked(self) -> bool:
        return self.code in RULE_CODES


# name -> None when it worked, else why it failed
Outcome = Mapping[str, Failure | None]


class Workspace(Protocol):
    """What plan, apply and export need from a workspace."""

    label: str  # for messages: "local .jobsync/state/dev.json", "dataarts cn-north-4/a0b1"

    def snapshot(self, *, state: str = "develop", refresh: bool = False) -> Snapshot:
        """Read every job, script and resource. state: develop | submitted."""
        ...

    def write(self, kind: Kind, bodies: Sequence[Mapping[str, Any]], *, user: str, message: str) -> Outcome:
        """Create or overwrite each definition; the user takes the edit lock.

        For jobs this is the console import: the development state is overwritten and a new
        version is submitted, with `message` as its description.
        """
        ...

    def delete(self, kind: Kind, names: Sequence[str], *, user: str) -> Outcome: ...

    def set_scheduling(self, names: Sequence[str], running: bool, *, user: str) -> Outcome:
        """Start (running=True) or stop the schedule of each job."""
        ...

    def close(self) -> None: ...
