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

from jobsync.core.cdm import Cluster
from jobsync.core.model import ObjectKey, StoredBody
from jobsync.core.policies import LockPolicy

SCHEDULING = "SCHEDULING"
STOPPED = "STOPPED"
PAUSED = "PAUSED"


class RemoteObject(StoredBody):
    """One object as the workspace holds it (immutable).

    `body` is the development state (or the latest submitted version, for
    `snapshot(state="submitted")`), raw as the service returns it, server fields included.
    A backend that keeps bodies as JSON text (the dataarts job cache) passes `stored`
    instead (core/model.py StoredBody): the body is decoded the first time it is read.
    `locked_by` is None when nobody holds the edit lock or the backend cannot see locks.
    `digest` is the canonical fingerprint of the body, when the backend keeps it.
    """

    __slots__ = ("digest", "key", "last_update_time", "last_update_user", "locked_by", "status", "tags", "version")
    FIELDS = ("key", "body", "status", "locked_by", "tags", "last_update_time", "last_update_user", "version")

    key: ObjectKey
    status: str | None  # jobs: SCHEDULING | STOPPED | PAUSED
    locked_by: str | None
    tags: tuple[str, ...]
    last_update_time: int | None
    last_update_user: str | None
    version: int | None  # latest submitted version, jobs only
    digest: str | None

    def __init__(
        self,
        key: ObjectKey,
        body: Mapping[str, Any] | None = None,
        status: str | None = None,
        locked_by: str | None = None,
        tags: tuple[str, ...] = (),
        last_update_time: int | None = None,
        last_update_user: str | None = None,
        version: int | None = None,
        digest: str | None = None,
        *,
        stored: str | None = None,
    ) -> None:
        self._hold(body, stored, key)
        facts = {
            "key": key,
            "status": status,
            "locked_by": locked_by,
            "tags": tags,
            "last_update_time": last_update_time,
            "last_update_user": last_update_user,
            "version": version,
            "digest": digest,
        }
        for name, value in facts.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> RemoteObject:
        """A copy with `changes` (field name -> value), as dataclasses.replace; an undecoded
        body stays so."""
        values: dict[str, Any] = {name: getattr(self, name) for name in self.FIELDS if name != "body"}
        values["digest"] = self.digest
        if "body" not in changes:
            values["body"], values["stored"] = self._body, self.stored
        values.update(changes)
        return RemoteObject(**values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RemoteObject):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS if name != "body")
        return f"RemoteObject({shown})"


@dataclass(frozen=True)
class Environment:
    """Workspace-wide facts the plan rules read. None means "this backend cannot tell"."""

    lock_policy: LockPolicy | None = None
    admins: frozenset[str] = frozenset()
    connections: frozenset[str] | None = None
    dli_queues: frozenset[str] | None = None
    dis_streams: frozenset[str] | None = None
    ges_graphs: frozenset[str] | None = None
    cdm: tuple[Cluster, ...] | None = None  # the CDM clusters (reference §12.2)
    quality_jobs: frozenset[str] | None = None  # Data Quality quality jobs (reference §12.8)
    consistency_jobs: frozenset[str] | None = None  # and comparison jobs

    @property
    def cdm_clusters(self) -> frozenset[str] | None:
        """The CDM clusters' names (a mapped category, core/references.py)."""
        return None if self.cdm is None else frozenset(cluster.name for cluster in self.cdm)

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
