"""Rewriting `source.ref` in a workspace.yaml, keeping its comments and layout.

`jobsync promote -w prod --ref v2026.11.3` is the one-line change that moves prod to another
release of its source's definitions (and rolling back is the same command with the older ref).
Only the `ref:` value changes (or a `ref:` line is added under `source:`, in place of a
commented-out example `# ref: ...` such as init writes); everything else in the file keeps its
bytes.
"""

from __future__ import annotations

import re

import yaml

from jobsync.errors import ConfigError, Problem
from jobsync.repo import yamlio

_BLOCK = re.compile(r"^source:[ \t]*(#.*)?$")
_FLOW = re.compile(r"^source:[ \t]*\{(?P<body>[^}]*)\}(?P<tail>[ \t]*(#.*)?)$")
_REF_LINE = re.compile(r"^(?P<indent>[ \t]+)ref:[ \t]*(?P<value>[^#\n]*?)(?P<tail>[ \t]*(#.*)?)$")
_COMMENTED_REF = re.compile(r"^(?P<indent>[ \t]+)#[ \t]*ref:[ \t]*(?P<value>[^#\n]*?)(?P<tail>[ \t]*(#.*)?)$")
_WORKSPACE_LINE = re.compile(r"^(?P<indent>[ \t]+)workspace:")


def scalar(ref: str) -> str:
    """`ref` as a YAML scalar that reads back as the same string."""
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/+-]*", ref) is not None
    if plain and _reads_back(ref):
        return ref
    return '"' + ref.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reads_back(ref: str) -> bool:
    try:
        return bool(yamlio.load(f"x: {ref}") == {"x": ref})
    except yaml.YAMLError:  # e.g. 2026-11-03 reads as a date, which yamlio refuses
        return False


def _rewrite_flow(line: str, ref: str) -> str:
    found = _FLOW.match(line)
    assert found is not None
    parts = [part.strip() for part in found["body"].split(",") if part.strip()]
    parts = [part for part in parts if not part.startswith("ref:")] + [f"ref: {scalar(ref)}"]
    return f"source: {{{', '.join(parts)}}}{found['tail']}"


def _rewrite_block(lines: list[str], at: int, ref: str) -> list[str]:
    end = at + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    for index in range(at + 1, end):
        found = _REF_LINE.match(lines[index])
        if found:
            lines[index] = f"{found['indent']}ref: {scalar(ref)}{found['tail']}"
            return lines
    for index in range(at + 1, end):
        found = _COMMENTED_REF.match(lines[index])
        if found:  # the example comment becomes the real line, its explanation kept
            value = f"{found['indent']}ref: {scalar(ref)}"
            comment = found["tail"].strip()
            column = len(lines[index]) - len(comment)  # where the explanation starts: keep it there
            lines[index] = f"{value.ljust(column - 1)} {comment}" if comment else value
            return lines
    for index in range(at + 1, end):
        found = _WORKSPACE_LINE.match(lines[index])
        if found:
            lines.insert(index + 1, f"{found['indent']}ref: {scalar(ref)}")
            return lines
    return lines


def set_source_ref(text: str, ref: str, *, file: str) -> str:
    """`text` (a workspace.yaml) with source.ref set to `ref`; ConfigError when it has no source."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    for index, line in enumerate(lines):
        if _FLOW.match(line):
            lines[index] = _rewrite_flow(line, ref)
            break
        if _BLOCK.match(line):
            lines = _rewrite_block(lines, index, ref)
            break
    else:
        raise ConfigError(
            [
                Problem(
                    file,
                    "has no `source:` to promote; promote moves a workspace that deploys another's "
                    "definitions (source: {workspace: dev, ref: ...})",
                    field="source",
                )
            ]
        )
    result = newline.join(lines)
    data = yamlio.load(result) or {}
    if not isinstance(data, dict) or (data.get("source") or {}).get("ref") != ref:
        raise ConfigError(
            [Problem(file, "could not rewrite source.ref in this layout; edit it by hand", field="source.ref")]
        )
    return result
