"""JSON merge patch (RFC 7386): applying one, and making the one that turns a into b.

An override file (workspaces/<ws>/overrides/...) is a merge patch of an object's body. Merge
patches replace lists whole, so a job's `nodes` and a node's `properties`, both lists of
named entries, are patched in the *patch form* (`to_patch_form`): keyed by name, a plain
{name, value} property as its value. `nodes: {load: {retryTimes: 3}}` then patches one node,
and `nodes: {load: null}` removes it.

A merge patch cannot set a value to null (null removes the key): `diff` raises
`UnpatchableError` when b holds a null that a does not.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from jobsync.errors import JobsyncError


class UnpatchableError(JobsyncError):
    """b differs from a by a null value, which a merge patch cannot express."""


def apply(target: Any, patch: Any) -> Any:
    """RFC 7386 MergePatch(target, patch): a new value; neither argument is changed."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = {k: v for k, v in target.items()} if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply(result.get(key), value)
    return result


def diff(a: Any, b: Any, path: str = "") -> Any:
    """The smallest merge patch p with apply(a, p) == b (for mappings: {} when equal)."""
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        if b is None and a is not None:
            raise UnpatchableError(f"{path or 'the body'} becomes null, which a merge patch cannot express")
        return copy.deepcopy(b)
    patch: dict[str, Any] = {}
    for key in a:
        if key not in b:
            patch[key] = None
    for key, value in b.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in a:
            if value is None:
                raise UnpatchableError(f"{where} is null, which a merge patch cannot express")
            patch[key] = copy.deepcopy(value)
        elif not same(a[key], value):
            if isinstance(a[key], Mapping) and isinstance(value, Mapping):
                patch[key] = diff(a[key], value, where)
            else:
                patch[key] = diff(a[key], value, where) if value is None else copy.deepcopy(value)
    return patch


def same(a: Any, b: Any) -> bool:
    """Equal with JSON types: True, 1 and 1.0 differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# -- the patch form: named lists keyed by name -------------------------------------------------


def _keyable(items: Any) -> bool:
    if not isinstance(items, list) or not items:
        return False
    names = [item.get("name") for item in items if isinstance(item, dict)]
    return len(names) == len(items) and all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _property_to_patch(prop: Mapping[str, Any]) -> Any:
    rest = {k: v for k, v in prop.items() if k != "name"}
    return rest["value"] if set(rest) == {"value"} and not isinstance(rest["value"], Mapping) else rest


def _property_from_patch(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, **value} if isinstance(value, Mapping) else {"name": name, "value": value}


def _node_to_patch(node: Mapping[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in node.items() if k != "name"}
    if _keyable(rest.get("properties")):
        rest["properties"] = {p["name"]: _property_to_patch(p) for p in rest["properties"]}
    return rest


def _node_from_patch(name: str, node: Any) -> Any:
    if not isinstance(node, Mapping):
        return node
    result: dict[str, Any] = {"name": name, **node}
    properties = result.get("properties")
    if isinstance(properties, Mapping):
        result["properties"] = [_property_from_patch(n, v) for n, v in properties.items()]
    return result


def to_patch_form(body: Mapping[str, Any]) -> dict[str, Any]:
    """A job body with `nodes` (and each node's `properties`) keyed by name; other bodies as they are."""
    result = dict(body)
    if _keyable(result.get("nodes")):
        result["nodes"] = {node["name"]: _node_to_patch(node) for node in result["nodes"]}
    return result


def from_patch_form(body: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `to_patch_form`: nodes keep the order of the mapping (new ones last)."""
    result = dict(body)
    nodes = result.get("nodes")
    if isinstance(nodes, Mapping):
        result["nodes"] = [_node_from_patch(str(name), node) for name, node in nodes.items()]
    return result


def patch_body(body: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`body` with the override `patch` applied in the patch form."""
    return from_patch_form(apply(to_patch_form(body), patch))


def body_diff(base: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, Any]:
    """The override patch that turns `base` into `target` (both API-form bodies)."""
    patch = diff(to_patch_form(base), to_patch_form(target))
    return patch if isinstance(patch, dict) else {}
