"""The shape of a workspace document (backends/document.py), checked when one is read.

A hand-edited document (`versions: [{}]`, `admins: 5`, `tags: 5`) used to end in an internal
error somewhere inside the rules. `problems` names each field that has the wrong shape, with
its path (`jobs[3].versions[0].definition`), so the message says what to fix. Definitions
themselves stay opaque: only `name` is required of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import fastjsonschema

_DEFINITION = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}
_NAMES = {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}}
_ENTRY = {
    "type": "object",
    "required": ["definition"],
    "properties": {
        "definition": _DEFINITION,
        "status": {"type": ["string", "null"]},
        "lockedBy": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "versions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["version", "definition"],
                "properties": {"version": {"type": "integer"}, "definition": {"type": "object"}},
            },
        },
        "version": {"type": ["integer", "null"]},
        "id": {"type": ["string", "integer", "null"]},
    },
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "lock_policy": {"enum": ["soft", "hard"]},
        "admins": {"type": "array", "items": {"type": "string"}},
        "jobs": {"type": "array", "items": _ENTRY},
        "scripts": {"type": "array", "items": _ENTRY},
        "resources": {"type": "array", "items": _ENTRY},
        "tags": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "locked": {"type": "boolean"}},
            },
        },
        "runs": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "result": {"enum": ["success", "fail"]},
                    "node": {"type": "string"},
                    "seconds": {"type": "number", "minimum": 0},
                    "message": {"type": "string"},
                },
            },
        },
        "connections": _NAMES,
        "dliQueues": _NAMES,
        "disStreams": _NAMES,
        "gesGraphs": _NAMES,
        "variables": {
            "type": "array",
            "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        },
    },
}
_fast = fastjsonschema.compile(SCHEMA)


def _where(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the document)"


def problems(document: Mapping[str, Any], limit: int = 10) -> list[str]:
    """'field: what is wrong' for each problem (at most `limit`); [] when the shape is right."""
    try:
        _fast(document)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema says where, for every problem
    import jsonschema  # only for a document with problems: it costs every run 0.1 s

    validator = jsonschema.Draft202012Validator(SCHEMA)
    found = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_where(error.absolute_path)}: {error.message}" for error in found[:limit]]
