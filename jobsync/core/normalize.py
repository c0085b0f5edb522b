"""From service bodies to the stored form, and from the stored form to comparable values.

Three forms of one definition:

* the API form: what DataArts returns and takes (`properties` is a list of {name, value});
* the stored form (`strip`): the API form without server-managed fields, in a fixed key
  order. It is what jobsync writes back and what plan fingerprints;
* the compared form (`comparable`): the stored form with documented server defaults filled in,
  directories spelt one way, and named lists keyed by name, so a value the service filled in
  by itself never shows up as a change, and diffs read `nodes.extract.properties.database`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsync.core import cdm
from jobsync.core.canonical import ORDER, defaults, is_empty, send_form
from jobsync.core.model import CDM_KINDS, Kind, canonical_json, fingerprint

# Fields the service owns; never stored, never compared (reference §3, §5.1, §6).
SERVER_FIELDS: dict[Kind, frozenset[str]] = {
    Kind.JOB: frozenset(
        {
            "id",
            "createTime",
            "createUser",
            "lastUpdateTime",
            "lastUpdateUser",
            "downstreamJobs",
            "status",
            "owner",
            "startTime",
            "endTime",
            "lastInstanceStatus",
            "lastInstanceEndTime",
        }
    ),
    Kind.SCRIPT: frozenset(
        {
            "id",
            "owner",
            "version",
            "modifyTime",
            "createUser",
            "create_user",
            "createTime",
            "lastUpdateTime",
            "lastUpdateUser",
            "modify_time",
        }
    ),
    Kind.VARIABLE: frozenset({"id", "createTime", "lastUpdateTime", "lastUpdateUser"}),
    Kind.RESOURCE: frozenset(
        {
            "id",
            "jobRelation",
            "createTime",
            "createUser",
            "create_user",
            "lastUpdateTime",
            "lastUpdateUser",
        }
    ),
}

# Fields of the repo format only: never sent, never compared (`renamed_from`: core/renames.py).
REPO_FIELDS: dict[Kind, frozenset[str]] = {Kind.JOB: frozenset({"renamed_from"})}

# API Explorer list examples use snake_case keys (reference §6): read both.
SNAKE_CASE = {
    "connection_name": "connectionName",
    "queue_name": "queueName",
    "depend_files": "dependFiles",
    "depend_packages": "dependPackages",
}

KEY_ORDER: dict[Kind, tuple[str, ...]] = {
    Kind.VARIABLE: ("name", "type", "value", "desc"),
    Kind.JOB: ("name", "directory", "processType", "description", "basicConfig", "params", "schedule", "nodes"),
    Kind.SCRIPT: (
        "name",
        "type",
        "directory",
        "description",
        "connectionName",
        "database",
        "queueName",
        "configuration",
    ),
    Kind.RESOURCE: ("name", "type", "directory", "location", "dependFiles", "dependPackages", "desc"),
}
NODE_ORDER = ("name", "type", "preNodeName", "conditions", "properties")
NODE_LAST = ("location",)

# The service's defaults, from the one table (canonical.NORMALISATIONS, with the evidence).
NODE_DEFAULTS: dict[str, Any] = defaults(Kind.JOB, "nodes[].")
JOB_DEFAULTS: dict[str, Any] = defaults(Kind.JOB)
# An environment variable's defaults (reference §11.3): `name: value` in variables.yaml.
VARIABLE_DEFAULTS: dict[str, Any] = defaults(Kind.VARIABLE)


def ordered(body: Mapping[str, Any], first: tuple[str, ...], last: tuple[str, ...] = ()) -> dict[str, Any]:
    """The same mapping with `first` keys leading and `last` keys trailing; others keep order."""
    result = {key: body[key] for key in first if key in body}
    result.update((key, value) for key, value in body.items() if key not in first and key not in last)
    result.update((key, body[key]) for key in last if key in body)
    return result


def strip(kind: Kind, body: Mapping[str, Any], *, order: bool = True) -> dict[str, Any]:
    """The stored form of a body the service returned.

    The result is a new top-level mapping that shares nested values with `body`: treat both
    as read-only (every function here builds new containers rather than editing).
    `order=False` leaves keys where they are: equal for comparison, and no new node
    mappings (a 10,000-job plan built 30 MB of them only to compare).
    """
    if kind in CDM_KINDS:
        return cdm.strip(cdm.of(kind), body)
    drop = SERVER_FIELDS[kind] | REPO_FIELDS.get(kind, frozenset())
    clean = {SNAKE_CASE.get(key, key): value for key, value in body.items() if key not in drop}
    if kind is Kind.JOB and isinstance(clean.get("version"), int):
        del clean["version"]  # the latest version number; a string "1.0" is the model's own
    if not order:
        return clean
    if kind is Kind.JOB and isinstance(clean.get("nodes"), list):
        clean["nodes"] = [
            ordered(node, NODE_ORDER, NODE_LAST) if isinstance(node, dict) else node for node in clean["nodes"]
        ]
    return ordered(clean, KEY_ORDER[kind])


def sent(kind: Kind, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """What apply sends: the stored form (no server-managed field, no `version` number, which the
    plan never compares) with the fields the API requires filled in. The plan compares exactly
    this, so a field the plan calls removed (a repo's `version: 1`) is not sent."""
    return send_form(kind, strip(kind, body, order=False))


def normal_directory(value: Any) -> str:
    parts = [part for part in str(value or "/").split("/") if part and part != "."]
    return "/" + "/".join(parts)


def _keyed(items: Any, key: str) -> Any:
    """A list of mappings with unique `key` values as a mapping by that key (else unchanged)."""
    if not isinstance(items, list) or not all(isinstance(item, dict) and key in item for item in items):
        return items
    names = [str(item[key]) for item in items]
    if len(set(names)) != len(names):
        return items
    return {str(item[key]): {k: v for k, v in item.items() if k != key} for item in items}


def _comparable_node(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    result = {**NODE_DEFAULTS, **node}
    properties = _keyed(node.get("properties"), "name")
    if isinstance(properties, dict) and len(properties) > 1:
        result["properties" + ORDER] = list(properties)  # the order counts (canonical.py)
    if isinstance(properties, dict) and all(set(v) == {"value"} for v in properties.values()):
        properties = {name: value["value"] for name, value in properties.items()}
    if properties is not None:
        result["properties"] = properties
    return result


def comparable(kind: Kind, body: Mapping[str, Any], *, order: bool = True) -> dict[str, Any]:
    """The compared form: defaults filled, directory spelt one way, named lists keyed.
    `order=False` keeps the body's key order (for hashing, which sorts keys anyway)."""
    if kind in CDM_KINDS:
        return cdm.comparable(cdm.of(kind), body)
    result = strip(kind, body, order=order)
    if kind is Kind.VARIABLE:
        return {**VARIABLE_DEFAULTS, **{k: v for k, v in result.items() if v is not None or k == "value"}}
    result["directory"] = normal_directory(result.get("directory"))
    if kind is Kind.SCRIPT and is_empty(kind, "content", result.get("content", [])):
        del result["content"]
    if kind is not Kind.JOB:
        return result
    for key, value in JOB_DEFAULTS.items():
        result.setdefault(key, value)
    basic = result.get("basicConfig")
    if isinstance(basic, dict) and "tags" in basic and is_empty(kind, "basicConfig.tags", basic["tags"]):
        result["basicConfig"] = {k: v for k, v in basic.items() if k != "tags"}  # {} == [] == absent; null is not
    nodes = result.get("nodes")
    if isinstance(nodes, list):
        keyed = _keyed([_comparable_node(node) for node in nodes], "name")
        result["nodes"] = keyed
        if isinstance(keyed, dict) and len(keyed) > 1:
            result["nodes" + ORDER] = list(keyed)  # the order counts (canonical.py)
    return result


def canonical(kind: Kind, body: Mapping[str, Any]) -> dict[str, Any]:
    """The compared form (the table applied), as plain JSON values; its keys in no set order
    (canonical_json sorts them)."""
    return comparable(kind, body, order=False)


def canonical_text(kind: Kind, body: Mapping[str, Any]) -> str:
    """One string per meaning; JSON types kept apart (`1`, `1.0`, `true` differ)."""
    return canonical_json(canonical(kind, body))


def body_fingerprint(kind: Kind, body: Mapping[str, Any]) -> str:
    """The fingerprint of a body's canonical form: what the repo parse cache and the dataarts
    job cache keep beside each body, and what the plan compares first."""
    return fingerprint(canonical(kind, body))


def same(kind: Kind, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Do `a` and `b` mean the same to the service?"""
    return canonical_text(kind, a) == canonical_text(kind, b)
