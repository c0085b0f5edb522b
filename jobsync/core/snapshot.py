"""What a workspace holds, as the plan reads it: the snapshot a backend returns, and write outcomes.

A backend reads the whole workspace as a `Snapshot` (definitions plus the facts the plan
rules need: schedule status, lock holder, tags, and what data connections, DLI queues, DIS
streams and GES graphs exist) and writes definitions in batches. Writes report per object:
one object failing never raises for the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jobsync.core.model import ObjectKey
from jobsync.core.policies import LockPolicy

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
    digest: str | None = field(default=None, compare=False)  # canonical fingerprint, when cached


@dataclass(frozen=True)
class Environment:
    """Workspace-wide facts the plan rules read. None means "this backend cannot tell"."""

    lock_policy: LockPolicy | None = None
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
RULE_CODES = frozenset({"JOB_RUNNING", "LOCKED", "LOCKED_TAG", "MISSING_REFERENCE", "INVALID", "IMMUTABLE"})


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
