"""The one JSON encoder for what jobsync prints or saves for machines: UTF-8 as it is (a
Chinese job name stays readable, never `\\u` escapes), two-space indent."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """`value` as JSON text, without a trailing newline."""
    return json.dumps(value, indent=indent, ensure_ascii=False)


def render(document: dict[str, Any]) -> str:
    """The plan for machines: the document itself, one line feed after it."""
    return dumps(document) + "\n"
