"""What a workspace holds, as the plan reads it: the snapshot a backend returns, and write outcomes.

A backend reads the whole workspace as a `Snapshot` (definitions plus the facts the plan
rules need: schedule status, lock holder, tags, and what data connections, DLI queues, DIS
streams and GES graphs exist) and writes definitions in batches. Writes report per object:
one object failing never raises for the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jobsync.core.model import ObjectKey
from jobsync.core.policies import LockPolicy

SCHEDULING = "SCHEDULING"
STOPPED = "STOPPED"
PAUSED = "PAUSED"


class RemoteObject:
    """One object as the workspace holds it (immutable).

    `body` is the development state (or the latest submitted version, for
    `snapshot(state="submitted")`), raw as the service returns it, server fields included.
    A backend that keeps bodies as JSON text (the dataarts job cache) passes `stored`
    instead: the body is decoded the first time it is read, so a plan that compares
    fingerprints never builds the bodies of unchanged objects.
    `locked_by` is None when nobody holds the edit lock or the backend cannot see locks.
    `digest` is the canonical fingerprint of the body, when the backend keeps it.
    """

    __slots__ = (
        "_body",
        "digest",
        "key",
        "last_update_time",
        "last_update_user",
        "locked_by",
        "status",
        "stored",
        "tags",
        "version",
    )
    FIELDS = ("key", "body", "status", "locked_by", "tags", "last_update_time", "last_update_user", "version")

    key: ObjectKey
    _body: Mapping[str, Any] | None
    stored: str | None
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
        if body is None and stored is None:
            raise ValueError(f"{key}: a body or its stored JSON text is needed")
        values = {
            "key": key,
            "_body": body,
            "stored": None if body is not None else stored,
            "status": status,
            "locked_by": locked_by,
            "tags": tags,
            "last_update_time": last_update_time,
            "last_update_user": last_update_user,
            "version": version,
            "digest": digest,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def body(self) -> Mapping[str, Any]:
        body = self._body
        if body is None:
            body = json.loads(str(self.stored))
            object.__setattr__(self, "_body", body)
            object.__setattr__(self, "stored", None)
        return body

    def replace(self, **changes: Any) -> RemoteObject:
        """A copy with `changes` (field name -> value), as dataclasses.replace."""
        values: dict[str, Any] = {name: getattr(self, name) for name in (*self.FIELDS, "digest")}
        if "body" not in changes and self.stored is not None:
            values.pop("body")
            values["stored"] = self.stored
        values.update(changes)
        return RemoteObject(**values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"RemoteObject is immutable; use replace() to change {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RemoteObject):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]  # the body is a mapping: as the dataclass it replaced

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
