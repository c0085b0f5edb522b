"""The one canonical, type-exact form of a body: what plan compares, apply sends, export keeps.

Two bodies mean the same when their canonical texts are equal. The canonical text is the
compared form (normalize.comparable) as JSON with sorted keys, so JSON types stay apart:
`1`, `true`, `1.0` and `"1"` are four different values, never Python's `True == 1 == 1.0`.

The only differences the canonical form forgives are the service's own, each declared once
in NORMALISATIONS below with the evidence for it (sections of the DataArts reference,
docs/dataarts-api.md). normalize.py reads its defaults from this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobsync.core.model import Kind


@dataclass(frozen=True)
class Normalisation:
    """One difference the service itself erases (a default it fills in, a spelling, an order).

    `rule` is `default` (absent means `value`), `required-default` (absent means `value`,
    and apply sends it: the API requires the field), `empty` (every value in `value` means
    absent), `directory` (spelt one way) or `keyed` (a list of entries with unique names,
    compared keyed by name so a diff reads `nodes.load.retryTimes`; the order is NOT forgiven:
    it is compared too, as the pseudo-field `<path>[order]`, so a reorder made in git is planned,
    sent, and shown as what it is).

    Every row cites the reference (docs/dataarts-api.md, by section) or an
    observed service response. Without evidence a difference is not forgiven: `tags: null` is
    not "no tags", and the order of nodes and of properties counts (the reference asks for an
    order-preserving document, §5.6).
    """

    kind: Kind
    path: str  # dotted; `nodes[]` is every node
    rule: str
    value: Any
    evidence: str


NORMALISATIONS: tuple[Normalisation, ...] = (
    Normalisation(
        Kind.JOB, "processType", "required-default", "BATCH", "§5.1: processType BATCH | REAL_TIME, required"
    ),
    Normalisation(Kind.JOB, "description", "default", "", "§5.1: description is show-only, returned as ''"),
    Normalisation(Kind.JOB, "params", "default", [], "§5.1: params Param[] (optional)"),
    Normalisation(
        Kind.JOB,
        "basicConfig.tags",
        "empty",
        ([], {}),
        "§5.2: tags string[] (AX); the H-0087 show example returns {} for none (accept both); §4 H-0201: "
        "an empty list means no tags",
    ),
    Normalisation(Kind.JOB, "directory", "directory", "/", "§5.1: directory e.g. /dir/a/, auto-created"),
    Normalisation(Kind.JOB, "nodes", "keyed", "name", "§5.3: a node's name is unique in the job"),
    Normalisation(Kind.JOB, "nodes[].preNodeName", "default", [], "§5.3: preNodeName string[] (upstream)"),
    Normalisation(Kind.JOB, "nodes[].pollingInterval", "default", 10, "§5.3: pollingInterval 1-60, default 10"),
    Normalisation(Kind.JOB, "nodes[].maxExecutionTime", "default", 60, "§5.3: maxExecutionTime default 60"),
    Normalisation(Kind.JOB, "nodes[].retryTimes", "default", 0, "§5.3: retryTimes 0-5, default 0"),
    Normalisation(Kind.JOB, "nodes[].retryInterval", "default", 120, "§5.3: retryInterval 5-120, default 120"),
    Normalisation(Kind.JOB, "nodes[].failPolicy", "default", "FAIL", "§5.3: failPolicy FAIL (default)"),
    Normalisation(Kind.JOB, "nodes[].properties", "keyed", "name", "§5.3: properties [{name, value}], names unique"),
    Normalisation(Kind.SCRIPT, "directory", "directory", "/", "§6: script directory, default root"),
    Normalisation(
        Kind.SCRIPT, "content", "empty", (None,), "§6: content is optional on create; the list gives none (§2.3)"
    ),
    Normalisation(Kind.RESOURCE, "directory", "directory", "/", "§6: resource directory"),
    Normalisation(Kind.VARIABLE, "type", "default", "variable", "§11.3: an environment variable's type"),
    Normalisation(Kind.VARIABLE, "desc", "default", "", "§11.3: desc optional"),
)


ORDER = "[order]"  # suffix of the pseudo-field that keeps a keyed list's order in the compared form


def defaults(kind: Kind, prefix: str = "") -> dict[str, Any]:
    """{field: default} of the `default` rows at one level (`prefix` '' or 'nodes[].')."""
    found = {}
    for row in NORMALISATIONS:
        if row.kind is kind and row.rule in ("default", "required-default") and row.path.startswith(prefix):
            rest = row.path[len(prefix) :]
            if "." not in rest and "[" not in rest:
                found[rest] = row.value
    return found


def empty(kind: Kind, path: str) -> tuple[Any, ...]:
    """The values that mean "absent" at `path` (an `empty` row), else ()."""
    return next(
        (row.value for row in NORMALISATIONS if row.kind is kind and row.path == path and row.rule == "empty"), ()
    )


def is_empty(kind: Kind, path: str, value: Any) -> bool:
    """Type-exact: `[]` is empty for tags, `0` and `false` never are."""
    return any(type(value) is type(e) and value == e for e in empty(kind, path))


def required_defaults(kind: Kind) -> dict[str, Any]:
    """Top-level fields the API requires that the service defaults: apply sends them."""
    return {row.path: row.value for row in NORMALISATIONS if row.kind is kind and row.rule == "required-default"}


def send_form(kind: Kind, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """What apply sends: the body with the fields the API requires and defaults filled in
    (a file may leave `processType: BATCH` out; the create and edit requests may not)."""
    missing = {key: value for key, value in required_defaults(kind).items() if key not in body}
    return {**body, **missing} if missing else body
