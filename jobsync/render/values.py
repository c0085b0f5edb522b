"""How a changed value is shown: short values inline, multi-line text as a unified diff."""

from __future__ import annotations

import difflib
import json
from typing import Any

INLINE_LIMIT = 120


def inline(value: Any) -> str:
    plain = isinstance(value, str) and value.strip() == value and value and "\n" not in value
    text = value if plain else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= INLINE_LIMIT else text[: INLINE_LIMIT - 1] + "…"


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
    if style == "text":
        return [f"~ {path}: {inline(entry['before'])} -> {inline(entry['after'])}"]
    return [f"- {path}: {inline(entry['before'])}", f"+ {path}: {inline(entry['after'])}"]
