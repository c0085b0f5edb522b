"""How a changed value is shown: short values inline, multi-line text as a unified diff.

A reviewer must see what will be sent, types included: `2` and `"2"` are different values in a
job body. A string is shown bare only when it cannot be read as another JSON value (`2`,
`true`, `null`, `[1]` are shown quoted), and when a change's two values have different JSON
types, or would print the same, both are shown in their JSON spelling: `2 -> "2"`.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

INLINE_LIMIT = 120
JSON_START = re.compile(r'^[-\d"\[{tfnNI]')  # what json.loads may read: saves trying most strings


def _jsonish(text: str) -> bool:
    """Whether a string reads as JSON text (`2`, `1.0`, `true`, `null`, `[1]`, `"a"`): shown bare
    it would be taken for that value, so it is shown quoted."""
    if not JSON_START.match(text):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def json_type(value: Any) -> str:
    """The value's JSON type, with integers apart from other numbers (1 and 1.0 differ)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _cut(text: str) -> str:
    return text if len(text) <= INLINE_LIMIT else text[: INLINE_LIMIT - 1] + "…"


def spelled(value: Any) -> str:
    """The JSON spelling of a value (strings quoted)."""
    return _cut(json.dumps(value, ensure_ascii=False))


def inline(value: Any) -> str:
    plain = isinstance(value, str) and value.strip() == value and value and "\n" not in value and not _jsonish(value)
    return _cut(value) if plain else spelled(value)


def pair(before: Any, after: Any) -> tuple[str, str]:
    """How the two sides of a change print: in JSON spelling when their types differ or they
    would otherwise print the same."""
    shown = inline(before), inline(after)
    if json_type(before) != json_type(after) or shown[0] == shown[1]:
        return spelled(before), spelled(after)
    return shown


def is_text_change(entry: dict[str, Any]) -> bool:
    before, after = entry.get("before"), entry.get("after")
    return any(isinstance(v, str) and "\n" in v for v in (before, after)) and all(
        v is None or isinstance(v, str) for v in (before, after)
    )


NO_NEWLINE = "\\ No newline at end of file"


def visible_lines(text: str) -> list[str]:
    """Lines with what a diff would hide made visible: `\r` as ␍, trailing spaces as ·,
    tabs at the end as →, and git's marker when the text does not end with a newline."""
    lines = text.split("\n")
    last = lines.pop()
    if last:
        lines += [last, NO_NEWLINE]
    shown = []
    for line in lines:
        line = line.replace("\r", "␍")
        body = line.rstrip(" \t")
        shown.append(body + line[len(body) :].replace(" ", "·").replace("\t", "→"))
    return shown


def text_diff(entry: dict[str, Any]) -> list[str]:
    before = visible_lines(entry.get("before") or "")
    after = visible_lines(entry.get("after") or "")
    lines = difflib.unified_diff(before, after, "before", "after", lineterm="", n=2)
    return list(lines)[2:]  # drop the ---/+++ header: the path says what changed


def field_lines(entry: dict[str, Any], *, style: str = "text") -> list[str]:
    """Lines describing one field change, without indentation or colour.

    style "text": `~ path: old -> new`; style "diff" (for ```diff blocks): the old value on a
    `-` line and the new one on a `+` line, so GitHub colours them.
    """
    path, change = entry["path"], entry["change"]
    if change == "added":
        return [f"+ {path}: {inline(entry['after'])}"]
    if change == "removed":
        return [f"- {path}: {inline(entry['before'])}"]
    if is_text_change(entry):
        return [f"~ {path}:" if style == "text" else f"  {path}:", *text_diff(entry)]
    before, after = pair(entry["before"], entry["after"])
    if style == "text":
        return [f"~ {path}: {before} -> {after}"]
    return [f"- {path}: {before}", f"+ {path}: {after}"]
