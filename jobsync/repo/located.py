"""Where a blocked change's reference sits in its repo file: the file and line of the first
name its reason quotes that the file holds as a value (a node's `jobName`, a CDM job's
`to-link-name`, a `connectionName` ...), so a reason reads as `file:line: why`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from jobsync.repo import yamlio

QUOTED = re.compile(r"'([^']+)'")
NODE = re.compile(r"node '[^']*'")  # which node: context, not the reference
Path_ = tuple[str | int, ...]


def _values(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _values(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _values(value, (*path, index))


def where(root: Path, source: str, reason: str) -> str | None:
    """`file:line` of the first name `reason` quotes that `source` (repo-relative) holds, else
    `file` alone when the file exists; None when it does not (a source at another ref)."""
    path = root / source
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
        data = yamlio.load(text)
    except (OSError, ValueError, yaml.YAMLError):
        return source
    found = {value: at for at, value in reversed(list(_values(data)))}  # the first occurrence wins
    lines = yamlio.line_map(text)
    for name in QUOTED.findall(NODE.sub("", reason)):
        if name in found:
            line = yamlio.line_of(lines, found[name])
            return f"{source}:{line}" if line else source
    return source
