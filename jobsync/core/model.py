"""The objects jobsync manages: jobs, scripts and resources, keyed by kind and name.

A definition body is kept as the service returns it: an opaque, order-preserving mapping.
DataArts bodies carry many fields that no document lists (reference §5.6), so jobsync never
re-models them field by field; `Spec` is only the envelope (kind, name, body, fingerprint).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class Kind(str, enum.Enum):
    """The kinds of object in a DataArts Factory workspace, in apply order (CDM links and jobs
    before the Factory jobs that call them).

    Variables are the workspace's environment variables (variables.yaml, `GET/PUT
    factory/env`): planned like the others, but kept in one file, not one file each; code
    that walks object files iterates `FILE_KINDS`.
    """

    VARIABLE = "variable"
    RESOURCE = "resource"
    SCRIPT = "script"
    CDM_LINK = "cdm-link"  # CDM objects: named `<cluster>/<name>` (core/cdm.py), kept under cdm/
    CDM_JOB = "cdm-job"
    JOB = "job"

    @property
    def folder(self) -> str:
        return f"{self.value}s"


FILE_KINDS: tuple[Kind, ...] = (Kind.RESOURCE, Kind.SCRIPT, Kind.JOB)  # one file (or two) per object
CDM_KINDS: tuple[Kind, ...] = (Kind.CDM_LINK, Kind.CDM_JOB)  # links before the jobs that name them


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


def body_text(body: Mapping[str, Any]) -> str:
    """A body as the caches keep it (StoredBody.stored): compact JSON, decoded exactly back."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class StoredBody:
    """An immutable holder of a definition body that may be kept as its JSON text (`stored`)
    until something reads `body`: caches hand bodies over as text, and a plan that compares
    fingerprints never builds the bodies it does not need. `peek()` reads one without keeping it."""

    __slots__ = ("_body", "stored")
    _body: Mapping[str, Any] | None
    stored: str | None

    def _hold(self, body: Mapping[str, Any] | None, stored: str | None, what: object) -> None:
        if body is None and stored is None:
            raise ValueError(f"{what}: a body or its stored JSON text is needed")
        object.__setattr__(self, "_body", body)
        object.__setattr__(self, "stored", None if body is not None else stored)

    @property
    def body(self) -> Mapping[str, Any]:
        body, stored = self._body, self.stored
        if body is not None:
            return body
        if stored is None:  # another thread decoded it between the two reads: _body is set
            return self.body
        decoded: Mapping[str, Any] = json.loads(stored)
        object.__setattr__(self, "_body", decoded)  # before `stored` is cleared, for such a reader
        object.__setattr__(self, "stored", None)
        return decoded

    def peek(self) -> Mapping[str, Any]:
        """The body, without keeping it decoded if it was not (for one pass over many)."""
        body, stored = self._body, self.stored
        if body is not None:
            return body
        return json.loads(stored) if stored is not None else self.body

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; use replace() to change {name}")

    __hash__ = None  # type: ignore[assignment]  # bodies are mappings


class BodyView(Mapping[str, Any]):
    """A StoredBody's body as a read-only mapping, decoded only when first read: what a plan
    gives an unchanged object as its desired body, so comparing fingerprints decodes nothing."""

    __slots__ = ("_of",)

    def __init__(self, of: StoredBody) -> None:
        self._of = of

    def __getitem__(self, key: str) -> Any:
        return self._of.body[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._of.body)

    def __len__(self) -> int:
        return len(self._of.body)

    def __repr__(self) -> str:
        return f"BodyView({self._of!r})"


class Spec(StoredBody):
    """A job, script or resource definition.

    `body` is the definition as DataArts takes it in a create request, server-managed fields
    removed (see normalize.py). `source` is the repo file it came from, for messages only.
    `digest` is the fingerprint of the body's canonical form (core/canonical.py) when a cache
    kept it beside the body: a plan compares these first and leaves equal bodies alone.
    """

    __slots__ = ("digest", "key", "source")
    key: ObjectKey
    source: str | None
    digest: str | None

    def __init__(
        self,
        key: ObjectKey,
        body: Mapping[str, Any] | None = None,
        source: str | None = None,
        digest: str | None = None,
        *,
        stored: str | None = None,
    ) -> None:
        self._hold(body, stored, key)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "digest", digest)

    @property
    def kind(self) -> Kind:
        return self.key.kind

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.body)

    @property
    def view(self) -> Mapping[str, Any]:
        """The body, or a view that decodes it when read if it is still JSON text."""
        return self._body if self._body is not None else BodyView(self)

    def replace(self, **changes: Any) -> Spec:
        """A copy with `changes` (key, body, source, digest); an undecoded body stays so."""
        values: dict[str, Any] = {"key": self.key, "source": self.source, "digest": self.digest}
        if "body" not in changes:
            values["body"], values["stored"] = self._body, self.stored
        values.update(changes)
        return Spec(**values)

    def __eq__(self, other: object) -> bool:  # as the dataclass it replaced: key and body
        if not isinstance(other, Spec):
            return NotImplemented
        return self.key == other.key and self.body == other.body

    def __repr__(self) -> str:
        return f"Spec({self.key!r}, source={self.source!r})"


def directory_of(body: Mapping[str, Any]) -> str:
    """The DataArts directory of a body as a folder path: '' for the root, else 'a/b'."""
    raw = body.get("directory") or "/"
    return "/".join(part for part in str(raw).split("/") if part)
