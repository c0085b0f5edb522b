"""The objects jobsync manages: jobs, scripts and resources, keyed by kind and name.

A definition body is kept as the service returns it: an opaque, order-preserving mapping.
DataArts bodies carry many fields that no document lists (reference §5.6), so jobsync never
re-models them field by field; `Spec` is only the envelope (kind, name, body, fingerprint).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Kind(str, enum.Enum):
    """The kinds of object in a DataArts Factory workspace, in apply order.

    Variables are the workspace's environment variables (variables.yaml, `GET/PUT
    factory/env`): planned like the others, but kept in one file, not one file each; code
    that walks object files iterates `FILE_KINDS`.
    """

    VARIABLE = "variable"
    RESOURCE = "resource"
    SCRIPT = "script"
    JOB = "job"

    @property
    def folder(self) -> str:
        return f"{self.value}s"


FILE_KINDS: tuple[Kind, ...] = (Kind.RESOURCE, Kind.SCRIPT, Kind.JOB)  # one file (or two) per object


@dataclass(frozen=True, order=True)
class ObjectKey:
    """The stable identity that matches a repo file with a workspace object."""

    kind: Kind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.value} {self.name}"


def canonical_json(value: Any) -> str:
    """One string per meaning: sorted keys, no whitespace. Used for hashing and equality."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Spec:
    """A job, script or resource definition.

    `body` is the definition as DataArts takes it in a create request, server-managed fields
    removed (see normalize.py). `source` is the repo file it came from, for messages only.
    """

    key: ObjectKey
    body: Mapping[str, Any]
    source: str | None = field(default=None, compare=False)
    # the fingerprint of the body's canonical form (core/canonical.py) when a cache kept it
    # beside the body: a plan compares these first and leaves equal bodies alone
    digest: str | None = field(default=None, compare=False)

    @property
    def kind(self) -> Kind:
        return self.key.kind

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.body)


def directory_of(body: Mapping[str, Any]) -> str:
    """The DataArts directory of a body as a folder path: '' for the root, else 'a/b'."""
    raw = body.get("directory") or "/"
    return "/".join(part for part in str(raw).split("/") if part)
